import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { AssignmentRow } from '../db/schema';
import {
  concludeAttempts,
  findSubmissionContexts,
  submitAttemptsTogether,
  type AttemptToStore,
  type Conclusion,
  type SubmissionContext,
} from '../repositories/workforce';
import { Gathering } from './gathering';
import { DEFAULT_SETTINGS } from './settings';

interface Asked extends AttemptToStore {
  scope: Scope;
}

interface Read {
  scope: Scope;
  id: string;
  workerId: string;
}

/**
 * Direct submissions in one organization and mode, gathered: while a statement reads the
 * submissions that arrived (`findSubmissionContexts`), stores their attempts
 * (`submitAttemptsTogether`) or concludes their tasks (`concludeAttempts`), the next ones wait,
 * and the next statement serves all of them, each assignment (and, concluding, each task) once.
 * An attempt it does not write (its task would reach its minimum, or changed since it was read,
 * the assignment is no longer held, the statement failed) resolves to undefined with nothing
 * written, and the caller takes the general path.
 */
export class SubmissionBatches {
  private readonly stores: Gathering<Asked, AssignmentRow | undefined>;
  private readonly reads: Gathering<Read, SubmissionContext | undefined>;
  private readonly concludes: Gathering<Conclusion & { scope: Scope }, AssignmentRow | undefined>;

  constructor(
    private readonly db: Executor,
    private readonly now: () => Date,
    private readonly onError: (error: unknown) => void,
  ) {
    this.stores = new Gathering({
      run: (asked) => this.run(asked),
      distinct: (asked) => asked.assignmentId,
      most: 64,
    });
    this.reads = new Gathering({
      run: async (reads) => {
        const found = await findSubmissionContexts(
          this.db,
          reads[0]!.scope,
          reads,
          DEFAULT_SETTINGS.consensus.min,
        );
        const byId = new Map(found.map((row) => [row.id, row]));
        return reads.map(({ id }) => byId.get(id));
      },
      distinct: (read) => read.id,
      most: 64,
    });
    this.concludes = new Gathering({
      run: (asked) =>
        this.written(asked, () => concludeAttempts(this.db, asked[0]!.scope, asked, this.now())),
      distinct: (asked) => asked.taskId,
      most: 64,
    });
  }

  /** Statements run and items asked of them, by kind, since the process started. */
  get made() {
    return { reads: this.reads.made, stores: this.stores.made, concludes: this.concludes.made };
  }

  /** What a submission needs to know of its assignment (`SubmissionContext`). */
  read(scope: Scope, id: string, workerId: string): Promise<SubmissionContext | undefined> {
    return this.reads.add(keyOf(scope), { scope, id, workerId });
  }

  store(scope: Scope, attempt: AttemptToStore): Promise<AssignmentRow | undefined> {
    return this.stores.add(keyOf(scope), {
      ...attempt,
      scope,
    });
  }

  /** Concludes a task with the attempt (`concludeAttempts`), when it is still as read. */
  conclude(scope: Scope, conclusion: Conclusion): Promise<AssignmentRow | undefined> {
    return this.concludes.add(keyOf(scope), { ...conclusion, scope });
  }

  private run(asked: Asked[]): Promise<(AssignmentRow | undefined)[]> {
    return this.written(asked, () =>
      submitAttemptsTogether(this.db, asked[0]!.scope, asked, this.now(), DEFAULT_SETTINGS),
    );
  }

  /** Each asked assignment as the statement wrote it; none when it failed. */
  private async written(
    asked: readonly { assignmentId: string }[],
    write: () => Promise<AssignmentRow[]>,
  ): Promise<(AssignmentRow | undefined)[]> {
    let rows: AssignmentRow[];
    try {
      rows = await write();
    } catch (error) {
      this.onError(error);
      return asked.map(() => undefined);
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    return asked.map(({ assignmentId }) => byId.get(assignmentId));
  }
}

function keyOf(scope: Scope) {
  return `${scope.organizationId}\u0000${scope.livemode}`;
}
