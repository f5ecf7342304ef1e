import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { TaskKind, TaskRow, TaskStatus, TasksTable } from '../db/schema';
import { sql, type Insertable, type Updateable } from 'kysely';
import { tenant } from './tenant';
import { enqueueTasks } from './workforce';

export type NewTask = Omit<Insertable<TasksTable>, 'organization_id' | 'livemode'>;

export async function insertTasks(db: Executor, scope: Scope, rows: NewTask[]): Promise<TaskRow[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insertInto('tasks')
    .values(rows.map((row) => ({ ...tenant(scope), ...row })))
    .returningAll()
    .execute();
  await enqueueTasks(db, scope, { taskIds: inserted.map((row) => row.id) });
  return inserted;
}

/**
 * The bulk path, in one statement: inserts the rows, leaving out (not failing on) a row whose
 * unique_id the organization already has, and queues the inserted tasks for the workforce from
 * what the insert returned. Gives the ids inserted. Nothing reads the tasks table back, so the
 * cost per chunk stays flat however many rows one transaction has written before it (their
 * statistics cannot be seen until it commits, which misleads any plan that reads them).
 */
export async function insertNewTasks(
  db: Executor,
  scope: Scope,
  rows: NewTask[],
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
    .returning(['id', 'seq', 'kind', 'status', 'project_id', 'batch_id']);
  const result = await sql<{ id: string }>`
    with added as (${added}),
    queued as (
      insert into work_items
        (task_id, stage, organization_id, livemode, project_id, batch_id, open_slots, priority,
         deadline, seq)
      select t.id, 'attempt', ${scope.organizationId}, ${scope.livemode}, t.project_id,
        t.batch_id, greatest(1, coalesce((p.settings -> 'consensus' ->> 'min')::int, 1)),
        coalesce(b.priority, 0), b.deadline, t.seq
      from added t
      join projects p on p.id = t.project_id
      left join batches b on b.id = t.batch_id
      where t.kind = 'task' and t.status = 'pending' and (b.id is null or b.status <> 'staging')
      on conflict do nothing
    )
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

export async function lockTask(db: Executor, scope: Scope, id: string) {
  return db
    .selectFrom('tasks')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .forUpdate()
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
  return (options.lock ? query.forUpdate(['tasks']) : query).executeTakeFirst();
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

export async function updateTask(
  db: Executor,
  scope: Scope,
  id: string,
  changes: Updateable<TasksTable>,
): Promise<TaskRow> {
  return db
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

/**
 * One page of a project's tasks in creation order after `afterSeq`: the export's keyset walk,
 * which reads each row once however large the project.
 */
export async function pageProjectTasks(
  db: Executor,
  scope: Scope,
  filter: { projectId: string; batchId?: string | undefined; completedOnly: boolean },
  afterSeq: number,
  limit: number,
): Promise<TaskView[]> {
  let query = selectTaskViews(db, scope)
    .where('tasks.kind', '=', 'task')
    .where('tasks.project_id', '=', filter.projectId)
    .where('tasks.seq', '>', afterSeq);
  if (filter.batchId) query = query.where('tasks.batch_id', '=', filter.batchId);
  if (filter.completedOnly) query = query.where('tasks.status', '=', 'completed');
  return query.orderBy('tasks.seq').limit(limit).execute();
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

/** A task as exports read it: JSON columns left as text, to be copied or parsed once. */
export interface ExportRow {
  id: string;
  seq: number;
  type: string;
  status: string;
  unique_id: string | null;
  batch_name: string | null;
  params: string;
  metadata: string;
  response: string | null;
  method: string | null;
  confidence: number | null;
  completed_at: Date | null;
}

/** Like `pageProjectTasks`, for exports: the JSON columns come back as text. */
export async function pageExportRows(
  db: Executor,
  scope: Scope,
  filter: { projectId: string; batchId?: string | undefined; completedOnly: boolean },
  afterSeq: number,
  limit: number,
): Promise<ExportRow[]> {
  let query = db
    .selectFrom('tasks')
    .leftJoin('batches', 'batches.id', 'tasks.batch_id')
    .select([
      'tasks.id',
      'tasks.seq',
      'tasks.type',
      'tasks.status',
      'tasks.unique_id',
      'batches.name as batch_name',
      sql<string>`tasks.params::text`.as('params'),
      sql<string>`tasks.metadata::text`.as('metadata'),
      sql<string | null>`tasks.response::text`.as('response'),
      sql<string | null>`tasks.consensus->>'method'`.as('method'),
      sql<number | null>`(tasks.consensus->>'confidence')::float8`.as('confidence'),
      'tasks.completed_at',
    ])
    .where('tasks.organization_id', '=', scope.organizationId)
    .where('tasks.livemode', '=', scope.livemode)
    .where('tasks.kind', '=', 'task')
    .where('tasks.project_id', '=', filter.projectId)
    .where('tasks.seq', '>', afterSeq);
  if (filter.batchId) query = query.where('tasks.batch_id', '=', filter.batchId);
  if (filter.completedOnly) query = query.where('tasks.status', '=', 'completed');
  return query.orderBy('tasks.seq').limit(limit).execute() as Promise<ExportRow[]>;
}
