import type { Executor } from '../db/executor';

export interface SendOptions {
  startAfter?: Date;
  singletonKey?: string;
}

/** Background jobs on the same database (pg-boss). */
export interface JobQueue {
  /** Enqueues inside `tx`: the job exists if and only if the transaction commits. */
  send(tx: Executor, name: string, data: object, options?: SendOptions): Promise<void>;
}
