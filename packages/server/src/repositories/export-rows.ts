import type { Scope } from '@quorum/core';
import { sql, type AliasedRawBuilder } from 'kysely';
import type { Executor } from '../db/executor';
import type { TaskView } from './tasks';

/** Which tasks an export reads: a project's (or batch's), completed only or all. */
export interface ExportFilter {
  projectId: string;
  batchId?: string | undefined;
  completedOnly: boolean;
}

function exportedTasks(db: Executor, scope: Scope, filter: ExportFilter, afterSeq: number) {
  let query = db
    .selectFrom('tasks')
    .where('tasks.organization_id', '=', scope.organizationId)
    .where('tasks.livemode', '=', scope.livemode)
    .where('tasks.kind', '=', 'task')
    .where('tasks.project_id', '=', filter.projectId)
    .where('tasks.seq', '>', afterSeq);
  if (filter.batchId) query = query.where('tasks.batch_id', '=', filter.batchId);
  if (filter.completedOnly) query = query.where('tasks.status', '=', 'completed');
  return query;
}

/** One page of exported tasks after `afterSeq`: id, seq and status, and `columns`. */
async function pageOf<Row>(
  db: Executor,
  scope: Scope,
  filter: ExportFilter,
  afterSeq: number,
  limit: number,
  columns: AliasedRawBuilder<unknown, string>[],
): Promise<Row[]> {
  const rows = await exportedTasks(db, scope, filter, afterSeq)
    .select(['tasks.id', 'tasks.seq', 'tasks.status'])
    .select(columns)
    .orderBy('tasks.seq')
    .limit(limit)
    .execute();
  return rows as Row[];
}

/** One page of tasks as the API shows them (the Scale export). */
export async function pageProjectTasks(
  db: Executor,
  scope: Scope,
  filter: ExportFilter,
  afterSeq: number,
  limit: number,
): Promise<TaskView[]> {
  return exportedTasks(db, scope, filter, afterSeq)
    .leftJoin('projects', 'projects.id', 'tasks.project_id')
    .leftJoin('batches', 'batches.id', 'tasks.batch_id')
    .selectAll('tasks')
    .select(['projects.name as project_name', 'batches.name as batch_name'])
    .orderBy('tasks.seq')
    .limit(limit)
    .execute();
}

/** A task as the JSONL and Label Studio exports read it: JSON columns left as text. */
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

export async function pageExportRows(
  db: Executor,
  scope: Scope,
  filter: ExportFilter,
  afterSeq: number,
  limit: number,
): Promise<ExportRow[]> {
  const rows = await exportedTasks(db, scope, filter, afterSeq)
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
    .orderBy('tasks.seq')
    .limit(limit)
    .execute();
  return rows as ExportRow[];
}

/** An image task as the image exports read it; JSON that needs parsing comes as text. */
export interface ImageExportRow {
  id: string;
  seq: number;
  status: string;
  attachment: string | null;
  /** `metadata.image_width` / `image_height` as text, when set. */
  width: string | null;
  height: string | null;
  /** `params.geometries` as text (its labels become categories or classes). */
  geometries: string | null;
  /** `response.annotations` as text. */
  annotations: string | null;
}

/** One page of image tasks after `afterSeq`. */
export async function pageImageExportRows(
  db: Executor,
  scope: Scope,
  filter: ExportFilter,
  afterSeq: number,
  limit: number,
): Promise<ImageExportRow[]> {
  return pageOf<ImageExportRow>(db, scope, filter, afterSeq, limit, [
    sql<string | null>`tasks.params->>'attachment'`.as('attachment'),
    sql<string | null>`tasks.metadata->>'image_width'`.as('width'),
    sql<string | null>`tasks.metadata->>'image_height'`.as('height'),
    sql<string | null>`(tasks.params->'geometries')::text`.as('geometries'),
    sql<string | null>`(tasks.response->'annotations')::text`.as('annotations'),
  ]);
}

/** A named-entity task as the text exports read it. */
export interface TextExportRow {
  id: string;
  seq: number;
  status: string;
  text: string | null;
  /** `response.annotations` as text. */
  annotations: string | null;
}

export async function pageTextExportRows(
  db: Executor,
  scope: Scope,
  filter: ExportFilter,
  afterSeq: number,
  limit: number,
): Promise<TextExportRow[]> {
  return pageOf<TextExportRow>(db, scope, filter, afterSeq, limit, [
    sql<string | null>`tasks.params->>'text'`.as('text'),
    sql<string | null>`(tasks.response->'annotations')::text`.as('annotations'),
  ]);
}

/** A categorization task as the classification CSV reads it. */
export interface CategoryExportRow {
  id: string;
  seq: number;
  status: string;
  attachment: string | null;
  response: string | null;
  confidence: number | null;
}

export async function pageCategoryExportRows(
  db: Executor,
  scope: Scope,
  filter: ExportFilter,
  afterSeq: number,
  limit: number,
): Promise<CategoryExportRow[]> {
  return pageOf<CategoryExportRow>(db, scope, filter, afterSeq, limit, [
    sql<string | null>`tasks.params->>'attachment'`.as('attachment'),
    sql<string | null>`tasks.response::text`.as('response'),
    sql<number | null>`(tasks.consensus->>'confidence')::float8`.as('confidence'),
  ]);
}

/**
 * What the classification CSV's header needs before the first row: every taxonomy question of
 * the selected tasks (in order of first appearance), and which separators some category or
 * choice contains (so multiple labels are joined with one that none contains).
 */
export async function categoryExportOutline(
  db: Executor,
  scope: Scope,
  filter: ExportFilter,
  separators: readonly string[],
): Promise<{ questions: string[]; separatorsUsed: string[] }> {
  const keys = exportedTasks(db, scope, filter, 0).select([
    'tasks.seq',
    sql<string>`jsonb_object_keys(case when jsonb_typeof(tasks.params->'taxonomies') = 'object'
      then tasks.params->'taxonomies' else '{}'::jsonb end)`.as('key'),
  ]);
  const questions = await db
    .selectFrom(keys.as('question'))
    .select('question.key')
    .groupBy('question.key')
    .orderBy(sql`min(question.seq)`)
    .execute();
  const labels = sql`coalesce(tasks.params->'categories', 'null'::jsonb)::text ||
    coalesce(tasks.params->'taxonomies', 'null'::jsonb)::text`;
  const used = await Promise.all(
    separators.map(async (separator) => {
      const found = await exportedTasks(db, scope, filter, 0)
        .select(sql<number>`1`.as('found'))
        .where(sql<boolean>`strpos(${labels}, ${separator}) > 0`)
        .limit(1)
        .executeTakeFirst();
      return found ? separator : undefined;
    }),
  );
  return {
    questions: questions.map((row) => row.key),
    separatorsUsed: used.filter((separator) => separator !== undefined),
  };
}
