import type { Readable } from 'node:stream';
import {
  DomainError,
  MAX_IMPORT_PROBLEMS,
  parseTaskResponse,
  type ImportProblem,
  type ImportResult,
  type ImportTasksOptions,
  type Scope,
} from '@quorum/core';
import {
  CsvReader,
  FormatError,
  JsonArrayReader,
  JsonLinesReader,
  checkCsvHeader,
  fromLabelStudioTask,
  labelStudioConfigXml,
  parseLabelStudioConfig,
  parseTaskColumns,
  rowOf,
  taskBodyFromCells,
  type Chunk,
  type CsvRecord,
  type JsonLine,
  type LabelStudioConfig,
} from '@quorum/formats';
import type { Executor } from '../db/executor';
import type { ProjectRow } from '../db/schema';
import { findBatchByName } from '../repositories/batches';
import type { NewTask } from '../repositories/tasks';
import { TaskWriter, lineError } from './bulk';
import type { Effects } from './effects';
import { createProject, type ProjectView } from './projects';
import { requireProject } from './settings';
import { prepareTask, type Placement } from './tasks';

/** Task types whose params take pre-labels (`hypothesis`). */
const PRELABEL_TYPES = new Set(['imageannotation', 'namedentityrecognition']);

/** One row of an import: a create-task body (and imported labels), or why it cannot be one. */
type ImportRow =
  | { line: number; body: Record<string, unknown>; response?: Record<string, unknown> }
  | { line: number; error: unknown };

export interface TaskImportInput extends ImportTasksOptions {
  /** The project's name or id. */
  project: string;
  /** The request body's media type, which says how a Label Studio file is laid out. */
  contentType: string;
  body: Readable;
}

/**
 * The Label Studio config a project's tasks are read and written under: the one it was created
 * from, else one written from its type and params (control names `box`, `polygon`, `point`…).
 */
export function labelStudioConfigOf(project: ProjectRow): LabelStudioConfig {
  if (project.label_studio_config !== null)
    return parseLabelStudioConfig(project.label_studio_config);
  try {
    const { xml } = labelStudioConfigXml(project.type, project.params as Record<string, unknown>);
    return parseLabelStudioConfig(xml);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    throw new DomainError(
      'invalid',
      `project "${project.name}" has no Label Studio config to read tasks with (${error.message}); ` +
        'create it with POST /api/v1/projects/from-labelstudio-config',
      'format',
    );
  }
}

/**
 * Refuses an import's `batch` before any row is read: a batch that does not exist, is completed
 * or belongs to another project is the request's fault, not every row's.
 */
export async function checkImportBatch(
  db: Executor,
  scope: Scope,
  project: ProjectRow,
  name: string | undefined,
): Promise<void> {
  if (name === undefined) return;
  const batch = await findBatchByName(db, scope, name);
  if (!batch) throw new DomainError('not_found', `Batch "${name}" was not found`, 'batch');
  if (batch.project_id !== project.id)
    throw new DomainError('invalid', `batch: batch "${name}" belongs to another project`, 'batch');
  if (batch.status === 'completed')
    throw new DomainError(
      'invalid',
      `batch: batch "${name}" is completed; add tasks to a new batch`,
      'batch',
    );
}

/**
 * Creates a task in `project` for each row of a CSV, JSON Lines or Label Studio file streaming
 * in, all in the caller's transaction: a bad row names its line and nothing is kept, unless
 * `skipBadRows`, when the good rows are kept and the bad ones listed. A file that cannot be read
 * at all (broken CSV quoting, a NUL, invalid UTF-8, a broken JSON array) is refused whole either
 * way. Rows are inserted a chunk at a time, so memory holds one chunk.
 */
