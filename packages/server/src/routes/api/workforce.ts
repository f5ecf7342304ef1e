import { z } from 'zod';
import {
  DomainError,
  BatchPriorityBody,
  BatchWorkforceSchema,
  CreatedWorkerSchema,
  CreateWorkerBody,
  IdParams,
  MemberParams,
  MemberSchema,
  ReleaseListQuery,
  ReleaseSchema,
  PayoutQuery,
  ChangePasswordBody,
  ProjectParams,
  SessionSchema,
  SignInBody,
  UpdateMemberBody,
  UpdateWorkerBody,
  WorkerListQuery,
  WorkerSchema,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { inTransaction } from '../../db/executor';
import { principalOf, readSessionCookie, SESSION_COOKIE, workerOf } from '../../http/auth';
import { FailureThrottle } from '../../http/throttle';
import type { WorkerRow } from '../../db/schema';
import {
  batchReport,
  changeMember,
  listMembers,
  listReleases,
  payoutsCsv,
  setBatchOrder,
} from '../../services/work-reports';
import {
  changeOwnPassword,
  changeWorker,
  createWorker,
  csrfTokenFor,
  isSessionSecret,
  listWorkers,
  newWorkerToken,
  presentWorker,
  requireWorker,
  SESSION_DAYS,
  signIn,
  signOut,
} from '../../services/workers';
import type { Api } from '../types';

const manager = { access: 'manager' as const };

/** Failed sign-ins: ten per email, a hundred per address, in fifteen minutes. */
const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;

function sessionView(worker: WorkerRow, session: string | undefined, expiresAt: Date | null) {
  return {
    worker: { ...presentWorker(worker), password_change_required: worker.password_change_required },
    csrfToken: session ? csrfTokenFor(session) : null,
    expiresAt: expiresAt ? expiresAt.toISOString() : null,
  };
}
const BatchParams = z.object({ batch: z.string().min(1).max(200) });

/** Operators' side of the workforce: people, project standing, batches, payouts; sign-in. */
export function workforceRoutes(api: Api, ctx: AppContext) {
  const db = ctx.database.db;

  api.post(
    '/api/v1/workers',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary: 'Invite a worker; the response carries their personal token, once',
        description:
          'Managers invite annotators and reviewers, admins also managers, owners (and API ' +
          'keys) anyone. A password lets the worker sign in to the web app; the token works ' +
          'as `Authorization: Bearer`.',
        body: CreateWorkerBody,
        response: { 201: CreatedWorkerSchema },
      },
    },
    async (request, reply) => {
      const scope = principalOf(request);
      const { worker, token } = await inTransaction(db, (tx) =>
        createWorker(tx, scope, scope.caller, request.body, ctx.now()),
      );
      return reply.status(201).send({ ...presentWorker(worker), token });
    },
  );

  api.get(
    '/api/v1/workers',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary: 'Workers, by id (page with `after`)',
        querystring: WorkerListQuery,
        response: { 200: z.object({ docs: z.array(WorkerSchema), next: z.string().nullable() }) },
      },
    },
    async (request) => {
      const rows = await listWorkers(db, principalOf(request), request.query);
      return {
        docs: rows.map(presentWorker),
        next: rows.length === request.query.limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  api.get(
    '/api/v1/workers/:id',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary: 'One worker',
        params: IdParams,
        response: { 200: WorkerSchema },
      },
    },
    async (request) =>
      presentWorker(await requireWorker(db, principalOf(request), request.params.id)),
  );

  api.patch(
    '/api/v1/workers/:id',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary: "Change a worker's profile, roles or password, or remove them",
        description:
          'Removing a worker ends their web sessions and refuses their tokens (403) until they are reinstated; a new password ends their sessions.',
        params: IdParams,
        body: UpdateWorkerBody,
        response: { 200: WorkerSchema },
      },
    },
    async (request) => {
      const scope = principalOf(request);
      return presentWorker(
        await inTransaction(db, (tx) =>
          changeWorker(tx, scope, scope.caller, request.params.id, request.body, ctx.now()),
        ),
      );
    },
  );

  api.post(
    '/api/v1/workers/:id/tokens',
    {
      config: { access: 'member' },
      schema: {
        tags: ['workforce'],
        summary: 'A new personal token for a worker (managers, or the worker themself)',
        params: IdParams,
        response: { 201: z.object({ token: z.string() }) },
      },
    },
    async (request, reply) => {
      const scope = principalOf(request);
      const { caller } = scope;
      const token = await inTransaction(db, (tx) =>
        newWorkerToken(tx, scope, caller, request.params.id),
      );
      return reply.status(201).send({ token });
    },
  );

  const byEmail = new FailureThrottle(10, SIGN_IN_WINDOW_MS);
  const byAddress = new FailureThrottle(100, SIGN_IN_WINDOW_MS);
  api.post(
    '/api/v1/sessions',
    {
      config: { public: true },
      schema: {
        tags: ['workforce'],
        summary:
          'Sign in with email and password; sets an HttpOnly, SameSite=Strict session cookie',
        description:
          'Returns the CSRF token that writes signed in by this cookie must send as X-CSRF-Token. ' +
          'Repeated failures for one email or from one address are refused with 429 and Retry-After.',
        security: [],
        body: SignInBody,
        response: { 200: SessionSchema },
      },
    },
    async (request, reply) => {
      const now = ctx.now().getTime();
      const keys: Array<[FailureThrottle, string]> = [
        [byEmail, request.body.email],
        [byAddress, request.ip],
      ];
      const wait = Math.max(...keys.map(([throttle, key]) => throttle.retryAfter(key, now)));
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new DomainError(
          'rate_limited',
          `Too many failed sign-ins; try again in ${wait} seconds`,
        );
      }
      const signedIn = await inTransaction(db, (tx) => signIn(tx, request.body, ctx.now())).catch(
        (error: unknown) => {
          if (error instanceof DomainError && error.code === 'unauthorized')
            for (const [throttle, key] of keys) throttle.fail(key, now);
          throw error;
        },
      );
      byEmail.succeed(request.body.email);
      const { session, worker, expiresAt } = signedIn;
      const secure = ctx.config.publicUrl.startsWith('https:') ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_DAYS * 24 * 3600}${secure}`,
      );
      return sessionView(worker, session, expiresAt);
    },
  );

  api.get(
    '/api/v1/sessions/current',
    {
      config: { access: 'worker', beforePasswordChange: true },
      schema: {
        tags: ['workforce'],
        summary: 'Who is signed in, and the CSRF token for writes signed in by cookie',
        response: { 200: SessionSchema },
      },
    },
    async (request) => {
      const session = readSessionCookie(request.headers.cookie);
      const byCookie = !request.headers.authorization && session && isSessionSecret(session);
      return sessionView(workerOf(request).worker, byCookie ? session : undefined, null);
    },
  );

  api.delete(
    '/api/v1/sessions/current',
    {
      config: { access: 'worker', beforePasswordChange: true },
      schema: { tags: ['workforce'], summary: 'Sign out', response: { 204: z.null() } },
    },
    async (request, reply) => {
      const caller = workerOf(request);
      await signOut(db, caller.worker.id, caller.credentialId, ctx.now());
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
      );
      return reply.status(204).send(null);
    },
  );

  api.post(
    '/api/v1/me/password',
    {
      config: { access: 'worker', beforePasswordChange: true },
      schema: {
        tags: ['workforce'],
        summary: 'Choose a new password (needs the current one); ends your other web sessions',
        body: ChangePasswordBody,
        response: { 200: SessionSchema },
      },
    },
    async (request) => {
      const caller = workerOf(request);
      const worker = await inTransaction(db, (tx) =>
        changeOwnPassword(tx, principalOf(request), caller, request.body, ctx.now()),
      );
      const session = readSessionCookie(request.headers.cookie);
      const byCookie = !request.headers.authorization && session && isSessionSecret(session);
      return sessionView(worker, byCookie ? session : undefined, null);
    },
  );

  api.get(
    '/api/v1/projects/:project/workers',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary: "Workers' standing on a project: qualification, gold accuracy, pauses, pay rate",
        params: ProjectParams,
        response: { 200: z.object({ docs: z.array(MemberSchema) }) },
      },
    },
    async (request) => ({
      docs: await listMembers(db, principalOf(request), request.params.project),
    }),
  );

  api.get(
    '/api/v1/projects/:project/releases',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary:
          "Claims given back on a project, newest first (page with `after`): skips with the worker's reason, and what a pause or removal released",
        params: ProjectParams,
        querystring: ReleaseListQuery,
        response: { 200: z.object({ docs: z.array(ReleaseSchema), next: z.string().nullable() }) },
      },
    },
    async (request) =>
      listReleases(db, principalOf(request), request.params.project, request.query),
  );

  api.patch(
    '/api/v1/projects/:project/workers/:worker',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary: 'Reinstate, pause, remove or re-rate a worker on a project',
        params: MemberParams,
        body: UpdateMemberBody,
        response: { 200: MemberSchema },
      },
    },
    async (request) =>
      inTransaction(db, (tx) =>
        changeMember(
          tx,
          principalOf(request),
          request.params.project,
          request.params.worker,
          request.body,
          ctx.now(),
        ),
      ),
  );

  api.get(
    '/api/v1/batches/:batch/workforce',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary: "A batch's progress, cost, throughput and ETA",
        params: BatchParams,
        response: { 200: BatchWorkforceSchema },
      },
    },
    async (request) => batchReport(db, principalOf(request), request.params.batch, ctx.now()),
  );

  api.patch(
    '/api/v1/batches/:batch/queue',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary: "Set a batch's queue priority (higher first) and deadline (earlier first)",
        params: BatchParams,
        body: BatchPriorityBody,
        response: {
          200: z.object({
            batch: z.string(),
            priority: z.number(),
            deadline: z.string().nullable(),
          }),
        },
      },
    },
    async (request) =>
      inTransaction(db, (tx) =>
        setBatchOrder(tx, principalOf(request), request.params.batch, request.body),
      ),
  );

  api.get(
    '/api/v1/payouts.csv',
    {
      config: manager,
      schema: {
        tags: ['workforce'],
        summary: 'Payouts as CSV: per worker and currency, for pay settled in [from, to)',
        description:
          'Pay is settled when its task concludes, so each amount falls in exactly one window, ' +
          'whenever the work was submitted. Cells that a spreadsheet would run as formulas are ' +
          'prefixed with a quote.',
        querystring: PayoutQuery,
      },
    },
    async (request, reply) => {
      const csv = await payoutsCsv(db, principalOf(request), request.query);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="payouts.csv"')
        .send(csv);
    },
  );
}
