import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { WorkerRow } from '../db/schema';
import { newId } from '../ids';
import {
  claimAttemptsTogether,
  type ClaimAsk,
  type ClaimedRow,
  type ClaimTogether,
} from '../repositories/workforce';
import { Gathering } from './gathering';
import type { HeldClaims } from './held-claims';
import { DEFAULT_SETTINGS } from './settings';

/**
 * A claim made together, or where to go next: `alone` when the worker was passed over (the
 * one-worker direct claim walks past tasks they worked on) or the statement failed, `decide`
 * when the direct claim does not apply or the queue had nothing left for them.
 */
export type Together = { claimed: ClaimedRow } | { next: 'alone' | 'decide' };

interface Asked extends ClaimAsk {
  scope: Scope;
  projectRef: string;
}

/**
 * Direct claims on one project, gathered: while a statement claims for the workers who asked,
 * the next ones wait, and the next statement claims for all of them (`claimAttemptsTogether`),
 * each worker once. A claim it does not make says where the caller goes next (`Together`). The
 * claims it makes are kept in `held` for their submissions.
 */
export class ClaimBatches {
  private readonly gathering: Gathering<Asked, Together>;

  constructor(
    private readonly db: Executor,
    private readonly now: () => Date,
    private readonly onError: (error: unknown) => void,
    private readonly held: HeldClaims,
  ) {
    this.gathering = new Gathering({
      run: (asked) => this.run(asked),
      distinct: (asked) => asked.workerId,
      most: 64,
    });
  }

  /** Statements run (`runs`) and claims asked of them (`items`), since the process started. */
  get made() {
    return this.gathering.made;
  }

  claim(scope: Scope, worker: WorkerRow, projectRef: string, goldDraw: number): Promise<Together> {
    return this.gathering.add(`${scope.organizationId}\u0000${scope.livemode}\u0000${projectRef}`, {
      scope,
      projectRef,
      workerId: worker.id,
      clearance: worker.clearance,
      assignmentId: newId(this.now()),
      goldDraw,
    });
  }

  private async run(asked: Asked[]): Promise<Together[]> {
    const { scope, projectRef } = asked[0]!;
    let made: ClaimTogether[];
    try {
      made = await claimAttemptsTogether(this.db, scope, {
        projectRef,
        asks: asked,
        now: this.now(),
        defaults: DEFAULT_SETTINGS,
      });
    } catch (error) {
      this.onError(error);
      return asked.map(() => ({ next: 'alone' }));
    }
    const byWorker = new Map(made.map((outcome) => [outcome.workerId, outcome]));
    return asked.map(({ workerId }) => {
      const outcome = byWorker.get(workerId);
      if (outcome?.claimed) {
        this.held.hold(outcome.claimed);
        return { claimed: outcome.claimed };
      }
      return { next: outcome?.passedOver ? 'alone' : 'decide' };
    });
  }
}
