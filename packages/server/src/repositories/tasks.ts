import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { Database, TaskKind, TaskRow, TaskStatus, TasksTable } from '../db/schema';
import { sql, type Insertable, type QueryCreator, type Updateable } from 'kysely';
import { tenant } from './tenant';
import { queueTasksFrom, settledPay, type SettledPay } from './workforce';

export type NewTask = Omit<Insertable<TasksTable>, 'organization_id' | 'livemode'>;

/**
 * The bulk path, in one statement: inserts the rows, leaving out (not failing on) a row whose
 * unique_id the organization already has, and queues the inserted tasks for the workforce from
 * what the insert returned. Gives the ids inserted. Nothing reads the tasks table back, so the
 * cost per chunk stays flat however many rows one transaction has written before it (their
 * statistics cannot be seen until it commits, which misleads any plan that reads them).
 * `defaultMin` is the claims a task gets when its project sets no `consensus.min`.
 */
export async function insertNewTasks(
  db: Executor,
  scope: Scope,
  rows: NewTask[],
  defaultMin: number,
): Promise<string[]> {
  if (rows.length === 0) return [];
  const added = db
    .insertInto('tasks')
    .values(rows.map((row) => ({ ...tenant(scope), ...row })))
    .onConflict((conflict) =>
      conflict
        .columns(['organization_id', 'livemode', 'unique_id'])
        .where('unique_id', 'is not', null)
        .doNothing(),
    )
    .returning([
      'id',
      'seq',
      'kind',
      'status',
      'organization_id',
      'livemode',
      'project_id',
      'batch_id',
    ]);
  const result = await sql<{ id: string }>`
    with added as (${added}),
    queued as (${queueTasksFrom(sql`added`, sql`true`, defaultMin)})
    select id from added
  `.execute(db);
  return result.rows.map((row) => row.id);
}

/** A task with its project's and batch's names, which the API shows instead of ids. */
export type TaskView = TaskRow & { project_name: string | null; batch_name: string | null };

function selectTaskViews(db: Executor, scope: Scope) {
  return db
    .selectFrom('tasks')
    .leftJoin('projects', 'projects.id', 'tasks.project_id')
    .leftJoin('batches', 'batches.id', 'tasks.batch_id')
    .selectAll('tasks')
    .select(['projects.name as project_name', 'batches.name as batch_name'])
    .where('tasks.organization_id', '=', scope.organizationId)
    .where('tasks.livemode', '=', scope.livemode);
}

export async function findTask(
  db: Executor,
  scope: Scope,
  id: string,
  kind?: TaskKind,
): Promise<TaskView | undefined> {
  let query = selectTaskViews(db, scope).where('tasks.id', '=', id);
  if (kind) query = query.where('tasks.kind', '=', kind);
  return query.executeTakeFirst();
}

/**
 * The task locked until the transaction ends against every other lock of a task (its key stays,
 * so rows that refer to it can still be written meanwhile).
 */
