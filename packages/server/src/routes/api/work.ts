import { randomInt } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import {
  CLAIM_PATH,
  ClaimBody,
  ClaimResultSchema,
  DomainError,
  EarningsSchema,
  hasRole,
  IdParams,
  ReleaseBody,
  SubmitAssignmentBody,
  SubmitResultSchema,
  WorkerSchema,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { inTransaction } from '../../db/executor';
import type { AssignmentRow, WorkerRow } from '../../db/schema';
import type { Executor } from '../../db/executor';
import type { Scope } from '@quorum/core';
import { principalOf, workerOf } from '../../http/auth';
import { toErrorBody } from '../../http/errors';
import { findTask } from '../../repositories/tasks';
import { findAssignment, listTaskAssignments } from '../../repositories/workforce';
import type { Effects } from '../../services/effects';
import { ClaimBatches } from '../../services/claim-batches';
import { HeldClaims } from '../../services/held-claims';
import { SubmissionBatches } from '../../services/submission-batches';
import { earningsOf } from '../../services/work-reports';
import {
  claimDirectly,
  claimMadeSince,
  claimWork,
  type ClaimRequest,
  heartbeat,
  idempotencyOf,
  release,
  submitAssignment,
  submitDirectly,
  type SubmissionAsk,
  shownTaskId,
  visibleStage,
  type ShownTask,
} from '../../services/work';
import { presentWorker } from '../../services/workers';
import type { Api } from '../types';

/** A fair draw in [0, 1) for mixing gold into work (unpredictable to annotators). */
const draw = () => randomInt(2 ** 32) / 2 ** 32;

/** The attachments a task shows, from its params (`attachment` or `attachments`). */
function attachmentsOf(params: Record<string, unknown>) {
  if (Array.isArray(params.attachments))
    return params.attachments
      .filter((item): item is Record<string, unknown> => !!item && typeof item === 'object')
      .map((item) => ({ type: String(item.type ?? 'text'), content: String(item.content ?? '') }));
  if (typeof params.attachment === 'string')
    return [{ type: String(params.attachment_type ?? 'image'), content: params.attachment }];
  return [];
}

/** An assignment and its task as the worker sees them, without review material. */
function assignmentView(row: AssignmentRow, task: ShownTask) {
  const params = task.params as Record<string, unknown>;
  return {
    id: row.id,
    stage: visibleStage(row.stage),
    status: row.status,
    task: {
      id: shownTaskId(task.id, row.worker_id),
      type: task.type,
      project: task.project_name ?? '',
      instruction: task.instruction,
      params,
      attachments: attachmentsOf(params),
    },
    leaseExpiresAt: row.lease_expires_at.toISOString(),
    claimedAt: row.claimed_at.toISOString(),
    submittedAt: row.submitted_at ? row.submitted_at.toISOString() : null,
    activeSeconds: row.active_seconds,
  };
}

/**
 * An assignment as its worker sees it: the task without metadata, batch or anything else that
 * would tell gold from work; reviews and audits carry the attempts and the consensus.
 */
export async function presentAssignment(db: Executor, scope: Scope, row: AssignmentRow) {
  const task = (await findTask(db, scope, row.task_id))!;
  const out = assignmentView(row, task);
  const { stage } = out;
  if (stage !== 'review' && stage !== 'audit') return out;
  const consensus = (task.consensus ?? {}) as Record<string, unknown>;
  const attempts = (await listTaskAssignments(db, scope, task.id)).filter(
    (other) => other.stage === 'attempt' && other.status === 'submitted',
  );
  return {
    ...out,
    review: {
      consensus: {
        response: (consensus.response ?? {}) as Record<string, unknown>,
        method: String(consensus.method ?? ''),
        confidence: Number(consensus.confidence ?? 0),
      },
      attempts: attempts.map((attempt) => ({
        assignment: attempt.id,
        worker: attempt.worker_id,
        response: attempt.response ?? {},
      })),
      review:
        stage === 'audit' ? ((consensus.reviewed ?? null) as Record<string, unknown> | null) : null,
    },
  };
}

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe(
      'Retrying with the same key and response returns the first result instead of a ' +
        'conflict; the key sent again with another response is refused (422)',
    ),
});