export async function importTasks(
  db: Executor,
  scope: Scope,
  input: TaskImportInput,
  options: { effects: Effects; now: () => Date },
): Promise<ImportResult> {
  const project = await requireProject(db, scope, input.project);
  await checkImportBatch(db, scope, project, input.batch);
  const skipping = input.skipBadRows === 'true';
  const problems: ImportProblem[] = [];
  let skipped = 0;
  const reject = (line: number, error: unknown) => {
    if (!(error instanceof DomainError)) throw error;
    if (!skipping) throw atLine(line, error);
    skipped++;
    if (problems.length < MAX_IMPORT_PROBLEMS) problems.push({ line, reason: reasonOf(error) });
  };
  const writer = new TaskWriter(db, scope, {
    ...options,
    ...(skipping ? { onConflict: reject } : {}),
  });
  const placements = new Map<string, Placement>();
  for await (const item of rowsOf(project, input, skipping, reject)) {
    if ('error' in item) {
      reject(item.line, item.error);
      continue;
    }
    let row: NewTask;
    let response: Record<string, unknown> | undefined;
    try {
      const body = placed(item.body, project, input.batch);
      row = await prepareTask(db, scope, 'task', project.type, body, options.now(), placements);
      if (item.response)
        response = parseTaskResponse(project.type, item.response, JSON.parse(row.params));
    } catch (error) {
      reject(item.line, error);
      continue;
    }
    await writer.add(row, item.line, response);
  }
  await writer.flush();
  if (writer.created === 0 && skipped === 0)
    throw new DomainError('invalid', 'body: the file has no tasks', 'body');
  return { created: writer.created, skipped, problems };
}

/** The row's body in the import's project (and batch, unless the row names one). */
function placed(
  body: Record<string, unknown>,
  project: ProjectRow,
  batch: string | undefined,
): Record<string, unknown> {
  const { type, ...rest } = body;
  if (type !== undefined && type !== project.type)
    throw new DomainError(
      'invalid',
      `type: project "${project.name}" is for ${project.type} tasks, not ${String(type)}`,
      'type',
    );
  if (rest.project !== undefined && rest.project !== project.name && rest.project !== project.id)
    throw new DomainError(
      'invalid',
      `project: this import goes into project "${project.name}"; leave "project" out of the rows`,
      'project',
    );
  return {
    ...rest,
    project: project.name,
    ...(batch !== undefined && rest.batch === undefined ? { batch } : {}),
  };
}

function rowsOf(
  project: ProjectRow,
  input: TaskImportInput,
  skipping: boolean,
  reject: (line: number, error: unknown) => void,
): AsyncGenerator<ImportRow> {
  switch (input.format) {
    case 'csv':
      return csvRows(input.body, input.delimiter);
    case 'jsonl':
      return jsonRows(input.body, 'jsonl', skipping, reject);
    case 'labelstudio':
      return labelStudioRows(project, input, skipping, reject);
  }
}

/** CSV rows as bodies (see formats' parseTaskColumns); a row of the wrong width is a bad row. */
async function* csvRows(body: Readable, delimiter: string | undefined): AsyncGenerator<ImportRow> {
  const reader = new CsvReader(delimiter === undefined ? {} : { delimiter });
  let header: string[] | undefined;
  let columns: ReturnType<typeof parseTaskColumns> = [];
  const rowOfRecord = (record: CsvRecord): ImportRow | undefined => {
    if (!header) {
      header = checkCsvHeader(record);
      columns = parseTaskColumns(header, { line: record.line });
      return undefined;
    }
    try {
      const row = rowOf(header, record);
      const cells = taskBodyFromCells(
        columns,
        row.values,
        { type: '', validate: false },
        { line: row.line },
      );
      return { line: row.line, body: cells };
    } catch (error) {
      return { line: record.line, error };
    }
  };
  for await (const chunk of body as AsyncIterable<Chunk>)
    for (const record of reader.push(chunk)) {
      const row = rowOfRecord(record);
      if (row) yield row;
    }
  for (const record of reader.end()) {
    const row = rowOfRecord(record);
    if (row) yield row;
  }
  if (!header) throw new FormatError('has no header line');
}

/** JSON values of a JSON Lines body or a JSON array, one at a time. */
async function* jsonValues(
  body: Readable,
  layout: 'jsonl' | 'array',
  skipping: boolean,
  reject: (line: number, error: unknown) => void,
): AsyncGenerator<JsonLine> {
  const onBad = ({ line, message }: { line: number; message: string }) =>
    reject(line, new FormatError(message, { line }));
  const reader =
    layout === 'jsonl'
      ? new JsonLinesReader({ skipBadLines: skipping, onBadLine: onBad })
      : new JsonArrayReader({ skipBadItems: skipping, onBadItem: onBad });
  for await (const chunk of body as AsyncIterable<Chunk>) yield* reader.push(chunk);
  yield* reader.end();
}