export async function lockTask(db: Executor, scope: Scope, id: string) {
  return db
    .selectFrom('tasks')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

/** A task as shown with its project's settings; with `lock`, locked until the transaction ends. */
export async function findTaskForWork(
  db: Executor,
  scope: Scope,
  id: string,
  options: { lock: boolean },
) {
  const query = selectTaskViews(db, scope)
    .select('projects.settings as project_settings')
    .where('tasks.id', '=', id);
  return (options.lock ? query.forNoKeyUpdate(['tasks']) : query).executeTakeFirst();
}

export async function findTasksByUniqueIds(db: Executor, scope: Scope, uniqueIds: string[]) {
  if (uniqueIds.length === 0) return [];
  return db
    .selectFrom('tasks')
    .select(['id', 'unique_id'])
    .where((eb) => eb.and(tenant(scope)))
    .where('unique_id', 'in', uniqueIds)
    .execute();
}

/**
 * Updates a task. `unqueue` also deletes its work items in the same statement: for a task that
 * is done (completed or canceled) and so leaves the queue.
 */
export async function updateTask(
  db: Executor,
  scope: Scope,
  id: string,
  changes: Updateable<TasksTable>,
  options: {
    /** Takes the task out of the work queue. */
    unqueue?: boolean;
    /** Writes the outcomes and pay of the work on it (`settledPay`), settled `at`. */
    settle?: { rows: readonly SettledPay[]; at: Date };
  } = {},
): Promise<TaskRow> {
  // The statement refers to tasks only; the casts drop the CTEs' names from the type.
  let from: QueryCreator<Database> = db;
  if (options.unqueue)
    from = from.with('unqueued', (q) =>
      q.deleteFrom('work_items').where('task_id', '=', id),
    ) as unknown as QueryCreator<Database>;
  const settle = options.settle;
  if (settle?.rows.length)
    from = from.with(
      'settled',
      () => sql<Record<string, unknown>>`(${settledPay(settle.rows, settle.at)})`,
    ) as unknown as QueryCreator<Database>;
  return from
    .updateTable('tasks')
    .set(changes)
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface TaskFilter {
  kind: TaskKind;
  projectId?: string;
  batchId?: string;
  status?: TaskStatus;
  type?: string;
  uniqueIds?: string[];
  tags?: string[];
  customerReviewStatuses?: string[];
  createdAfter?: Date;
  createdBefore?: Date;
  completedAfter?: Date;
  completedBefore?: Date;
  updatedAfter?: Date;
  updatedBefore?: Date;
}

/** One page of matching tasks, newest first, before `beforeSeq`, with the total count. */
export async function listTasks(
  db: Executor,
  scope: Scope,
  filter: TaskFilter,
  page: { beforeSeq?: number; limit: number; offset?: number },
): Promise<{ rows: TaskView[]; hasMore: boolean; total: number }> {
  let query = selectTaskViews(db, scope).where('tasks.kind', '=', filter.kind);
  if (filter.projectId) query = query.where('tasks.project_id', '=', filter.projectId);
  if (filter.batchId) query = query.where('tasks.batch_id', '=', filter.batchId);
  if (filter.status) query = query.where('tasks.status', '=', filter.status);
  if (filter.type) query = query.where('tasks.type', '=', filter.type);
  if (filter.uniqueIds?.length) query = query.where('tasks.unique_id', 'in', filter.uniqueIds);
  if (filter.customerReviewStatuses?.length) {
    query = query.where('tasks.customer_review_status', 'in', filter.customerReviewStatuses);
  }
  // All of the given tags (documented choice: Scale does not say).
  if (filter.tags?.length)
    query = query.where('tasks.tags', '@>', sql<string[]>`${filter.tags}::text[]`);
  if (filter.createdAfter) query = query.where('tasks.created_at', '>=', filter.createdAfter);
  if (filter.createdBefore) query = query.where('tasks.created_at', '<', filter.createdBefore);
  if (filter.completedAfter) query = query.where('tasks.completed_at', '>=', filter.completedAfter);
  if (filter.completedBefore)
    query = query.where('tasks.completed_at', '<', filter.completedBefore);
  if (filter.updatedAfter) query = query.where('tasks.updated_at', '>=', filter.updatedAfter);
  if (filter.updatedBefore) query = query.where('tasks.updated_at', '<', filter.updatedBefore);
  const total = await query
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  // Newest first, like Scale; the token is the last sequence number shown.
  let pageQuery = query;
  if (page.beforeSeq !== undefined) pageQuery = pageQuery.where('tasks.seq', '<', page.beforeSeq);
  const rows = await pageQuery
    .orderBy('tasks.seq', 'desc')
    .offset(page.offset ?? 0)
    .limit(page.limit + 1)
    .execute();
  const hasMore = rows.length > page.limit;
  return { rows: hasMore ? rows.slice(0, page.limit) : rows, hasMore, total: Number(total.n) };
}

/** Every annotator's answer to the given tasks, oldest first. */
export async function listAnswersOfTasks(db: Executor, scope: Scope, taskIds: string[]) {
  if (taskIds.length === 0) return [];
  return db
    .selectFrom('task_answers')
    .select(['task_id', 'worker', 'response', 'score', 'created_at'])
    .where((eb) => eb.and(tenant(scope)))
    .where('task_id', 'in', taskIds)
    .orderBy('created_at')
    .execute();
}
