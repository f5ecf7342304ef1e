import type { Scope } from '@quorum/core';
import type { ClaimedRow } from '../repositories/workforce';

/** What a submission needs of a claim this process made: who holds what, and the task shown. */
export type HeldClaim = Pick<
  ClaimedRow,
  | 'id'
  | 'organization_id'
  | 'livemode'
  | 'worker_id'
  | 'task_id'
  | 'project_id'
  | 'stage'
  | 'type'
  | 'params'
  | 'instruction'
  | 'project_name'
>;

/**
 * The attempts this process handed out together (`ClaimBatches`), kept until their submission
 * takes them, so that it need not read them back: a task's type and params do not change, and
 * whether the claim is still held, with its active time and the project's minimum, is for the
 * storing statement to find (`submitAttemptsTogether`). A claim submitted through another
 * process, released, or pushed out by newer ones (at most `most` are kept, oldest out first) is
 * simply read, as every submission was before.
 */
export class HeldClaims {
  private readonly held = new Map<string, HeldClaim>();

  constructor(private readonly most = 20_000) {}

  get size() {
    return this.held.size;
  }

  hold(claim: ClaimedRow) {
    if (this.held.size >= this.most) this.held.delete(this.held.keys().next().value!);
    this.held.set(claim.id, {
      id: claim.id,
      organization_id: claim.organization_id,
      livemode: claim.livemode,
      worker_id: claim.worker_id,
      task_id: claim.task_id,
      project_id: claim.project_id,
      stage: claim.stage,
      type: claim.type,
      params: claim.params,
      instruction: claim.instruction,
      project_name: claim.project_name,
    });
  }

  /** The worker's claim of the assignment in this organization and mode, no longer kept. */
  take(scope: Scope, id: string, workerId: string): HeldClaim | undefined {
    const claim = this.held.get(id);
    const theirs =
      claim?.worker_id === workerId &&
      claim.organization_id === scope.organizationId &&
      claim.livemode === scope.livemode;
    if (!theirs) return undefined;
    this.held.delete(id);
    return claim;
  }

  /** Forgets the worker's claim of the assignment, when it is kept. */
  drop(scope: Scope, id: string, workerId: string) {
    this.take(scope, id, workerId);
  }
}
