import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DomainError, nulRefusal, TASK_TYPES, type Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import { insertNewTasks, findTask, type NewTask } from '../repositories/tasks';
import { duplicateUniqueId, finishTask, prepareTask, type Placement } from './tasks';
import type { Effects } from './effects';
import { DEFAULT_SETTINGS } from './settings';

/** Rows per INSERT: large enough to amortise round trips, far below PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;
/** Longest accepted NDJSON line, in characters. */
export const MAX_LINE = 1024 * 1024;

export interface BulkResult {
  created: number;
  task_ids: string[];
}

/** A prepared row with the line it came from and, for imported labels, its response. */
interface PendingTask {
  row: NewTask;
  line: number;
  response: Record<string, unknown> | undefined;
}

export interface TaskWriterOptions {
  effects: Effects;
  now: () => Date;
  /** Leave out a row whose unique_id is taken, reporting it here, instead of failing. */
  onConflict?: (line: number, error: DomainError) => void;
}

/**
 * Inserts prepared task rows a chunk at a time in the caller's transaction, so memory holds one
 * chunk however many rows come. A unique_id already stored or repeated in the request is refused
 * with its line, or, given `onConflict`, reported there and the row left out. Rows with a
 * response are completed with it; test keys complete the others at once, as single creates do.
 */
export class TaskWriter {
  #chunk: PendingTask[] = [];
  #seenUniqueIds = new Set<string>();
  #created = 0;
  readonly #db: Executor;
  readonly #scope: Scope;
  readonly #options: TaskWriterOptions;

  constructor(db: Executor, scope: Scope, options: TaskWriterOptions) {
    this.#db = db;
    this.#scope = scope;
    this.#options = options;
  }

  /** Tasks inserted so far. */
  get created(): number {
    return this.#created;
  }

  /** Queues a row; false when it was left out (a repeated unique_id reported to onConflict). */
  async add(row: NewTask, line: number, response?: Record<string, unknown>): Promise<boolean> {
    if (typeof row.unique_id === 'string') {
      if (this.#seenUniqueIds.has(row.unique_id)) {
        const error = new DomainError(
          'conflict',
          `unique_id "${row.unique_id}" appears twice in this request`,
          'unique_id',
        );
        if (!this.#options.onConflict) throw lineError(line, error);
        this.#options.onConflict(line, error);
        return false;
      }
      this.#seenUniqueIds.add(row.unique_id);
    }
    this.#chunk.push({ row, line, response });
    if (this.#chunk.length >= CHUNK) await this.flush();
    return true;
  }

  /** Inserts what is queued. */
  async flush(): Promise<void> {
    const db = this.#db;
    const scope = this.#scope;
    const { effects, now, onConflict } = this.#options;
    let chunk = this.#chunk;
    this.#chunk = [];
    if (chunk.length === 0) return;
    const inserted = new Set(
      await insertNewTasks(
        db,
        scope,
        chunk.map((c) => c.row),
        DEFAULT_SETTINGS.consensus.min,
      ),
    );
    if (inserted.size < chunk.length) {
      for (const clash of chunk.filter((c) => !inserted.has(c.row.id))) {
        const error = duplicateUniqueId(clash.row.unique_id ?? '');
        if (!onConflict) throw lineError(clash.line, error);
        onConflict(clash.line, error);
      }
      chunk = chunk.filter((c) => inserted.has(c.row.id));
    }
    this.#created += chunk.length;
    for (const { row, response } of chunk) {
      if (!response && scope.livemode) continue;
      const task = (await findTask(db, scope, row.id))!;
      // Test keys complete at once, as single creates do.
      const answer =
        response ?? TASK_TYPES[task.type]!.testResponse(task.params as Record<string, unknown>);
      await finishTask(db, scope, task, answer, effects, now());
    }
  }
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
  const ids: string[] = [];
  const writer = new TaskWriter(db, scope, { effects: options.effects, now: options.now });
  let lineNumber = 0;

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
    const refused = nulRefusal(body);
    if (refused) throw lineError(lineNumber, refused);
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
    await writer.add(row, lineNumber);
    ids.push(row.id);
  }
  await writer.flush();
  if (ids.length === 0)
    throw new DomainError('invalid', 'body: no tasks (one JSON object per line)', 'body');
  return { created: ids.length, task_ids: ids };
}

/** Re-labels an error with the line it came from, keeping its code and field. */
export function lineError(line: number, error: unknown): unknown {
  if (!(error instanceof DomainError)) return error;
  const field = error.field ? `line ${line}: ${error.field}` : `line ${line}`;
  return new DomainError(error.code, `line ${line}: ${error.message}`, field);
}
