import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { BatchRow } from '../db/schema';
import type { TaskView } from '../repositories/tasks';

export type TaskEvent = 'task.completed' | 'task.error' | 'task.audited';

/**
 * What the outside world hears about a change. Called inside the change's transaction so the
 * announcement (an outbox row and its job) commits with it or not at all.
 */
export interface Effects {
  /** A task completed, failed, or was audited by the customer. */
  taskChanged(db: Executor, scope: Scope, task: TaskView, event: TaskEvent): Promise<void>;
  /** A finalized batch has no pending task left. */
  batchCompleted(db: Executor, scope: Scope, batch: BatchRow, projectName: string): Promise<void>;
}
