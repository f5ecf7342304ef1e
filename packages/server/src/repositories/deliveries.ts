import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import { sql, type Updateable } from 'kysely';
import type { DeliveriesTable, DeliveryRow, DeliveryStatus } from '../db/schema';
import { tenant } from './tenant';

export async function insertDelivery(
  db: Executor,
  scope: Scope,
  row: {
    id: string;
    event: string;
    taskId: string | null;
    batchId: string | null;
    url: string;
    payload: unknown;
    now: Date;
  },
): Promise<DeliveryRow> {
  return db
    .insertInto('deliveries')
    .values({
      ...tenant(scope),
      id: row.id,
      event: row.event,
      task_id: row.taskId,
      batch_id: row.batchId,
      url: row.url,
      payload: JSON.stringify(row.payload),
      status: 'pending',
      next_attempt_at: row.now,
      created_at: row.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The delivery row for a worker's attempt, locked; undefined when another worker holds it.
 * Unscoped on purpose: a job names a delivery id, and the row says whose it is.
 */
export async function lockDeliveryForAttempt(
  db: Executor,
  id: string,
  options: { wait?: boolean } = {},
) {
  const query = db.selectFrom('deliveries').selectAll().where('id', '=', id).forUpdate();
  return (options.wait ? query : query.skipLocked()).executeTakeFirst();
}

/** Logs one attempt, numbered after every earlier one (redeliveries keep counting). */
export async function insertDeliveryAttempt(
  db: Executor,
  attempt: {
    deliveryId: string;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
    at: Date;
  },
) {
  await db
    .insertInto('delivery_attempts')
    .values((eb) => ({
      delivery_id: attempt.deliveryId,
      attempt: eb
        .selectFrom('delivery_attempts')
        .select(sql<number>`coalesce(max(attempt), 0) + 1`.as('next'))
        .where('delivery_id', '=', attempt.deliveryId),
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
      attempted_at: attempt.at,
    }))
    .execute();
}

export async function updateDelivery(
  db: Executor,
  id: string,
  changes: Updateable<DeliveriesTable>,
): Promise<DeliveryRow> {
  return db
    .updateTable('deliveries')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findDelivery(db: Executor, scope: Scope, id: string) {
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listDeliveryAttempts(db: Executor, deliveryId: string) {
  return db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('id')
    .execute();
}

export interface DeliveryFilter {
  taskId?: string;
  batchId?: string;
  status?: DeliveryStatus;
}

/** Newest first, before `beforeSeq`; `limit + 1` rows tell whether more exist. */
export async function listDeliveries(
  db: Executor,
  scope: Scope,
  filter: DeliveryFilter,
  page: { beforeSeq?: number; limit: number },
) {
  let query = db
    .selectFrom('deliveries')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)));
  if (filter.taskId) query = query.where('task_id', '=', filter.taskId);
  if (filter.batchId) query = query.where('batch_id', '=', filter.batchId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (page.beforeSeq !== undefined) query = query.where('seq', '<', page.beforeSeq);
  const rows = await query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
  const hasMore = rows.length > page.limit;
  return { rows: hasMore ? rows.slice(0, page.limit) : rows, hasMore };
}

/** Records the task's callback outcome, never turning a success back into a failure. */
export async function setTaskCallbackOutcome(db: Executor, taskId: string, succeeded: boolean) {
  let query = db
    .updateTable('tasks')
    .set({ callback_succeeded: succeeded })
    .where('id', '=', taskId);
  if (!succeeded) {
    query = query.where((eb) =>
      eb.or([eb('callback_succeeded', 'is', null), eb('callback_succeeded', '=', false)]),
    );
  }
  await query.execute();
}
