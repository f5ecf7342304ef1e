import { DomainError, type Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import { presentTask } from '../presenters/scale';
import { findBatchByName } from '../repositories/batches';
import {
  pageExportRows,
  pageProjectTasks,
  type ExportFilter,
  type ExportRow,
} from '../repositories/export-rows';
import { listAnswersOfTasks, type TaskView } from '../repositories/tasks';
import { requireProject } from './settings';

/** Rows read per query: large enough to amortise the round trip, small enough to bound memory. */
export const EXPORT_PAGE = 500;

export interface ExportSelection {
  project: string;
  batch?: string | undefined;
  /** Completed tasks only (the default), or every task with its status. */
  completedOnly: boolean;
  /** Add every annotator's answer to each task (JSONL). */
  answers: boolean;
}

type Answers = Map<
  string,
  Array<{ worker: string; response: unknown; score: number | null; at: string }>
>;

export interface ExportPage<Row> {
  rows: Row[];
  /** Every annotator's answer per task id, when the selection asked for them. */
  answers: Answers | undefined;
}

/** Reads one page of the selected tasks after a task (by `seq`). */
export type PageReader<Row> = (
  filter: ExportFilter,
  afterSeq: number,
  limit: number,
) => Promise<Row[]>;

export interface OpenedExport {
  projectName: string;
  projectType: string;
  projectParams: Record<string, unknown>;
  /** The Label Studio labeling config the project was created from, if it was. */
  labelStudioConfig: string | null;
  /** Completed tasks only, or every task (whose status the formats then show where they can). */
  completedOnly: boolean;
  filter: ExportFilter;
  /** Any columns of the selected tasks, a page at a time. */
  pages<Row extends { seq: number }>(read: PageReader<Row>): AsyncGenerator<Row[]>;
  /** Tasks as the API shows them (Scale JSON). */
  views(): AsyncGenerator<ExportPage<TaskView>>;
  /** Tasks with their JSON left as text, for the formats that copy or convert it. */
  rows(): AsyncGenerator<ExportPage<ExportRow>>;
}

/**
 * The selected tasks in creation order, a page at a time: the keyset walk reads each row once,
 * so memory stays bounded by the page size however large the project. Checks the project and
 * batch first, so a wrong name fails before a response starts.
 */
export async function openExport(
  db: Executor,
  scope: Scope,
  selection: ExportSelection,
): Promise<OpenedExport> {
  const project = await requireProject(db, scope, selection.project);
  let batchId: string | undefined;
  if (selection.batch !== undefined) {
    const batch = await findBatchByName(db, scope, selection.batch);
    if (!batch || batch.project_id !== project.id)
      throw new DomainError(
        'not_found',
        `Batch "${selection.batch}" was not found in this project`,
        'batch',
      );
    batchId = batch.id;
  }
  const filter: ExportFilter = {
    projectId: project.id,
    batchId,
    completedOnly: selection.completedOnly,
  };
  async function* pages<Row extends { seq: number }>(read: PageReader<Row>): AsyncGenerator<Row[]> {
    // The next page is read while the caller converts this one: the database works on another
    // core, so the export is bounded by the slower of the two rather than by their sum.
    let next: Promise<Row[]> | undefined = read(filter, 0, EXPORT_PAGE);
    while (next) {
      const rows: Row[] = await next;
      next = undefined;
      if (rows.length === EXPORT_PAGE) {
        next = read(filter, Number(rows[rows.length - 1]!.seq), EXPORT_PAGE);
        // Seen when awaited; a caller that stops early must not leave an unhandled rejection.
        next.catch(() => undefined);
        // The pool hands the query its connection on a later tick, which would come only once
        // the caller has converted this page, and the database would wait for it: one turn of
        // the event loop lets the query go out first.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (rows.length > 0) yield rows;
      // The driver's result object can stay reachable from objects that are dead but already in
      // the old generation, and through it every row would be promoted too, to wait there for a
      // full collection. Emptying the array once the caller has moved on frees the rows in the
      // young generation (about 0.9 GB less promoted per million tasks, and faster).
      rows.length = 0;
    }
  }
  async function* walk<Row extends { id: string; seq: number }>(
    read: PageReader<Row>,
  ): AsyncGenerator<ExportPage<Row>> {
    for await (const rows of pages(read))
      yield {
        rows,
        answers: selection.answers
          ? await answersOf(
              db,
              scope,
              rows.map((row) => row.id),
            )
          : undefined,
      };
  }
  return {
    projectName: project.name,
    projectType: project.type,
    projectParams: (project.params ?? {}) as Record<string, unknown>,
    labelStudioConfig: project.label_studio_config ?? null,
    completedOnly: selection.completedOnly,
    filter,
    pages,
    views: () => walk((bounds, after, limit) => pageProjectTasks(db, scope, bounds, after, limit)),
    rows: () => walk((bounds, after, limit) => pageExportRows(db, scope, bounds, after, limit)),
  };
}

async function answersOf(db: Executor, scope: Scope, taskIds: string[]): Promise<Answers> {
  const answers: Answers = new Map();
  for (const answer of await listAnswersOfTasks(db, scope, taskIds)) {
    const list = answers.get(answer.task_id) ?? [];
    list.push({
      worker: answer.worker,
      response: answer.response,
      score: answer.score,
      at: answer.created_at.toISOString(),
    });
    answers.set(answer.task_id, list);
  }
  return answers;
}

const json = JSON.stringify;

/**
 * A task as one JSON line: its data, status, response, how the response was reached, answers.
 * The stored JSON is copied as text, never parsed and printed again.
 */
export function taskLine(row: ExportRow, answers: Answers | undefined): string {
  let line = `{"task_id":${json(row.id)},"type":${json(row.type)},"status":${json(row.status)}`;
  if (row.unique_id !== null) line += `,"unique_id":${json(row.unique_id)}`;
  if (row.batch_name !== null) line += `,"batch":${json(row.batch_name)}`;
  line += `,"params":${row.params},"metadata":${row.metadata},"response":${row.response ?? 'null'}`;
  if (row.method !== null || row.confidence !== null)
    line += `,"consensus":${json({ method: row.method, confidence: row.confidence })}`;
  if (answers) line += `,"answers":${json(answers.get(row.id) ?? [])}`;
  if (row.completed_at) line += `,"completed_at":${json(row.completed_at.toISOString())}`;
  return `${line}}`;
}

/**
 * Characters of text an export yields at a time, about. What has been yielded waits in the
 * response's buffers until the client reads it, long enough for the garbage collector to move it
 * to the old generation, which only a full collection empties; smaller chunks keep that small.
 */
const EXPORT_CHUNK = 64 * 1024;

/** JSON lines of tasks with responses, confidences and (on request) every annotator's answer. */
export async function* jsonlExport(pages: AsyncGenerator<ExportPage<ExportRow>>) {
  for await (const page of pages) {
    let chunk = '';
    for (const row of page.rows) {
      chunk += `${taskLine(row, page.answers)}\n`;
      if (chunk.length >= EXPORT_CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  }
}

/** A JSON array of tasks exactly as `GET /v1/task/{id}` shows them, streamed. */
export async function* scaleExport(pages: AsyncGenerator<ExportPage<TaskView>>) {
  let first = true;
  yield '[';
  for await (const page of pages) {
    const items = page.rows.map((task) => JSON.stringify(presentTask(task)));
    if (items.length === 0) continue;
    yield `${first ? '\n' : ',\n'}${items.join(',\n')}`;
    first = false;
  }
  yield '\n]\n';
}
