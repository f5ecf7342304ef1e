import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { AssignmentRow } from '../db/schema';
import { submitAttemptsTogether, type AttemptToStore } from '../repositories/workforce';
import { Gathering } from './gathering';

interface Asked extends AttemptToStore {
  scope: Scope;
}

/**
 * Direct submissions in one organization and mode, gathered: while a statement stores the
 * attempts that arrived, the next ones wait, and the next statement stores all of them
 * (`submitAttemptsTogether`), each assignment once. An attempt it does not store (its task would
 * reach its minimum, the assignment is no longer held, the statement failed) resolves to
 * undefined with nothing written, and the caller takes the general path.
 */
export class SubmissionBatches {
  private readonly gathering: Gathering<Asked, AssignmentRow | undefined>;

  constructor(
    private readonly db: Executor,
    private readonly now: () => Date,
    private readonly onError: (error: unknown) => void,
  ) {
    this.gathering = new Gathering({
      run: (asked) => this.run(asked),
      distinct: (asked) => asked.assignmentId,
      most: 64,
    });
  }

  /** Statements run and attempts asked of them, since the process started. */
  get made() {
    return { statements: this.gathering.made.runs, asked: this.gathering.made.items };
  }

  store(scope: Scope, attempt: AttemptToStore): Promise<AssignmentRow | undefined> {
    return this.gathering.add(`${scope.organizationId}\u0000${scope.livemode}`, {
      ...attempt,
      scope,
    });
  }

  private async run(asked: Asked[]): Promise<(AssignmentRow | undefined)[]> {
    let stored: AssignmentRow[];
    try {
      stored = await submitAttemptsTogether(this.db, asked[0]!.scope, asked, this.now());
    } catch (error) {
      this.onError(error);
      return asked.map(() => undefined);
    }
    const byId = new Map(stored.map((row) => [row.id, row]));
    return asked.map(({ assignmentId }) => byId.get(assignmentId));
  }
}