/** The annotator's side: claim, heartbeat, submit, release, and their own earnings. */
export function workRoutes(api: Api, ctx: AppContext, effects: Effects) {
  const db = ctx.database.db;
  const worker = { access: 'worker' as const };
  // The batches outlive this call, so they read the context's clock each time, not its value now.
  const now = () => ctx.now();
  const submissions = new SubmissionBatches(ctx.database.gathered, now, (error) =>
    ctx.log.warn(
      { err: error },
      'a gathered submission statement failed; each takes the general path',
    ),
  );
  const held = new HeldClaims();
  const batches = new ClaimBatches(
    ctx.database.gathered,
    now,
    (error) => ctx.log.warn({ err: error }, 'claiming together failed; claiming one by one'),
    held,
  );

  /** The best task the worker is eligible for, claimed; undefined when there is none. */
  async function claim(scope: Scope, me: WorkerRow, request: ClaimRequest) {
    const now = ctx.now();
    // One draw decides gold for both paths, so falling back does not double its rate.
    const goldDraw = draw();
    const direct = await claimDirectly(db, batches, scope, me, request, now, goldDraw);
    if (direct) return assignmentView(direct, { ...direct, id: direct.task_id });
    return inTransaction(db, async (tx) => {
      const row = await claimWork(tx, scope, me, request, now, () => goldDraw);
      return row ? presentAssignment(tx, scope, row) : undefined;
    });
  }

  /**
   * The claim a submission asked for, made once it is stored: refusals are answered, not thrown,
   * since the submission stands. A retried submission (stored at `replayedSince`) answers the
   * claim its first request made.
   */
  async function claimNext(
    log: FastifyBaseLogger,
    scope: Scope,
    me: WorkerRow,
    request: ClaimRequest,
    replayedSince: Date | undefined,
  ) {
    try {
      const made =
        replayedSince && (await claimMadeSince(db, scope, me, request, replayedSince, ctx.now()));
      const assignment = made
        ? await presentAssignment(db, scope, made)
        : await claim(scope, me, request);
      return { assignment: assignment ?? null };
    } catch (error) {
      const { body, isInternal } = toErrorBody(error);
      if (isInternal) log.error({ err: error }, 'the claim after a stored submission failed');
      return { assignment: null, refused: body };
    }
  }

  /** Stores a submission: the answer's body, and when it was stored if this was a retry. */
  async function submit(ask: SubmissionAsk) {
    const direct = await submitDirectly(db, submissions, held, ask, effects);
    if ('assignment' in direct)
      return { body: { assignment: assignmentView(direct.assignment, direct.task) } };
    const result = await inTransaction(db, async (tx) => {
      const submission = await submitAssignment(tx, ask, effects, direct.context);
      const view = submission.task
        ? assignmentView(submission.assignment, submission.task)
        : await presentAssignment(tx, ask.scope, submission.assignment);
      return { ...submission, view };
    });
    // Late work is committed first, then reported.
    if (result.late) throw result.late;
    return {
      body: {
        assignment: result.view,
        ...(result.feedback ? { feedback: result.feedback } : {}),
      },
      replayedSince: result.replayed ? (result.assignment.submitted_at ?? undefined) : undefined,
    };
  }

  api.post(
    CLAIM_PATH,
    {
      config: worker,
      schema: {
        tags: ['work'],
        summary: 'Claim the best task you are eligible for',
        description:
          'Eligibility: skills, language, clearance and pool, qualification, never a task you ' +
          'already worked on or your own work to review; ordered by batch priority, deadline ' +
          'and age. Training and evaluation tasks come first while you qualify. 204 when ' +
          'nothing is eligible; 403 (saying why) when you are paused, unqualified or removed.',
        body: ClaimBody,
        response: { 200: ClaimResultSchema, 204: z.null().describe('Nothing is eligible') },
      },
    },
    async (request, reply) => {
      const assignment = await claim(principalOf(request), workerOf(request).worker, request.body);
      if (!assignment) return reply.status(204).send(null);
      return { assignment };
    },
  );

  api.get(
    '/api/v1/assignments/:id',
    {
      config: { access: 'member' },
      schema: {
        tags: ['work'],
        summary: 'An assignment',
        description:
          'A worker sees their own assignments as they were served. Operators and managers see ' +
          "any of the organization's, with the task's id, the name its worker sees for the task " +
          'and who holds it (to follow up what a worker reports).',
        params: IdParams,
        response: { 200: z.object({ assignment: ClaimResultSchema.shape.assignment }) },
      },
    },
    async (request) => {
      const scope = principalOf(request);
      const { caller } = scope;
      const row = await findAssignment(db, scope, request.params.id);
      const own = caller.kind === 'worker' && row?.worker_id === caller.worker.id;
      if (!row || (!own && caller.kind === 'worker' && !hasRole(caller.roles, 'manager')))
        throw new DomainError('not_found', `Assignment "${request.params.id}" was not found`);
      const shown = await presentAssignment(db, scope, row);
      if (own) return { assignment: shown };
      return {
        assignment: {
          ...shown,
          task: { ...shown.task, id: row.task_id },
          worker: row.worker_id,
          shownTaskId: shown.task.id,
        },
      };
    },
  );

  api.post(
    '/api/v1/assignments/:id/heartbeat',
    {
      config: worker,
      schema: {
        tags: ['work'],
        summary: 'Keep the claim: extends the lease and counts active time',
        params: IdParams,
        response: { 200: z.object({ leaseExpiresAt: z.string(), activeSeconds: z.number() }) },
      },
    },
    async (request) => {
      const scope = principalOf(request);
      const row = await inTransaction(db, (tx) =>
        heartbeat(tx, scope, workerOf(request).worker, request.params.id, ctx.now()),
      );
      return {
        leaseExpiresAt: row.lease_expires_at.toISOString(),
        activeSeconds: row.active_seconds,
      };
    },
  );

  api.post(
    '/api/v1/assignments/:id/submit',
    {
      config: worker,
      schema: {
        tags: ['work'],
        summary: 'Submit your response',
        description:
          'Idempotent under an Idempotency-Key header. 422 names the field when the response ' +
          'does not fit the task type. 409 when the lease expired and the task went to ' +
          'someone else: the work is kept, marked late, and not counted. Training tasks answer ' +
          'with your score and the expected response. With `next`, the answer also carries ' +
          'your next claim (or why there is none): submit and claim in one request.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: SubmitAssignmentBody,
        response: { 200: SubmitResultSchema },
      },
    },
    async (request) => {
      const scope = principalOf(request);
      const { worker: me } = workerOf(request);
      const { response, next } = request.body;
      const submitted = await submit({
        scope,
        worker: me,
        id: request.params.id,
        response,
        idempotency: idempotencyOf(request.headers['idempotency-key'], response),
        now: ctx.now(),
      });
      if (!next) return submitted.body;
      return {
        ...submitted.body,
        next: await claimNext(request.log, scope, me, next, submitted.replayedSince),
      };
    },
  );

  api.post(
    '/api/v1/assignments/:id/release',
    {
      config: worker,
      schema: {
        tags: ['work'],
        summary: 'Skip the task with a reason; it goes back to the queue for someone else',
        params: IdParams,
        body: ReleaseBody,
        response: { 200: z.object({ assignment: ClaimResultSchema.shape.assignment }) },
      },
    },
    async (request) => {
      const scope = principalOf(request);
      held.drop(scope, request.params.id, workerOf(request).worker.id);
      const assignment = await inTransaction(db, async (tx) =>
        presentAssignment(
          tx,
          scope,
          await release(
            tx,
            scope,
            workerOf(request).worker,
            request.params.id,
            request.body.reason,
            ctx.now(),
          ),
        ),
      );
      return { assignment };
    },
  );

  api.get(
    '/api/v1/me',
    {
      config: worker,
      schema: { tags: ['work'], summary: 'Who you are', response: { 200: WorkerSchema } },
    },
    async (request) => presentWorker(workerOf(request).worker),
  );

  api.get(
    '/api/v1/me/earnings',
    {
      config: worker,
      schema: {
        tags: ['work'],
        summary:
          'Your earnings, effective hourly rate and accuracy per project, with the rates applied',
        response: { 200: EarningsSchema },
      },
    },
    async (request) => earningsOf(db, principalOf(request), workerOf(request).worker.id),
  );
}
