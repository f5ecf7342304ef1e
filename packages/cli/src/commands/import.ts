import { basename, extname } from 'node:path';
import type {
  ArchiveImportInput,
  ArchiveImportResult,
  ImportResult,
  ImportTasksInput,
  QuorumClient,
} from '@quorum/sdk';
import type { Command } from '../main';
import { InputError } from '../csv';
import { formatCount, formatDuration } from '../progress';
import { ProgressDisplay } from '../progress-display';
import { CONNECTION_HELP, clientFor, Output, readRemoteFlags, runRemote } from '../remote';
import { fileBody, fileSize } from '../upload';

const HELP = `Usage:
  quorum import --project NAME FILE [--format csv|jsonl|labelstudio|zip] [--skip-bad-rows]
                [--batch NAME] [--labels predictions|annotations|none] [--as prelabels|responses]
                [--text-offsets codepoints|utf16] [--delimiter C] [--quiet] [--json]

Creates tasks in a project from a file, uploaded as it is read (the file is never held in
memory). The format comes from the extension when --format is not given:
  .csv              csv: a column per create-task field (attachment, text, metadata.source,
                    geometries:json…; see docs/formats.md)
  .jsonl, .ndjson   jsonl: one create-task body per line
  .json             labelstudio: a Label Studio export (its task array)
  .zip              zip: images with their COCO, YOLO, VOC or Label Studio annotations, one
                    image annotation task per image, the annotations as pre-labels

A file is imported all or nothing: the first bad row refuses the whole file, naming its line
(exit code 1), unless --skip-bad-rows, which imports the good rows and lists the bad ones.

Options:
  --project NAME     the project the tasks go to (name or id); the task type is the project's
  --format F         see above
  --skip-bad-rows    import the good rows and list the bad (not for zip)
  --batch NAME       the batch every task goes to, unless a row names its own
  --labels L         labelstudio and zip: read the first prediction (default), the first
                     annotation, or none
  --as A             labelstudio: results become pre-labels (default) or the completed response
  --text-offsets U   labelstudio: the unit of text offsets (utf16 for older exports)
  --delimiter C      csv: the delimiter (default ",")
  --quiet            no progress on standard error

Output: what was created and skipped, and why (first problems); with --json the server's
answer: {"created", "skipped", "problems": [{"line", "reason"}]}, or for a zip
{"created", "task_ids", "prelabeled", "formats", "ignored"}. Upload progress (bytes sent of the
file's size, rate, ETA) is drawn on standard error.

${CONNECTION_HELP}`;

const FORMATS = ['csv', 'jsonl', 'labelstudio', 'zip'] as const;
type FileFormat = (typeof FORMATS)[number];

const BY_EXTENSION: Record<string, FileFormat> = {
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'labelstudio',
  '.zip': 'zip',
};

/** Problems listed in the human summary; --json has them all. */
const SHOWN_PROBLEMS = 20;

export interface ImportOptions {
  project: string;
  file: string;
  format: FileFormat;
  tasks: ImportTasksInput | undefined;
  archive: ArchiveImportInput | undefined;
  quiet: boolean;
  json: boolean;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]) {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw new InputError(`${flag} must be ${allowed.join(', ')} — not "${value}"`);
}

export function parseImportOptions(
  values: {
    project?: string | undefined;
    format?: string | undefined;
    'skip-bad-rows'?: boolean | undefined;
    batch?: string | undefined;
    labels?: string | undefined;
    as?: string | undefined;
    'text-offsets'?: string | undefined;
    delimiter?: string | undefined;
    quiet?: boolean | undefined;
    json?: boolean | undefined;
  },
  positionals: string[],
): ImportOptions {
  if (!values.project) throw new InputError('--project is required');
  const [file, ...rest] = positionals;
  if (!file) throw new InputError('give the file to import: quorum import --project NAME FILE');
  if (rest.length > 0) throw new InputError(`one file at a time (also given: "${rest[0]}")`);
  const format =
    oneOf('--format', values.format, FORMATS) ?? BY_EXTENSION[extname(file).toLowerCase()];
  if (!format)
    throw new InputError(
      `cannot tell the format of "${basename(file)}" from its extension; give --format (${FORMATS.join(', ')})`,
    );
  const labels = oneOf('--labels', values.labels, ['predictions', 'annotations', 'none'] as const);
  const as = oneOf('--as', values.as, ['prelabels', 'responses'] as const);
  const offsets = oneOf('--text-offsets', values['text-offsets'], ['codepoints', 'utf16'] as const);
  const only = (flag: string, given: unknown, formats: FileFormat[]) => {
    if (given !== undefined && given !== false && !formats.includes(format))
      throw new InputError(`${flag} is for ${formats.join(' and ')} files, not ${format}`);
  };
  only('--skip-bad-rows', values['skip-bad-rows'], ['csv', 'jsonl', 'labelstudio']);
  only('--labels', labels, ['labelstudio', 'zip']);
  only('--as', as, ['labelstudio']);
  only('--text-offsets', offsets, ['labelstudio']);
  only('--delimiter', values.delimiter, ['csv']);
  if (values.delimiter !== undefined && [...values.delimiter].length !== 1)
    throw new InputError('--delimiter must be one character');
  const common = { quiet: values.quiet ?? false, json: values.json ?? false };
  if (format === 'zip')
    return {
      project: values.project,
      file,
      format,
      tasks: undefined,
      archive: { batch: values.batch, labels },
      ...common,
    };
  return {
    project: values.project,
    file,
    format,
    tasks: {
      format,
      skipBadRows: values['skip-bad-rows'] || undefined,
      batch: values.batch,
      labels,
      as,
      text_offsets: offsets,
      delimiter: values.delimiter,
    },
    archive: undefined,
    ...common,
  };
}

