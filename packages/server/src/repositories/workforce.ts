import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { Scope, WorkerRole } from '@quorum/core';
import type { Executor } from '../db/executor';
import type {
  AssignmentRow,
  AssignmentsTable,
  MemberStatus,
  ProjectMemberRow,
  TaskAnswerRow,
  TaskRow,
  WorkStage,
  WorkerRow,
  WorkersTable,
} from '../db/schema';
import type { Insertable, Updateable } from 'kysely';
import { listAnswersOfTask } from './answers';
import { tenant } from './tenant';

/** Tokens and session ids are long random strings: SHA-256 is enough to store them. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Workers and their credentials

export async function insertWorker(
  db: Executor,
  scope: Scope,
  row: Omit<Insertable<WorkersTable>, 'organization_id' | 'livemode'>,
): Promise<WorkerRow | undefined> {
  return db
    .insertInto('workers')
    .values({ ...tenant(scope), ...row })
    .onConflict((oc) => oc.columns(['organization_id', 'livemode', 'email']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findWorker(db: Executor, scope: Scope, id: string) {
  return db
    .selectFrom('workers')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findWorkersByIds(db: Executor, scope: Scope, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('workers')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', 'in', ids)
    .execute();
}

export async function listWorkers(
  db: Executor,
  scope: Scope,
  query: { role?: string; pool?: string; status?: string; limit: number; after?: string },
) {
  let q = db
    .selectFrom('workers')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)));
  if (query.role) q = q.where(sql<boolean>`${query.role} = any(roles)`);
  if (query.pool) q = q.where('pool', '=', query.pool as WorkerRow['pool']);
  if (query.status) q = q.where('status', '=', query.status as WorkerRow['status']);
  if (query.after) q = q.where('id', '>', query.after);
  return q.orderBy('id').limit(query.limit).execute();
}

export async function updateWorker(
  db: Executor,
  scope: Scope,
  id: string,
  change: Updateable<WorkersTable>,
) {
  return db
    .updateTable('workers')
    .set(change)
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Whether the organization has an active owner. */
export async function hasOwner(db: Executor, scope: Scope): Promise<boolean> {
  const row = await db
    .selectFrom('workers')
    .select('id')
    .where((eb) => eb.and(tenant(scope)))
    .where('status', '=', 'active')
    .where(sql<boolean>`roles @> array['owner']::text[]`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives the worker with this email the owner role (and reinstates them). */
export async function promoteToOwner(db: Executor, scope: Scope, email: string, now: Date) {
  await db
    .updateTable('workers')
    .set({
      roles: sql<WorkerRole[]>`array(select distinct unnest(roles || array['owner']::text[]))`,
      status: 'active',
      updated_at: now,
    })
    .where((eb) => eb.and(tenant(scope)))
    .where('email', '=', email)
    .execute();
}

/** Workers with this email in any organization (sign-in finds the tenant this way). */
export async function findWorkersByEmail(db: Executor, email: string) {
  return db
    .selectFrom('workers')
    .innerJoin('organizations', 'organizations.id', 'workers.organization_id')
    .selectAll('workers')
    .select('organizations.name as organization_name')
    .where('workers.email', '=', email)
    .where('workers.status', '=', 'active')
    .execute();
}

export async function insertCredential(
  db: Executor,
  row: {
    id: string;
    workerId: string;
    kind: 'token' | 'session';
    secret: string;
    expiresAt?: Date;
  },
) {
  await db
    .insertInto('worker_credentials')
    .values({
      id: row.id,
      worker_id: row.workerId,
      kind: row.kind,
      secret_hash: hashSecret(row.secret),
      expires_at: row.expiresAt ?? null,
    })
    .execute();
}

/** The worker a live credential belongs to. Unscoped on purpose: this is how a scope is found. */
export async function findWorkerByCredential(
  db: Executor,
  secretHash: string,
  now: Date,
): Promise<
  (WorkerRow & { credential_id: string; credential_expires_at: Date | null }) | undefined
> {
  return db
    .selectFrom('worker_credentials')
    .innerJoin('workers', 'workers.id', 'worker_credentials.worker_id')
    .selectAll('workers')
    .select([
      'worker_credentials.id as credential_id',
      'worker_credentials.expires_at as credential_expires_at',
    ])
    .where('worker_credentials.secret_hash', '=', secretHash)
    .where('worker_credentials.revoked_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('worker_credentials.expires_at', 'is', null),
        eb('worker_credentials.expires_at', '>', now),
      ]),
    )
    .executeTakeFirst();
}

export async function revokeCredentials(
  db: Executor,
  workerId: string,
  now: Date,
  only?: { id?: string; kind?: 'token' | 'session'; except?: string },
) {
  let q = db
    .updateTable('worker_credentials')
    .set({ revoked_at: now })
    .where('worker_id', '=', workerId)
    .where('revoked_at', 'is', null);
  if (only?.id) q = q.where('id', '=', only.id);
  if (only?.kind) q = q.where('kind', '=', only.kind);
  if (only?.except) q = q.where('id', '<>', only.except);
  await q.execute();
}

// ---------------------------------------------------------------------------------------------
// Project members

/** The worker's standing on the project, locked; created with `initial()` when absent. */
export async function lockMember(
  db: Executor,
  scope: Scope,
  projectId: string,
  workerId: string,
  initial: () => Promise<MemberStatus> | MemberStatus,
): Promise<ProjectMemberRow> {
  const select = () =>
    db
      .selectFrom('project_members')
      .selectAll()
      .where((eb) => eb.and(tenant(scope)))
      .where('project_id', '=', projectId)
      .where('worker_id', '=', workerId)
      .forUpdate()
      .executeTakeFirst();
  const found = await select();
  if (found) return found;
  await db
    .insertInto('project_members')
    .values({
      ...tenant(scope),
      project_id: projectId,
      worker_id: workerId,
      status: await initial(),
    })
    .onConflict((oc) => oc.columns(['project_id', 'worker_id']).doNothing())
    .execute();
  return (await select())!;
}

export async function findMembers(
  db: Executor,
  scope: Scope,
  projectId: string,
  workerIds?: string[],
) {
  let q = db
    .selectFrom('project_members')
    .innerJoin('workers', 'workers.id', 'project_members.worker_id')
    .selectAll('project_members')
    .select(['workers.email as email', 'workers.name as name'])
    .where('project_members.organization_id', '=', scope.organizationId)
    .where('project_members.livemode', '=', scope.livemode)
    .where('project_members.project_id', '=', projectId);
  if (workerIds) {
    if (workerIds.length === 0) return [];
    q = q.where('project_members.worker_id', 'in', workerIds);
  }
  return q.orderBy('workers.email').execute();
}

export async function findMembershipsOfWorker(db: Executor, scope: Scope, workerId: string) {
  return db
    .selectFrom('project_members')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('worker_id', '=', workerId)
    .execute();
}

