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
import { DEFAULT_SETTINGS } from './settings';

/** The most claims one statement makes. */
const MOST_PER_STATEMENT = 64;

/**
 * A claim made together, or where to go next: `alone` when the worker was passed over (the
 * one-worker direct claim walks past tasks they worked on) or the statement failed, `decide`
 * when the direct claim does not apply or the queue had nothing left for them.
 */
export type Together = { claimed: ClaimedRow } | { next: 'alone' | 'decide' };

interface Waiting {
  ask: ClaimAsk;
  done: (outcome: Together) => void;
}

interface Group {
  scope: Scope;
  projectRef: string;
  waiting: Waiting[];
  running: boolean;
}

/**
 * Direct claims on one project, gathered: while a statement claims for the workers who asked,
 * the next ones wait, and the next statement claims for all of them (`claimAttemptsTogether`),
 * so under load a process makes one statement for many claims instead of one each. A claim it
 * does not make says where the caller goes next (`Together`).
 */
export class ClaimBatches {
  private readonly groups = new Map<string, Group>();
  /** Statements run and claims asked of them, since the process started. */
  readonly made = { statements: 0, asked: 0 };

  constructor(
    private readonly db: Executor,
    private readonly now: () => Date,
    private readonly onError: (error: unknown) => void,
  ) {}

  claim(scope: Scope, worker: WorkerRow, projectRef: string, goldDraw: number): Promise<Together> {
    const key = `${scope.organizationId}\u0000${scope.livemode}\u0000${projectRef}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { scope, projectRef, waiting: [], running: false };
      this.groups.set(key, group);
    }
    const ask: ClaimAsk = {
      workerId: worker.id,
      clearance: worker.clearance,
      assignmentId: newId(this.now()),
      goldDraw,
    };
    const claimed = new Promise<Together>((done) => group.waiting.push({ ask, done }));
    if (!group.running) void this.drain(key, group);
    return claimed;
  }

  private async drain(key: string, group: Group) {
    group.running = true;
    while (group.waiting.length > 0) {
      // Each worker once per statement: a second claim of theirs waits for the next one.
      const batch: Waiting[] = [];
      const later: Waiting[] = [];
      const workers = new Set<string>();
      for (const waiting of group.waiting) {
        if (batch.length >= MOST_PER_STATEMENT || workers.has(waiting.ask.workerId))
          later.push(waiting);
        else {
          workers.add(waiting.ask.workerId);
          batch.push(waiting);
        }
      }
      group.waiting = later;
      this.made.statements += 1;
      this.made.asked += batch.length;
      let made: ClaimTogether[] | undefined;
      try {
        made = await claimAttemptsTogether(this.db, group.scope, {
          projectRef: group.projectRef,
          asks: batch.map((waiting) => waiting.ask),
          now: this.now(),
          defaults: {
            maxOpenClaims: DEFAULT_SETTINGS.maxOpenClaims,
            leaseSeconds: DEFAULT_SETTINGS.leaseSeconds,
          },
        });
      } catch (error) {
        this.onError(error);
      }
      const byWorker = new Map(made?.map((outcome) => [outcome.workerId, outcome]));
      for (const waiting of batch) {
        const outcome = byWorker.get(waiting.ask.workerId);
        waiting.done(
          outcome?.claimed
            ? { claimed: outcome.claimed }
            : { next: !made || outcome?.passedOver ? 'alone' : 'decide' },
        );
      }
    }
    group.running = false;
    this.groups.delete(key);
  }
}