export type ImportAnswer =
  { kind: 'tasks'; result: ImportResult } | { kind: 'archive'; result: ArchiveImportResult };

/** Uploads the file with progress on standard error; the server's answer. */
export async function runImport(
  client: QuorumClient,
  options: ImportOptions,
): Promise<ImportAnswer> {
  const size = await fileSize(options.file);
  const progress = new ProgressDisplay({
    label: 'upload',
    quiet: options.quiet,
    bytesTotal: size,
  }).start();
  const body = fileBody(options.file, (bytes, done) => {
    progress.advance(bytes);
    if (done) progress.setNote('sent; the server is importing…');
  });
  try {
    if (options.archive)
      return {
        kind: 'archive',
        result: await client.projects.importArchive(options.project, body, options.archive),
      };
    return {
      kind: 'tasks',
      result: await client.projects.importTasks(options.project, body, options.tasks!),
    };
  } finally {
    progress.stop();
  }
}

/** The answer for people: counts, then the first problems with their lines. */
export function describeImport(
  answer: ImportAnswer,
  options: { project: string; file: string; seconds: number },
): string[] {
  const into = `into ${options.project} from ${basename(options.file)} in ${formatDuration(options.seconds)}`;
  if (answer.kind === 'archive') {
    const { created, prelabeled, formats, ignored } = answer.result;
    const lines = [
      `Imported ${formatCount(created)} image tasks ${into}` +
        (formats.length > 0
          ? ` (${formatCount(prelabeled)} with pre-labels from ${formats.join(', ')})`
          : ''),
    ];
    if (ignored.length > 0)
      lines.push(
        `Ignored ${formatCount(ignored.length)} entries that are neither images nor annotations: ` +
          ignored.slice(0, SHOWN_PROBLEMS).join(', ') +
          (ignored.length > SHOWN_PROBLEMS ? ', …' : ''),
      );
    return lines;
  }
  const { created, skipped, problems } = answer.result;
  const lines = [
    `Imported ${formatCount(created)} tasks ${into}` +
      (skipped > 0 ? `; skipped ${formatCount(skipped)} bad rows:` : ''),
  ];
  for (const problem of problems.slice(0, SHOWN_PROBLEMS))
    lines.push(`  line ${problem.line}: ${problem.reason}`);
  if (skipped > Math.min(problems.length, SHOWN_PROBLEMS))
    lines.push(
      `  … and ${formatCount(skipped - Math.min(problems.length, SHOWN_PROBLEMS))} more (--json lists ${problems.length})`,
    );
  return lines;
}

export const importCommand: Command = {
  summary: 'Import tasks from a CSV, JSON Lines, Label Studio or ZIP file into a project',
  run: (args) =>
    runRemote('import', async () => {
      const { values, positionals } = readRemoteFlags(
        args,
        {
          project: { type: 'string' },
          format: { type: 'string' },
          'skip-bad-rows': { type: 'boolean' },
          batch: { type: 'string' },
          labels: { type: 'string' },
          as: { type: 'string' },
          'text-offsets': { type: 'string' },
          delimiter: { type: 'string' },
          quiet: { type: 'boolean', default: false },
        },
        'import',
      );
      if (values.help) {
        console.log(HELP);
        return 0;
      }
      const options = parseImportOptions(values, positionals);
      const client = clientFor(values);
      const started = performance.now();
      const answer = await runImport(client, options);
      const output = new Output();
      if (options.json) await output.json(answer.result);
      else {
        const seconds = (performance.now() - started) / 1000;
        for (const line of describeImport(answer, { ...options, seconds })) await output.line(line);
      }
      return 0;
    }),
};
