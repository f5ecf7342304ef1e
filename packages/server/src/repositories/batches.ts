import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { BatchRow, BatchStatus } from '../db/schema';
import { tenant } from './tenant';

export async function findBatchByName(db: Executor, scope: Scope, name: string) {
  return db
    .selectFrom('batches')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('name', '=', name)
    .executeTakeFirst();
}

/** The batch row locked for update, so concurrent finalize/complete see one order. */
export async function lockBatch(db: Executor, scope: Scope, id: string) {
  return db
    .selectFrom('batches')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertBatch(
  db: Executor,
  scope: Scope,
  row: {
    id: string;
    projectId: string;
    name: string;
    callbackUrl: string | null;
    metadata: Record<string, unknown>;
    now: Date;
  },
): Promise<BatchRow | undefined> {
  return db
    .insertInto('batches')
    .values({
      ...tenant(scope),
      id: row.id,
      project_id: row.projectId,
      name: row.name,
      status: 'staging',
      callback_url: row.callbackUrl,
      metadata: JSON.stringify(row.metadata),
      created_at: row.now,
    })
    .onConflict((oc) => oc.columns(['organization_id', 'livemode', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function setBatchStatus(
  db: Executor,
  scope: Scope,
  id: string,
  status: BatchStatus,
  now: Date,
): Promise<BatchRow> {
  return db
    .updateTable('batches')
    .set({
      status,
      ...(status === 'in_progress' ? { finalized_at: now } : {}),
      ...(status === 'completed' ? { completed_at: now } : {}),
    })
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface BatchFilter {
  projectId?: string;
  status?: BatchStatus;
  createdAfter?: Date;
  createdBefore?: Date;
}

export async function listBatches(
  db: Executor,
  scope: Scope,
  filter: BatchFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: BatchRow[]; total: number }> {
  let query = db.selectFrom('batches').where((eb) => eb.and(tenant(scope)));
  if (filter.projectId) query = query.where('project_id', '=', filter.projectId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.createdAfter) query = query.where('created_at', '>=', filter.createdAfter);
  if (filter.createdBefore) query = query.where('created_at', '<', filter.createdBefore);
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** How many of the batch's work tasks are in each status. */
export async function countBatchTasks(db: Executor, scope: Scope, batchId: string) {
  const rows = await db
    .selectFrom('tasks')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where((eb) => eb.and(tenant(scope)))
    .where('batch_id', '=', batchId)
    .groupBy('status')
    .execute();
  const counts = { pending: 0, completed: 0, canceled: 0, error: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

export async function updateBatchMetadata(
  db: Executor,
  scope: Scope,
  id: string,
  metadata: Record<string, unknown>,
): Promise<BatchRow> {
  return db
    .updateTable('batches')
    .set({ metadata: JSON.stringify(metadata) })
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
