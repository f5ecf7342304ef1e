import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DomainError, TASK_TYPES, type Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import {
  findTasksByUniqueIds,
  insertTasksQuietly,
  findTask,
  type NewTask,
} from '../repositories/tasks';
import { finishTask, prepareTask, type Placement } from './tasks';
import type { Effects } from './effects';

/** Rows per INSERT: large enough to amortise round trips, far below PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;
/** Longest accepted NDJSON line, in characters. */
export const MAX_LINE = 1024 * 1024;

export interface BulkResult {
  created: number;
  task_ids: string[];
}

/**
 * Creates one task per NDJSON line, all in the caller's transaction: a bad line names its number
 * and nothing is kept. Lines are parsed and inserted a chunk at a time, so memory stays flat
 * however long the stream is (only the ids are kept, for the answer).
 */
export async function createTasksFromNdjson(
  db: Executor,
  scope: Scope,
  input: Readable,
  options: { defaultType?: string; effects: Effects; now: () => Date },
): Promise<BulkResult> {
  const placements = new Map<string, Placement>();
  const seenUniqueIds = new Set<string>();
  const ids: string[] = [];
  let chunk: Array<{ row: NewTask; line: number }> = [];
  let lineNumber = 0;

  const flush = async () => {
    if (chunk.length === 0) return;
    const uniqueIds = chunk
      .map((c) => c.row.unique_id)
      .filter((u): u is string => typeof u === 'string');
    const taken = await findTasksByUniqueIds(db, scope, uniqueIds);
    if (taken.length > 0) {
      const clash = chunk.find((c) => c.row.unique_id === taken[0]!.unique_id)!;
      throw lineError(
        clash.line,
        new DomainError(
          'conflict',
          `A task with unique_id "${clash.row.unique_id}" already exists`,
          'unique_id',
        ),
      );
    }
    await insertTasksQuietly(
      db,
      scope,
      chunk.map((c) => c.row),
    );
    if (!scope.livemode) {
      // Test keys complete at once, as single creates do.
      for (const { row } of chunk) {
        const task = (await findTask(db, scope, row.id))!;
        const response = TASK_TYPES[task.type]!.testResponse(
          task.params as Record<string, unknown>,
        );
        await finishTask(db, scope, task, response, options.effects, options.now());
      }
    }
    chunk = [];
  };

  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    if (text.length > MAX_LINE) {
      throw lineError(
        lineNumber,
        new DomainError('invalid', `line is longer than ${MAX_LINE} characters`),
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw lineError(
        lineNumber,
        new DomainError('invalid', `malformed JSON (${(error as Error).message})`),
      );
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw lineError(lineNumber, new DomainError('invalid', 'each line must be a JSON object'));
    }
    const { type = options.defaultType, ...rest } = body as Record<string, unknown>;
    if (typeof type !== 'string') {
      throw lineError(
        lineNumber,
        new DomainError('invalid', 'type: is required (in the line or as ?type=)', 'type'),
      );
    }
    let row: NewTask;
    try {
      row = await prepareTask(db, scope, 'task', type, rest, options.now(), placements);
    } catch (error) {
      throw lineError(lineNumber, error);
    }
    if (typeof row.unique_id === 'string') {
      if (seenUniqueIds.has(row.unique_id)) {
        throw lineError(
          lineNumber,
          new DomainError(
            'conflict',
            `unique_id "${row.unique_id}" appears twice in this request`,
            'unique_id',
          ),
        );
      }
      seenUniqueIds.add(row.unique_id);
    }
    ids.push(row.id);
    chunk.push({ row, line: lineNumber });
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  if (ids.length === 0)
    throw new DomainError('invalid', 'body: no tasks (one JSON object per line)', 'body');
  return { created: ids.length, task_ids: ids };
}

/** Re-labels an error with the line it came from, keeping its code and field. */
function lineError(line: number, error: unknown): unknown {
  if (!(error instanceof DomainError)) return error;
  const field = error.field ? `line ${line}: ${error.field}` : `line ${line}`;
  return new DomainError(error.code, `line ${line}: ${error.message}`, field);
}