async function* jsonRows(
  body: Readable,
  layout: 'jsonl' | 'array',
  skipping: boolean,
  reject: (line: number, error: unknown) => void,
): AsyncGenerator<ImportRow> {
  for await (const { line, value } of jsonValues(body, layout, skipping, reject)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      yield {
        line,
        error: new DomainError('invalid', 'must be a JSON object (a create-task body)'),
      };
    else yield { line, body: value as Record<string, unknown> };
  }
}

/**
 * Label Studio tasks (a JSON array, one task object, or JSON Lines) under the project's config:
 * the chosen results become pre-labels (`hypothesis`) or the response, the image size they were
 * drawn on goes to `metadata.image_width` / `image_height`.
 */
async function* labelStudioRows(
  project: ProjectRow,
  input: TaskImportInput,
  skipping: boolean,
  reject: (line: number, error: unknown) => void,
): AsyncGenerator<ImportRow> {
  const config = labelStudioConfigOf(project);
  if (config.type !== project.type)
    throw new DomainError(
      'invalid',
      `project "${project.name}" is for ${project.type} tasks, but its Label Studio config describes ${config.type} tasks`,
      'project',
    );
  const layout = input.contentType === 'application/x-ndjson' ? 'jsonl' : 'array';
  for await (const { line, value } of jsonValues(input.body, layout, skipping, reject)) {
    try {
      yield { line, ...labelStudioRow(value, config, project, input, line) };
    } catch (error) {
      yield { line, error };
    }
  }
}

function labelStudioRow(
  value: unknown,
  config: LabelStudioConfig,
  project: ProjectRow,
  input: TaskImportInput,
  line: number,
): { body: Record<string, unknown>; response?: Record<string, unknown> } {
  const task =
    input.labels === 'none' && typeof value === 'object' && value !== null
      ? { ...value, annotations: undefined, predictions: undefined }
      : value;
  const imported = fromLabelStudioTask(task, config, {
    line,
    source: input.labels === 'annotations' ? 'annotations' : 'predictions',
    textOffsets: input.text_offsets,
    validate: false,
  });
  // The config's params stand for the project's own, which the task takes as its defaults.
  const body: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(imported.body))
    if (!Object.hasOwn(config.params, key) && key !== 'hypothesis') body[key] = item;
  if (imported.image) {
    body.metadata = {
      ...(body.metadata as Record<string, unknown> | undefined),
      image_width: imported.image.width,
      image_height: imported.image.height,
    };
  }
  if (!imported.response) return { body };
  if (input.as === 'responses') return { body, response: imported.response };
  if (!PRELABEL_TYPES.has(project.type))
    throw new DomainError(
      'invalid',
      `${project.type} tasks take no pre-labels; import with as=responses to keep these results as the answer, or labels=none to leave them out`,
      'as',
    );
  return { body: { ...body, hypothesis: imported.response } };
}

/** The error named with its line (format errors name it already). */
function atLine(line: number, error: DomainError): unknown {
  if (error instanceof FormatError && error.line !== undefined) return error;
  return lineError(line, error);
}

/** What was wrong with a row, without its location (the problem carries the line). */
function reasonOf(error: DomainError): string {
  return error instanceof FormatError ? error.detail : error.message;
}

/**
 * Creates a project from a Label Studio labeling config: the task type and params
 * `parseLabelStudioConfig` reads from it, and the config itself, kept so the project's Label
 * Studio tasks import under its control names. Unsupported tags are refused by name and line.
 */
export async function createLabelStudioProject(
  db: Executor,
  scope: Scope,
  input: { name: string; config: string },
  now: Date,
): Promise<ProjectView> {
  let parsed: LabelStudioConfig;
  try {
    parsed = parseLabelStudioConfig(input.config);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    throw new DomainError('invalid', `config: ${error.message}`, 'config');
  }
  return createProject(
    db,
    scope,
    { type: parsed.type, name: input.name, params: parsed.params, labelStudioConfig: input.config },
    now,
  );
}