export async function updateMember(
  db: Executor,
  scope: Scope,
  projectId: string,
  workerId: string,
  change: Updateable<ProjectMemberRow>,
) {
  return db
    .updateTable('project_members')
    .set(change)
    .where((eb) => eb.and(tenant(scope)))
    .where('project_id', '=', projectId)
    .where('worker_id', '=', workerId)
    .returningAll()
    .executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// The queue

/**
 * The insert that puts pending work tasks read from `source` (a table or a CTE with the tasks'
 * columns, as `t`) on the queue for their first stage, with as many claims as the project's
 * `consensus.min` (`defaultMin` when the project sets none). Tasks of a staging batch wait for its
 * finalization.
 */
export function queueTasksFrom(
  source: RawBuilder<unknown>,
  where: RawBuilder<unknown>,
  defaultMin: number,
) {
  return sql`
    insert into work_items
      (task_id, stage, organization_id, livemode, project_id, batch_id, open_slots, priority, deadline, seq)
    select t.id, 'attempt', t.organization_id, t.livemode, t.project_id, t.batch_id,
      greatest(1, ${minimumOf('p', defaultMin)}),
      coalesce(b.priority, 0), b.deadline, t.seq
    from ${source} t
    join projects p on p.id = t.project_id
    left join batches b on b.id = t.batch_id
    where ${where} and t.kind = 'task' and t.status = 'pending'
      and (b.id is null or b.status <> 'staging')
    on conflict do nothing
  `;
}

/** Queues a finalized batch's pending tasks (`defaultMin` as in `queueTasksFrom`). */
export async function enqueueBatch(
  db: Executor,
  scope: Scope,
  batchId: string,
  defaultMin: number,
): Promise<void> {
  await queueTasksFrom(
    sql`tasks`,
    sql`t.batch_id = ${batchId} and t.organization_id = ${scope.organizationId}
      and t.livemode = ${scope.livemode}`,
    defaultMin,
  ).execute(db);
}

/** Opens `slots` more claims on a task's stage (creating the item when needed). */
export async function openSlots(
  db: Executor,
  task: {
    id: string;
    organization_id: string;
    livemode: boolean;
    project_id: string;
    batch_id: string | null;
    seq: number;
  },
  stage: WorkStage,
  slots: number,
): Promise<void> {
  await sql`
    insert into work_items
      (task_id, stage, organization_id, livemode, project_id, batch_id, open_slots, priority, deadline, seq)
    select ${task.id}, ${stage}, ${task.organization_id}, ${task.livemode}, ${task.project_id},
      ${task.batch_id}, ${slots}, coalesce(b.priority, 0), b.deadline, ${task.seq}
    from (select 1) one
    left join batches b on b.id = ${task.batch_id}
    on conflict (task_id, stage) do update set open_slots = work_items.open_slots + excluded.open_slots
  `.execute(db);
}

/** Gives a claim back to a task's stage, if the stage is still being worked on. */
export async function returnSlot(db: Executor, taskId: string, stage: WorkStage): Promise<void> {
  await db
    .updateTable('work_items')
    .set((eb) => ({ open_slots: eb('open_slots', '+', 1) }))
    .where('task_id', '=', taskId)
    .where('stage', '=', stage)
    .execute();
}

/** Takes one open claim of a task's stage back, if there is one (a lapsed worker resuming). */
export async function retakeSlot(db: Executor, taskId: string, stage: WorkStage): Promise<boolean> {
  const row = await db
    .updateTable('work_items')
    .set((eb) => ({ open_slots: eb('open_slots', '-', 1) }))
    .where('task_id', '=', taskId)
    .where('stage', '=', stage)
    .where('open_slots', '>', 0)
    .returning('task_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function countOpenSlots(db: Executor, taskId: string, stage: WorkStage) {
  const row = await db
    .selectFrom('work_items')
    .select('open_slots')
    .where('task_id', '=', taskId)
    .where('stage', '=', stage)
    .executeTakeFirst();
  return row?.open_slots ?? 0;
}

export async function deleteWorkItems(db: Executor, taskId: string, stage?: WorkStage) {
  let q = db.deleteFrom('work_items').where('task_id', '=', taskId);
  if (stage) q = q.where('stage', '=', stage);
  await q.execute();
}

export async function setBatchQueueOrder(
  db: Executor,
  scope: Scope,
  batchId: string,
  order: { priority: number; deadline: Date | null },
) {
  await db
    .updateTable('batches')
    .set(order)
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', batchId)
    .execute();
  await db
    .updateTable('work_items')
    .set({ priority: order.priority, deadline: order.deadline })
    .where((eb) => eb.and(tenant(scope)))
    .where('batch_id', '=', batchId)
    .execute();
}

/** The queue's order over the queue item `item`: batch priority, then deadline, then age. */
function queueOrder(item: string) {
  const column = (name: string) => sql.ref(`${item}.${name}`);
  return sql`${column('priority')} desc, ${column('deadline')} asc nulls last, ${column('seq')}`;
}

/**
 * Claims the best open item of `stage` the worker has not worked on: highest batch priority,
 * then earliest deadline, then oldest. Rows other claims hold are skipped, not waited for.
 */
export async function claimWorkItem(
  db: Executor,
  scope: Scope,
  input: { projectIds: string[]; workerId: string; stage: WorkStage },
): Promise<{ task_id: string; project_id: string; batch_id: string | null } | undefined> {
  if (input.projectIds.length === 0) return undefined;
  const where =
    input.projectIds.length === 1
      ? sql`c.project_id = ${input.projectIds[0]}`
      : sql`c.project_id = any(${input.projectIds}::text[])`;
  const result = await sql<{ task_id: string; project_id: string; batch_id: string | null }>`
    update work_items w set open_slots = w.open_slots - 1
    from (
      select c.task_id, c.stage from work_items c
      where ${where}
        and c.organization_id = ${scope.organizationId} and c.livemode = ${scope.livemode}
        and c.stage = ${input.stage} and c.open_slots > 0
        and not exists (
          select 1 from assignments a where a.task_id = c.task_id and a.worker_id = ${input.workerId}
        )
      order by ${queueOrder('c')}
      limit 1
      for update skip locked
    ) pick
    where w.task_id = pick.task_id and w.stage = pick.stage and w.open_slots > 0
    returning w.task_id, w.project_id, w.batch_id
  `.execute(db);
  return result.rows[0];
}

/** The worker's next training or evaluation task (`QualityPick`), if any is left. */
export async function pickQualityTask(
  db: Executor,
  scope: Scope,
  input: { projectId: string; workerId: string; kind: 'evaluation' | 'training'; random: boolean },
): Promise<QualityPick | undefined> {
  const result = await sql<{ id: string; assignment_id: string | null }>`
    select t.id, a.id as assignment_id from tasks t
    left join assignments a on a.task_id = t.id and a.worker_id = ${input.workerId}
    where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
      and t.project_id = ${input.projectId} and t.kind = ${input.kind} and t.status <> 'canceled'
      and (a.id is null or a.status in ('released', 'expired'))
    order by a.id is not null, ${input.random ? sql`random()` : sql`t.seq`}
    limit 1
  `.execute(db);
  const row = result.rows[0];
  return row && { taskId: row.id, reopen: row.assignment_id };
}

/**
 * A training or evaluation task for a worker: one they have not had first, then one they had and
 * gave back or let lapse (its assignment, `reopen`, is claimed again: these are finished only by
 * submitting them).
 */
export interface QualityPick {
  taskId: string;
  reopen: string | null;
}

/** Whether the project's queue has an attempt open that the worker has not worked on. */
export async function hasOpenAttempt(
  db: Executor,
  scope: Scope,
  projectId: string,
  workerId: string,
): Promise<boolean> {
  const result = await sql<{ task_id: string }>`
    select w.task_id from work_items w
    where w.project_id = ${projectId} and w.stage = 'attempt' and w.open_slots > 0
      and w.organization_id = ${scope.organizationId} and w.livemode = ${scope.livemode}
      and not exists (
        select 1 from assignments a where a.task_id = w.task_id and a.worker_id = ${workerId}
      )
    limit 1
  `.execute(db);
  return result.rows.length > 0;
}

/** Whether a training task of the project waits for the worker's answer (held ones included). */
export async function hasTrainingToFinish(
  db: Executor,
  scope: Scope,
  projectId: string,
  workerId: string,
): Promise<boolean> {
  const result = await sql<{ id: string }>`
    select t.id from tasks t
    where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
      and t.project_id = ${projectId} and t.kind = 'training' and t.status <> 'canceled'
      and not exists (
        select 1 from assignments a
        where a.task_id = t.id and a.worker_id = ${workerId} and a.status in ('submitted', 'late')
      )
    limit 1
  `.execute(db);
  return result.rows.length > 0;
}

/** Whether the project has any training task. */
export async function hasTrainingTasks(db: Executor, scope: Scope, projectId: string) {
  const row = await db
    .selectFrom('tasks')
    .select('id')
    .where((eb) => eb.and(tenant(scope)))
    .where('project_id', '=', projectId)
    .where('kind', '=', 'training')
    .where('status', '<>', 'canceled')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Assignments

export async function insertAssignment(
  db: Executor,
  scope: Scope,
  row: Omit<Insertable<AssignmentsTable>, 'organization_id' | 'livemode'>,
): Promise<AssignmentRow> {
  return db
    .insertInto('assignments')
    .values({ ...tenant(scope), ...row })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The worker's own assignment, locked; another worker's is simply not found. */
export async function lockAssignment(db: Executor, scope: Scope, id: string, workerId: string) {
  return db
    .selectFrom('assignments')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .where('worker_id', '=', workerId)
    .forUpdate()
    .executeTakeFirst();
}

/** An assignment of the organization; only `workerId`'s when given. */
export async function findAssignment(db: Executor, scope: Scope, id: string, workerId?: string) {
  return db
    .selectFrom('assignments')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .$if(workerId !== undefined, (query) => query.where('worker_id', '=', workerId!))
    .executeTakeFirst();
}

export async function updateAssignment(
  db: Executor,
  id: string,
  change: Updateable<AssignmentsTable>,
): Promise<AssignmentRow> {
  return db
    .updateTable('assignments')
    .set(change)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Submitted queue-stage work on a task, with what its workers' pay depends on. */
export async function listSettlements(db: Executor, scope: Scope, taskId: string) {
  return db
    .selectFrom('assignments')
    .leftJoin('project_members', (join) =>
      join
        .onRef('project_members.project_id', '=', 'assignments.project_id')
        .onRef('project_members.worker_id', '=', 'assignments.worker_id'),
    )
    .select([
      'assignments.id',
      'assignments.stage',
      'assignments.response',
      'project_members.gold_answers',
      'project_members.gold_score',
      'project_members.pay_rate',
    ])
    .where('assignments.organization_id', '=', scope.organizationId)
    .where('assignments.livemode', '=', scope.livemode)
    .where('assignments.task_id', '=', taskId)
    .where('assignments.status', '=', 'submitted')
    .where('assignments.stage', 'in', ['attempt', 'review', 'audit'])
    .execute();
}

/** One submitted piece of work on a task with what its worker's pay depends on. */
export type Settlement = Awaited<ReturnType<typeof listSettlements>>[number];

/** The outcome and pay written for one assignment when its task completes. */
export interface SettledPay {
  id: string;
  outcome: string | null;
  base: number;
  bonus: number;
  currency: string;
}

/**
 * The statement writing outcomes and pay for one or more assignments (`a`), only where `when`
 * holds, as part of the statement that completes their tasks (`updateTask`, `concludeAttempts`).
 */
export function settledPay(
  rows: readonly SettledPay[],
  at: Date,
  when: RawBuilder<unknown> = sql`true`,
): RawBuilder<Record<string, unknown>> {
  // Arrays rather than a list of rows: one statement text for any number of rows, so that a
  // prepared statement serves them all.
  return sql`
    update assignments a
    set outcome = coalesce(v.outcome, a.outcome), pay_base = v.base, pay_bonus = v.bonus,
      currency = v.currency, settled_at = ${at}
    from unnest(
      ${rows.map((row) => row.id)}::text[],
      ${rows.map((row) => row.outcome)}::text[],
      ${rows.map((row) => row.base)}::int[],
      ${rows.map((row) => row.bonus)}::int[],
      ${rows.map((row) => row.currency)}::text[]
    ) as v(id, outcome, base, bonus, currency)
    where a.id = v.id and ${when}
  `;
}

/** Open (leased, unexpired) claims of the worker per project. */
export async function countOpenClaims(db: Executor, scope: Scope, workerId: string, now: Date) {
  const rows = await db
    .selectFrom('assignments')
    .select(['project_id', (eb) => eb.fn.countAll<number>().as('open')])
    .where((eb) => eb.and(tenant(scope)))
    .where('worker_id', '=', workerId)
    .where('status', '=', 'active')
    .where('lease_expires_at', '>', now)
    .groupBy('project_id')
    .execute();
  return new Map(rows.map((row) => [row.project_id, Number(row.open)]));
}

/** A worker's claims made since a moment and still held, oldest first. */
export async function listClaimsSince(
  db: Executor,
  scope: Scope,
  workerId: string,
  since: Date,
  now: Date,
) {
  return db
    .selectFrom('assignments')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('worker_id', '=', workerId)
    .where('claimed_at', '>=', since)
    .where('status', '=', 'active')
    .where('lease_expires_at', '>', now)
    .orderBy('claimed_at')
    .orderBy('id')
    .execute();
}

export async function listTaskAssignments(db: Executor, scope: Scope, taskId: string) {
  return db
    .selectFrom('assignments')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('task_id', '=', taskId)
    .orderBy('claimed_at')
    .orderBy('id')
    .execute();
}

/** Active claims of a task's stage that are still within their lease. */
export async function countActiveClaims(db: Executor, taskId: string, stage: WorkStage, now: Date) {
  const row = await db
    .selectFrom('assignments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('task_id', '=', taskId)
    .where('stage', '=', stage)
    .where('status', '=', 'active')
    .where('lease_expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Ends lapsed leases (up to `limit`, skipping rows someone holds) and returns their claims to
 * the queue. Runs for every tenant: it is the platform's housekeeping.
 */
export async function expireLeases(db: Executor, now: Date, limit = 500): Promise<number> {
  const expired = await sql<{ task_id: string; stage: string }>`
    update assignments a set status = 'expired'
    from (
      select id from assignments
      where status = 'active' and lease_expires_at <= ${now}
      order by lease_expires_at
      limit ${limit}
      for update skip locked
    ) lapsed
    where a.id = lapsed.id
    returning a.task_id, a.stage
  `.execute(db);
  const returned = new Map<string, { taskId: string; stage: string; n: number }>();
  for (const { task_id, stage } of expired.rows) {
    if (stage !== 'attempt' && stage !== 'review' && stage !== 'audit') continue;
    const key = `${task_id}\u0000${stage}`;
    const entry = returned.get(key) ?? { taskId: task_id, stage, n: 0 };
    entry.n++;
    returned.set(key, entry);
  }
  for (const { taskId, stage, n } of returned.values()) {
    await db
      .updateTable('work_items')
      .set((eb) => ({ open_slots: eb('open_slots', '+', n) }))
      .where('task_id', '=', taskId)
      .where('stage', '=', stage as WorkStage)
      .execute();
  }
  return expired.rows.length;
}

/**
 * Releases a worker's claims still held (on one project, or everywhere) with a reason, and
 * returns their queue claims to the queue, each once: a lapsed lease the sweeper has not reached
 * is still held, and the sweeper passes over what is released. Training and evaluation claims
 * are released only with `allStages`.
 */
export async function releaseOpenClaims(
  db: Executor,
  scope: Scope,
  input: { workerId: string; projectId?: string; reason: string; allStages: boolean; now: Date },
): Promise<void> {
  await sql`
    with released as (
      update assignments a
      set status = 'released', release_reason = ${input.reason}, released_at = ${input.now}
      where a.worker_id = ${input.workerId} and a.status = 'active'
        and a.organization_id = ${scope.organizationId} and a.livemode = ${scope.livemode}
        ${input.projectId === undefined ? sql`` : sql`and a.project_id = ${input.projectId}`}
        ${input.allStages ? sql`` : sql`and a.stage not in ('training', 'evaluation')`}
      returning a.task_id, a.stage
    ),
    returned as (
      update work_items w set open_slots = w.open_slots + r.n
      from (
        select task_id, stage, count(*)::int as n from released
        where stage in ('attempt', 'review', 'audit')
        group by task_id, stage
      ) r
      where w.task_id = r.task_id and w.stage = r.stage
    )
    select 1
  `.execute(db);
}

/** A queue item with no claim open and nobody holding one, locked with its task. */
export interface DrainedWorkItem {
  task_id: string;
  stage: WorkStage;
  answer_count: number;
  /** The project's settings. */
  settings: Record<string, unknown>;
}

/** That nobody holds a claim on the queue item `w`. */
const nobodyHolds = sql`not exists (
  select 1 from assignments a
  where a.task_id = w.task_id and a.stage = w.stage and a.status = 'active'
)`;

/**
 * Queue items of pending tasks that have no claim open and nobody holding one (up to `limit`),
 * each locked with its task; an item or task that a claim or a submission holds is skipped, not
 * waited for. What is locked cannot change until the caller's transaction ends.
 */
export async function lockDrainedWorkItems(
  db: Executor,
  limit: number,
): Promise<DrainedWorkItem[]> {
  const result = await sql<DrainedWorkItem>`
    select w.task_id, w.stage, t.answer_count, p.settings
    from work_items w
    join tasks t on t.id = w.task_id
    join projects p on p.id = w.project_id
    where w.open_slots = 0 and t.status = 'pending'
      and ${nobodyHolds}
    limit ${limit}
    for update of w, t skip locked
  `.execute(db);
  return result.rows;
}

/**
 * Opens `slots` claims on each locked item that still has none open and nobody holding one,
 * read afresh (a claim that committed before the lock was taken counts). Returns what it opened.
 */
export async function reopenWorkItems(
  db: Executor,
  items: ReadonlyArray<{ task_id: string; stage: WorkStage; slots: number }>,
): Promise<Array<{ task_id: string; stage: WorkStage; open_slots: number }>> {
  const owed = items.filter((item) => item.slots > 0);
  if (owed.length === 0) return [];
  const result = await sql<{ task_id: string; stage: WorkStage; open_slots: number }>`
    update work_items w set open_slots = v.slots
    from unnest(
      ${owed.map((item) => item.task_id)}::text[],
      ${owed.map((item) => item.stage)}::text[],
      ${owed.map((item) => item.slots)}::int[]
    ) as v(task_id, stage, slots)
    where w.task_id = v.task_id and w.stage = v.stage and w.open_slots = 0
      and ${nobodyHolds}
    returning w.task_id, w.stage, w.open_slots
  `.execute(db);
  return result.rows;
}

/** What applies to a direct claim where the project's settings say nothing. */
interface ClaimDefaults {
  maxOpenClaims: number;
  leaseSeconds: number;
}

/**
 * The project a direct claim names (by name, else by id), when it has no requirements beyond
 * clearance: the body of the direct claims' `eligible`.
 */
function directProject(scope: Scope, ref: string) {
  return sql`
    select p.* from (
      select id, name, settings from projects
      where organization_id = ${scope.organizationId} and livemode = ${scope.livemode}
        and (name = ${ref} or id = ${ref})
      order by (name = ${ref}) desc
      limit 1
    ) p
    where coalesce(p.settings -> 'requirements' -> 'skills', '{}') = '{}'
      and coalesce(p.settings -> 'requirements' -> 'languages', '[]') = '[]'
      and coalesce(p.settings -> 'requirements' -> 'pools', '[]') = '[]'`;
}

/**
 * Whether a worker may take a direct claim on `project` (a row of `directProject`): cleared for
 * it, an active member, with no gold due by their draw, and under the open-claim cap.
 */
function mayClaimDirectly(
  project: string,
  worker: { id: RawBuilder<unknown>; clearance: RawBuilder<unknown>; draw: RawBuilder<unknown> },
  now: Date,
  defaults: ClaimDefaults,
) {
  const id = sql.ref(`${project}.id`);
  const settings = sql.ref(`${project}.settings`);
  return sql`coalesce((${settings} ->> 'clearance')::int, 0) <= ${worker.clearance}
    and ${worker.draw} >= coalesce((${settings} -> 'gold' ->> 'rate')::float8, 0)
    and exists (
      select 1 from project_members m
      where m.project_id = ${id} and m.worker_id = ${worker.id} and m.status = 'active'
    )
    and (
      select count(*) from assignments a
      where a.worker_id = ${worker.id} and a.project_id = ${id}
        and a.status = 'active' and a.lease_expires_at > ${now}
    ) < coalesce((${settings} ->> 'maxOpenClaims')::int, ${defaults.maxOpenClaims})`;
}

/** When a direct claim made `now` on `project` lapses. */
function leaseFrom(project: string, now: Date, defaults: ClaimDefaults) {
  const settings = sql.ref(`${project}.settings`);
  return sql`${now}::timestamptz + make_interval(secs => coalesce((${settings} ->> 'leaseSeconds')::int, ${defaults.leaseSeconds}))`;
}

/** An assignment with what its worker is shown of the task. */
export type ClaimedRow = AssignmentRow & {
  type: string;
  params: Record<string, unknown>;
  instruction: string | null;
  project_name: string;
  consensus: Record<string, unknown> | null;
};

/**
 * The common claim in one statement: an active member of a project with no requirements beyond
 * the worker's clearance, under their open-claim cap, takes the best attempt the way
 * `claimWorkItem` picks it, and the assignment is written. Returns nothing when any of that does
 * not hold; the caller then takes the general path, which also says why.
 */
export async function claimAttemptDirectly(
  db: Executor,
  scope: Scope,
  input: {
    projectRef: string;
    workerId: string;
    clearance: number;
    assignmentId: string;
    now: Date;
    /** The draw for gold: the direct path serves no gold, so it stands aside when gold is due. */
    goldDraw: number;
    /** What applies where the project's settings say nothing. */
    defaults: ClaimDefaults;
  },
): Promise<ClaimedRow | undefined> {
  const { workerId, now } = input;
  // `allowed` is settled first (materialized), so the pick walks the queue index in order and
  // stops at the first row it may take.
  const result = await sql<ClaimedRow>`
    with allowed as materialized (
      select eligible.* from (${directProject(scope, input.projectRef)}) eligible
      where ${mayClaimDirectly(
        'eligible',
        { id: sql`${workerId}`, clearance: sql`${input.clearance}`, draw: sql`${input.goldDraw}` },
        now,
        input.defaults,
      )}
    ),
    pick as (
      select c.task_id, c.stage from work_items c
      where c.project_id = (select id from allowed) and c.stage = 'attempt' and c.open_slots > 0
        and not exists (
          select 1 from assignments a where a.task_id = c.task_id and a.worker_id = ${workerId}
        )
      order by ${queueOrder('c')}
      limit 1
      for update of c skip locked
    ),
    taken as (
      update work_items w set open_slots = w.open_slots - 1
      from pick
      where w.task_id = pick.task_id and w.stage = pick.stage and w.open_slots > 0
      returning w.task_id, w.project_id, w.batch_id
    ),
    assigned as (
      insert into assignments (id, organization_id, livemode, task_id, project_id, batch_id,
        worker_id, stage, status, claimed_at, lease_expires_at, last_seen_at)
      select ${input.assignmentId}, ${scope.organizationId}, ${scope.livemode}, taken.task_id,
        taken.project_id, taken.batch_id, ${workerId}, 'attempt', 'active', ${now},
        ${leaseFrom('allowed', now, input.defaults)}, ${now}
      from taken, allowed
      returning *
    )
    select assigned.*, t.type, t.params, t.instruction, t.consensus, allowed.name as project_name
    from assigned join tasks t on t.id = assigned.task_id, allowed
  `.execute(db);
  return result.rows[0];
}

/** What a submission needs to know of its assignment, task and project, read without locks. */
export type SubmissionContext = AssignmentRow & {
  type: string;
  params: Record<string, unknown>;
  instruction: string | null;
  task_status: string;
  /** Whether the task's attempts have a consensus already. */
  concluded: boolean;
  answer_count: number;
  project_name: string;
  batch_name: string | null;
  settings: Record<string, unknown> | null;
  callback_url: string | null;
  /**
   * What deciding the task needs, read only when the attempt's answer takes the task to its
   * minimum by the read's answer count and project settings (`consensus.min`, else
   * `defaultMin`): the task's answers, oldest first, and its submitted queue-stage work
   * (`listSettlements`) with this assignment as it stood when read. Absent otherwise: an answer
   * that leaves the task short of its minimum is stored without them.
   */
  decision?: { answers: TaskAnswerRow[]; settlements: Settlement[] };
};

/** The `consensus.min` of the project row `project`, or `defaultMin` when its settings name none. */
function minimumOf(project: string, defaultMin: number) {
  return sql`coalesce((${sql.ref(`${project}.settings`)} -> 'consensus' ->> 'min')::int, ${defaultMin}::int)`;
}

/** A task's answers as one JSON list, oldest first, of the rows `answers` gives. */
function answersJson(answers: RawBuilder<unknown>) {
  return sql`(select coalesce(json_agg(x order by x.created_at, x.id), '[]') from (${answers}) x)`;
}

/** Answers as `answersJson` gives them, their times read back as dates. */
type AnswersJson = Array<Omit<TaskAnswerRow, 'created_at'> & { created_at: string }>;

function answersFrom(json: AnswersJson): TaskAnswerRow[] {
  return json.map((answer) => ({ ...answer, created_at: new Date(answer.created_at) }));
}

/**
 * The settlements (`listSettlements`' rows) of the assignments `work` gives (their id, stage,
 * response, project_id and worker_id), as one JSON list.
 */
function settlementsJson(work: RawBuilder<unknown>) {
  return sql`(select coalesce(json_agg(x), '[]') from (
    select s.id, s.stage, s.response, m.gold_answers, m.gold_score, m.pay_rate
    from (${work}) s
    left join project_members m on m.project_id = s.project_id and m.worker_id = s.worker_id
  ) x)`;
}

/** The submission contexts of these assignments, in one statement; those found, in any order. */
export async function findSubmissionContexts(
  db: Executor,
  scope: Scope,
  asks: readonly { id: string; workerId: string }[],
  /** The minimum of a project whose settings name none. */
  defaultMin: number,
): Promise<SubmissionContext[]> {
  type Read = Omit<SubmissionContext, 'decision'> & {
    answers: AnswersJson | null;
    settlements: Settlement[] | null;
  };
  // A subquery in a `case` branch runs only for the rows that take the branch.
  const decides = sql`t.answer_count + 1 >= ${minimumOf('p', defaultMin)}`;
  const result = await sql<Read>`
    select a.*, t.type, t.params, t.instruction, t.status as task_status,
      t.consensus is not null as concluded, t.answer_count, p.name as project_name,
      b.name as batch_name, p.settings, t.callback_url,
      case when ${decides} then
        ${answersJson(sql`select * from task_answers y where y.task_id = t.id`)} end as answers,
      case when ${decides} then ${settlementsJson(sql`
        select s.id, s.stage, s.response, s.project_id, s.worker_id from assignments s
        where s.task_id = t.id and s.stage in ('attempt', 'review', 'audit')
          and (s.status = 'submitted' or s.id = a.id)`)} end as settlements
    from assignments a
    join tasks t on t.id = a.task_id
    join projects p on p.id = a.project_id
    left join batches b on b.id = t.batch_id
    where a.id = any(${asks.map((ask) => ask.id)}::text[])
      and a.organization_id = ${scope.organizationId} and a.livemode = ${scope.livemode}
  `.execute(db);
  const asked = new Map(asks.map((ask) => [ask.id, ask.workerId]));
  // Someone else's assignment is not found.
  return result.rows
    .filter((row) => asked.get(row.id) === row.worker_id)
    .map(({ answers, settlements, ...row }) => ({
      ...row,
      ...(answers && settlements
        ? { decision: { answers: answersFrom(answers), settlements } }
        : {}),
    }));
}

/** An attempt that concludes its task, for `concludeAttempts` to write. */
export interface Conclusion {
  assignmentId: string;
  workerId: string;
  taskId: string;
  /** When the attempt was last seen as read: it is written only while that holds. */
  lastSeenAt: Date;
  /** The task's answers as read: it is written only while the task has as many. */
  answerCount: number;
  change: SubmissionChange;
  answerId: string;
  /** This attempt's outcome and pay. */
  own: SettledPay;
  /** The outcomes and pay of the task's other submitted work. */
  others: readonly SettledPay[];
  /** The task's response and consensus, as JSON. */
  response: string;
  consensus: string;
}

/**
 * Concludes tasks' attempts, each task with one held attempt (at most one per task), in one
 * statement that writes for a task only while it is as the caller read it when deciding: pending,
 * with no consensus and `answerCount` answers, and its attempt held as read. For each such task it
 * marks the attempt submitted with its pay, adds its answer, completes the task with its response
 * and consensus, takes it off the queue and settles the pay of the rest of its work. It locks the
 * attempts, then their tasks, each in id order, as `submitAttemptsTogether` does. Returns the
 * assignments written; for the others nothing was written.
 */
export async function concludeAttempts(
  db: Executor,
  scope: Scope,
  conclusions: readonly Conclusion[],
  now: Date,
): Promise<AssignmentRow[]> {
  const column = <T>(pick: (conclusion: Conclusion) => T) => conclusions.map(pick);
  const others = conclusions.flatMap((c) => c.others);
  // The rest of a task's work is paid only when its task was concluded.
  const settled =
    others.length === 0
      ? sql``
      : sql`, settled as (${settledPay(others, now, sql`a.task_id in (select task_id from submitted)`)})`;
  const result = await sql<AssignmentRow>`
    with asked as materialized (
      select * from unnest(
        ${column((c) => c.assignmentId)}::text[],
        ${column((c) => c.workerId)}::text[],
        ${column((c) => c.taskId)}::text[],
        ${column((c) => c.lastSeenAt)}::timestamptz[],
        ${column((c) => c.answerCount)}::int[],
        ${column((c) => c.change.response)}::text[],
        ${column((c) => c.change.submitted_at)}::timestamptz[],
        ${column((c) => c.change.idempotency_key)}::text[],
        ${column((c) => c.change.idempotency_fingerprint)}::text[],
        ${column((c) => c.change.active_seconds)}::float8[],
        ${column((c) => c.answerId)}::text[],
        ${column((c) => c.own.outcome)}::text[],
        ${column((c) => c.own.base)}::int[],
        ${column((c) => c.own.bonus)}::int[],
        ${column((c) => c.own.currency)}::text[],
        ${column((c) => c.response)}::text[],
        ${column((c) => c.consensus)}::text[]
      ) as v(id, worker_id, task_id, last_seen_at, answer_count, response, submitted_at,
        idempotency_key, idempotency_fingerprint, active_seconds, answer_id, outcome, base, bonus,
        currency, task_response, consensus)
    ),
    mine as materialized (
      select a.id from assignments a join asked v on v.id = a.id
      where a.worker_id = v.worker_id and a.task_id = v.task_id
        and a.organization_id = ${scope.organizationId} and a.livemode = ${scope.livemode}
        and a.stage = 'attempt' and a.status = 'active' and a.lease_expires_at > ${now}
        and a.last_seen_at = v.last_seen_at
      order by a.id
      for update of a
    ),
    as_read as materialized (
      select t.id from tasks t join asked v on v.task_id = t.id
      where v.id in (select id from mine)
        and t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
        and t.status = 'pending' and t.consensus is null and t.answer_count = v.answer_count
      order by t.id
      for no key update of t
    ),
    submitted as (
      update assignments a set status = 'submitted', response = v.response::jsonb,
        submitted_at = v.submitted_at, idempotency_key = v.idempotency_key,
        idempotency_fingerprint = v.idempotency_fingerprint,
        active_seconds = v.active_seconds, last_seen_at = ${now}, outcome = v.outcome,
        pay_base = v.base, pay_bonus = v.bonus, currency = v.currency, settled_at = ${now}
      from asked v
      where a.id = v.id and a.id in (select id from mine) and v.task_id in (select id from as_read)
      returning a.*
    ),
    added as (
      insert into task_answers
        (id, organization_id, livemode, task_id, project_id, worker, response, created_at)
      select v.answer_id, s.organization_id, s.livemode, s.task_id, s.project_id, s.worker_id,
        v.response::jsonb, ${now}
      from submitted s join asked v on v.id = s.id
    ),
    unqueued as (
      delete from work_items where task_id in (select task_id from submitted)
    ),
    finished as (
      update tasks t set answer_count = t.answer_count + 1, status = 'completed',
        response = v.task_response::jsonb, consensus = v.consensus::jsonb,
        completed_at = ${now}, updated_at = ${now}
      from asked v
      where t.id = v.task_id and v.id in (select id from submitted)
    )${settled}
    select * from submitted
  `.execute(db);
  return result.rows;
}

/** What a submission writes to its assignment. */
export interface SubmissionChange {
  /** The parsed response, as JSON. */
  response: string;
  submitted_at: Date;
  idempotency_key: string | null;
  /** A hash of the response as submitted under the key (`idempotencyOf`). */
  idempotency_fingerprint: string | null;
  active_seconds: number;
}

/** An attempt for `submitAttemptsTogether` to store. */
export interface AttemptToStore {
  assignmentId: string;
  taskId: string;
  workerId: string;
  answerId: string;
  /** What the submission writes, but its active time, which the statement counts. */
  change: Omit<SubmissionChange, 'active_seconds'>;
}

/** The settings `submitAttemptsTogether` reads, where a project has none of its own. */
export interface StoreDefaults {
  consensus: { min: number };
  idleSeconds: number;
}

/**
 * Stores attempts that cannot conclude their tasks, several (each assignment at most once) in
 * one statement, outside any transaction. An attempt is stored when its assignment is still held
 * (locked, so an expiry cannot interleave) and its task is open and, with it, has fewer answers
 * than its project's `consensus.min` (counted on the task row, which serializes concurrent
 * submissions to it; of several attempts on one task, as many are stored as stay under the
 * minimum, in assignment id order). An attempt whose task, read without a lock, already stands
 * one answer short of its minimum is neither locked nor stored. The assignments are locked, then
 * the tasks, each in id order, so two such statements cannot wait on each other. Each stored
 * attempt's active time is counted from the assignment as locked (`addActiveTime`, with the
 * project's `idleSeconds`), so a heartbeat since it was read is counted. Returns the assignments
 * stored; the others had nothing written, and their callers take the general path.
 */
export async function submitAttemptsTogether(
  db: Executor,
  scope: Scope,
  attempts: readonly AttemptToStore[],
  now: Date,
  defaults: StoreDefaults,
): Promise<AssignmentRow[]> {
  const column = <T>(pick: (attempt: AttemptToStore) => T) => attempts.map(pick);
  const minimum = minimumOf('p', defaults.consensus.min);
  const result = await sql<AssignmentRow>`
    with asked as materialized (
      select * from unnest(
        ${column((a) => a.assignmentId)}::text[],
        ${column((a) => a.workerId)}::text[],
        ${column((a) => a.taskId)}::text[],
        ${column((a) => a.answerId)}::text[],
        ${column((a) => a.change.response)}::text[],
        ${column((a) => a.change.submitted_at)}::timestamptz[],
        ${column((a) => a.change.idempotency_key)}::text[],
        ${column((a) => a.change.idempotency_fingerprint)}::text[]
      ) as v(id, worker_id, task_id, answer_id, response, submitted_at, idempotency_key,
        idempotency_fingerprint)
    ),
    mine as materialized (
      select a.id, v.task_id, ${minimum} as min,
        a.active_seconds + least(
          greatest(extract(epoch from v.submitted_at - a.last_seen_at)::float8, 0),
          coalesce((p.settings ->> 'idleSeconds')::float8, ${defaults.idleSeconds}::float8)
        ) as active_seconds
      from assignments a
      join asked v on v.id = a.id
      join projects p on p.id = a.project_id
      join tasks seen on seen.id = v.task_id
      where a.worker_id = v.worker_id and a.task_id = v.task_id and a.stage = 'attempt'
        and a.status = 'active' and a.lease_expires_at > ${now}
        and a.organization_id = ${scope.organizationId} and a.livemode = ${scope.livemode}
        and seen.answer_count + 1 < ${minimum}
      order by a.id
      for update of a
    ),
    open_tasks as materialized (
      select t.id, t.answer_count from tasks t
      where t.id in (select task_id from mine) and t.kind = 'task' and t.status = 'pending'
        and t.consensus is null
      order by t.id
      for no key update of t
    ),
    chosen as materialized (
      select ranked.id, ranked.task_id, ranked.active_seconds from (
        select mine.*, row_number() over (partition by mine.task_id order by mine.id) as k
        from mine
      ) ranked join open_tasks t on t.id = ranked.task_id
      where t.answer_count + ranked.k < ranked.min
    ),
    counted as (
      update tasks t set answer_count = t.answer_count + c.n
      from (select task_id, count(*)::int as n from chosen group by task_id) c
      where t.id = c.task_id
      returning t.id
    ),
    submitted as (
      update assignments a set status = 'submitted', response = v.response::jsonb,
        submitted_at = v.submitted_at, idempotency_key = v.idempotency_key,
        idempotency_fingerprint = v.idempotency_fingerprint,
        active_seconds = c.active_seconds, last_seen_at = ${now}
      from asked v, chosen c
      where a.id = v.id and c.id = v.id and v.task_id in (select id from counted)
      returning a.*
    ),
    answered as (
      insert into task_answers (id, organization_id, livemode, task_id, project_id, worker,
        response, created_at)
      select v.answer_id, ${scope.organizationId}, ${scope.livemode}, submitted.task_id,
        submitted.project_id, submitted.worker_id, v.response::jsonb, ${now}
      from submitted join asked v on v.id = submitted.id
      returning id
    )
    select submitted.* from submitted
  `.execute(db);
  return result.rows;
}

/** A task's answers and settlements as a concluding attempt's statement read them. */
export interface AnsweredAttempt {
  /** The task, locked, its answer count raised by the attempt's answer. */
  task: TaskRow;
  /** Its answers with the new one, oldest first. */
  answers: TaskAnswerRow[];
  /** Its submitted queue-stage work with the new attempt (`listSettlements`). */
  settlements: Settlement[];
}

/**
 * Marks a held attempt submitted, adds its answer to its task (raising the task's answer count,
 * which locks the task) and reads the task's answers and submitted work, in one statement. The
 * attempt must still be active, within its lease and last seen when the caller read it (so the
 * active time the caller computed holds); when it is not, nothing was written. The answer is added
 * only while the task is pending with no consensus: when it is not, the attempt was marked
 * submitted but `answered` is absent, and the caller locks the task and decides (the work is
 * late). When the statement waited on the task's lock, its snapshot may have missed an answer
 * committed meanwhile: the answer count, read under the lock, shows that, and the answers and
 * settlements are read again.
 */
export async function submitAttemptAndAnswer(
  db: Executor,
  scope: Scope,
  input: {
    assignmentId: string;
    workerId: string;
    taskId: string;
    lastSeenAt: Date;
    change: SubmissionChange;
    answerId: string;
    now: Date;
  },
): Promise<{ submitted: boolean; answered?: AnsweredAttempt }> {
  const { change, now } = input;
  const tenantOf = (alias: RawBuilder<unknown>) =>
    sql`${alias}.organization_id = ${scope.organizationId} and ${alias}.livemode = ${scope.livemode}`;
  const result = await sql<
    TaskRow & {
      attempt_submitted: boolean;
      all_answers: AnswersJson;
      all_settlements: Settlement[];
    }
  >`
    with submitted as (
      update assignments a set status = 'submitted', response = ${change.response}::jsonb,
        submitted_at = ${change.submitted_at}, idempotency_key = ${change.idempotency_key},
        idempotency_fingerprint = ${change.idempotency_fingerprint},
        active_seconds = ${change.active_seconds}, last_seen_at = ${now}
      where a.id = ${input.assignmentId} and a.worker_id = ${input.workerId}
        and ${tenantOf(sql`a`)} and a.stage = 'attempt' and a.status = 'active'
        and a.lease_expires_at > ${now} and a.last_seen_at = ${input.lastSeenAt}
      returning a.id, a.stage, a.response, a.project_id, a.worker_id
    ),
    counted as (
      update tasks t set answer_count = t.answer_count + 1
      where t.id = ${input.taskId} and ${tenantOf(sql`t`)} and t.status = 'pending'
        and t.consensus is null and exists (select 1 from submitted)
      returning t.*
    ),
    added as (
      insert into task_answers
        (id, organization_id, livemode, task_id, project_id, worker, response, created_at)
      select ${input.answerId}, t.organization_id, t.livemode, t.id, t.project_id,
        ${input.workerId}, ${change.response}::jsonb, ${now}
      from counted t
      returning *
    )
    select counted.*, exists (select 1 from submitted) as attempt_submitted,
      ${answersJson(sql`
        select * from task_answers y where y.task_id = ${input.taskId} and ${tenantOf(sql`y`)}
        union all select * from added`)} as all_answers,
      ${settlementsJson(sql`
        select b.id, b.stage, b.response, b.project_id, b.worker_id from assignments b
        where b.task_id = ${input.taskId} and ${tenantOf(sql`b`)} and b.status = 'submitted'
          and b.stage in ('attempt', 'review', 'audit') and b.id <> ${input.assignmentId}
        union all select * from submitted`)} as all_settlements
    from (select 1) as one left join counted on true
  `.execute(db);
  const { attempt_submitted, all_answers, all_settlements, ...task } = result.rows[0]!;
  if (!attempt_submitted) return { submitted: false };
  if (!task.id) return { submitted: true };
  const answers = answersFrom(all_answers);
  if (answers.length === task.answer_count)
    return {
      submitted: true,
      answered: { task, answers, settlements: all_settlements },
    };
  return {
    submitted: true,
    answered: {
      task,
      answers: await listAnswersOfTask(db, scope, task.id),
      settlements: await listSettlements(db, scope, task.id),
    },
  };
}

/** One worker's part in `claimAttemptsTogether`. */
export interface ClaimAsk {
  workerId: string;
  clearance: number;
  assignmentId: string;
  /** The draw for gold, as in `claimAttemptDirectly`. */
  goldDraw: number;
}

/**
 * How many queue items `claimAttemptsTogether` locks for this many workers: at least one each, as
 * a power of two. The count is written into the statement, since a limit the planner cannot see
 * is planned as a tenth of the queue (a sort of all of it where a short walk of the index would
 * do); powers of two keep the statement to a few texts, each prepared once.
 */
function lockedFor(workers: number) {
  return 2 ** Math.ceil(Math.log2(Math.max(1, workers)));
}

/** What `claimAttemptsTogether` did for one worker. */
export interface ClaimTogether {
  workerId: string;
  /** The claim made. */
  claimed?: ClaimedRow;
  /**
   * Whether the worker had a turn but no claim: it fell on a task they already worked on, or on
   * an item that no longer had the claim when it was taken (the queue may hold something for
   * them); false when the queue had no open claim left for their turn.
   */
  passedOver: boolean;
}

/**
 * `claimAttemptDirectly` for several workers (each at most once) in one statement. At least as
 * many open queue items as there are workers (`lockedFor`) are locked in queue order, skipping
 * locked ones, and their open claims handed out in that order, one to each worker in the order
 * asked: an item is filled before the next is started. A worker whose turn falls on a task they
 * already worked on is passed over rather than given another turn, which keeps the hand-out one
 * join. Workers the direct claim does not serve (not an active member, at their cap, gold due,
 * the project's requirements) are left out of what is returned.
 */
export async function claimAttemptsTogether(
  db: Executor,
  scope: Scope,
  input: {
    projectRef: string;
    asks: readonly ClaimAsk[];
    now: Date;
    defaults: ClaimDefaults;
  },
): Promise<ClaimTogether[]> {
  const { asks, now } = input;
  const result = await sql<Partial<ClaimedRow> & { asker: string; had_turn: boolean }>`
    with eligible as materialized (${directProject(scope, input.projectRef)}),
    asking as materialized (
      select r.worker_id, r.assignment_id, row_number() over (order by r.ord) as turn
      from unnest(
        ${asks.map((ask) => ask.workerId)}::text[],
        ${asks.map((ask) => ask.assignmentId)}::text[],
        ${asks.map((ask) => ask.clearance)}::int[],
        ${asks.map((ask) => ask.goldDraw)}::float8[]
      ) with ordinality as r(worker_id, assignment_id, clearance, draw, ord), eligible
      where ${mayClaimDirectly(
        'eligible',
        { id: sql.ref('r.worker_id'), clearance: sql.ref('r.clearance'), draw: sql.ref('r.draw') },
        now,
        input.defaults,
      )}
    ),
    pick as materialized (
      select c.task_id, c.open_slots, c.priority, c.deadline, c.seq from work_items c
      where c.project_id = (select id from eligible) and c.stage = 'attempt' and c.open_slots > 0
      order by ${queueOrder('c')}
      limit ${sql.lit(lockedFor(asks.length))}
      for update of c skip locked
    ),
    turns as (
      select p.task_id,
        row_number() over (order by ${queueOrder('p')}, s.n) as turn
      from pick p, generate_series(1, p.open_slots) as s(n)
    ),
    matched as materialized (
      select asking.worker_id, asking.assignment_id, turns.task_id
      from asking join turns using (turn)
      where not exists (
        select 1 from assignments a
        where a.task_id = turns.task_id and a.worker_id = asking.worker_id
      )
    ),
    taken as (
      update work_items w set open_slots = w.open_slots - m.n
      from (select task_id, count(*)::int as n from matched group by task_id) m
      where w.task_id = m.task_id and w.stage = 'attempt' and w.open_slots >= m.n
      returning w.task_id, w.project_id, w.batch_id
    ),
    assigned as (
      insert into assignments (id, organization_id, livemode, task_id, project_id, batch_id,
        worker_id, stage, status, claimed_at, lease_expires_at, last_seen_at)
      select matched.assignment_id, ${scope.organizationId}, ${scope.livemode}, taken.task_id,
        taken.project_id, taken.batch_id, matched.worker_id, 'attempt', 'active', ${now},
        ${leaseFrom('eligible', now, input.defaults)}, ${now}
      from matched join taken using (task_id), eligible
      returning *
    ),
    claimed as materialized (
      select assigned.*, t.type, t.params, t.instruction, t.consensus,
        eligible.name as project_name
      from assigned join tasks t on t.id = assigned.task_id, eligible
    )
    select asking.worker_id as asker, turns.task_id is not null as had_turn, claimed.*
    from asking left join turns using (turn) left join claimed using (worker_id)
  `.execute(db);
  return result.rows.map(({ asker, had_turn, ...row }) =>
    row.id === null || row.id === undefined
      ? { workerId: asker, passedOver: had_turn }
      : { workerId: asker, claimed: row as ClaimedRow, passedOver: false },
  );
}
