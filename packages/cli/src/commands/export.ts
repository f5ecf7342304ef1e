import { open } from 'node:fs/promises';
import { relative } from 'node:path';
import { QuorumError, type ProjectExportQuery, type QuorumClient } from '@quorum/sdk';
import type { Command } from '../main';
import { InputError } from '../csv';
import { fileDestination, folderDestination, writeStaged, type Destination } from '../destination';
import { formatBytes, formatCount, formatDuration } from '../progress';
import { ProgressDisplay } from '../progress-display';
import { recordCounterFor } from '../record-count';
import { CONNECTION_HELP, clientFor, Output, readRemoteFlags, runRemote } from '../remote';
import { extractZipStream } from '../unzip';

const HELP = `Usage:
  quorum export --project NAME --format FORMAT --out PATH [--status completed|all]
                [--batch NAME] [--answers] [--zip] [--quiet] [--json]

Downloads a project's tasks in a training-data format, streamed to the file as the server
writes it (memory stays small however large the project).

Formats (those the server offers): jsonl, scale, coco, yolo, voc, conll, spacy, csv,
labelstudio. yolo and voc are several files: --out is then a folder (new, or empty) that the
archive is extracted into as it downloads; entries with absolute paths or ".." are refused. With
--zip the archive is kept as one file instead.

Options:
  --project NAME     the project (name or id)
  --format FORMAT    see above
  --out PATH         the file (or folder) to write; "-" writes to standard output
  --status S         completed (default) or all (every task, with its status)
  --batch NAME       only this batch's tasks
  --answers          jsonl: add every annotator's answer
  --zip              keep an archive format's ZIP as one file at --out
  --quiet            no progress and no summary on standard error

The file appears at --out only once complete (it is written beside it under a hidden name
first); an interrupted or failed export leaves nothing. Progress (bytes, tasks when they can be
counted, rate, and ETA from the project's task count) is drawn on standard error when it is a
terminal, else written as a line every 10 seconds.

Output with --json (not with --out -): one JSON document
  {"project", "format", "out", "bytes", "tasks"?, "files"?, "seconds"}
where tasks is the number of records written (formats whose records can be counted from their
bytes) and files the number of files extracted from an archive.

${CONNECTION_HELP}`;

/** Formats the server answers with a ZIP archive of several files. */
export const ARCHIVE_FORMATS: ReadonlySet<string> = new Set(['yolo', 'voc']);

export interface ExportOptions {
  project: string;
  format: string;
  out: string;
  status: 'completed' | 'all' | undefined;
  batch: string | undefined;
  answers: boolean;
  keepZip: boolean;
  quiet: boolean;
  json: boolean;
}

export function parseExportOptions(values: {
  project?: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
  status?: string | undefined;
  batch?: string | undefined;
  answers?: boolean | undefined;
  zip?: boolean | undefined;
  quiet?: boolean | undefined;
  json?: boolean | undefined;
}): ExportOptions {
  if (!values.project) throw new InputError('--project is required');
  if (!values.format) throw new InputError('--format is required (e.g. jsonl, coco, yolo)');
  if (!/^[a-z][a-z0-9_-]*$/.test(values.format))
    throw new InputError(`--format: "${values.format}" is not a format name`);
  if (!values.out)
    throw new InputError('--out is required: the file (or folder) to write, or "-" for stdout');
  const status = values.status;
  if (status !== undefined && status !== 'completed' && status !== 'all')
    throw new InputError(`--status must be completed or all, not "${status}"`);
  if (values.zip && !ARCHIVE_FORMATS.has(values.format))
    throw new InputError(
      `--zip is for formats that are archives (${[...ARCHIVE_FORMATS].join(', ')}), not ${values.format}`,
    );
  if (values.json && values.out === '-')
    throw new InputError('--json with --out - would mix the summary into the export; give a file');
  return {
    project: values.project,
    format: values.format,
    out: values.out,
    status,
    batch: values.batch,
    answers: values.answers ?? false,
    keepZip: values.zip ?? false,
    quiet: values.quiet ?? false,
    json: values.json ?? false,
  };
}

/** How many tasks the export will hold, from the task list's total; undefined if unknown. */
async function countTasks(
  client: QuorumClient,
  options: ExportOptions,
): Promise<number | undefined> {
  try {
    const page = await client.tasks.list({
      project: options.project,
      batch: options.batch,
      status: options.status === 'all' ? undefined : 'completed',
      limit: 1,
    });
    return page.total;
  } catch (error) {
    // The export itself will say what is wrong; the count only feeds the ETA.
    if (error instanceof QuorumError) return undefined;
    throw error;
  }
}

export interface ExportSummary {
  project: string;
  format: string;
  out: string;
  bytes: number;
  tasks?: number;
  files?: number;
  seconds: number;
}

/** Runs an export to its destination; the summary says what was written. */
export async function runExport(
  client: QuorumClient,
  options: ExportOptions,
): Promise<ExportSummary> {
  const started = performance.now();
  const archive = ARCHIVE_FORMATS.has(options.format);
  const toStdout = options.out === '-';
  const extract = archive && !options.keepZip && !toStdout;
  if (toStdout && archive && process.stdout.isTTY)
    throw new InputError('--out -: a ZIP archive is not for a terminal; redirect it to a file');
  // Checked before anything is asked of the server.
  let destination: Destination | undefined;
  if (!toStdout)
    destination = extract
      ? await folderDestination(options.out)
      : await fileDestination(options.out);
  const total = options.quiet ? undefined : await countTasks(client, options);
  const query = {
    format: options.format as ProjectExportQuery['format'],
    status: options.status,
    batch: options.batch,
    answers: options.answers ? true : undefined,
  };
  const download = await client.projects.exportStream(options.project, query);
  const isZip = /^application\/(zip|x-zip-compressed)\b/i.test(download.contentType);
  if (extract && !isZip) {
    await download.body.cancel().catch(() => undefined);
    throw new InputError(
      `the server answered ${options.format} with ${download.contentType}, not a ZIP archive; nothing was written`,
    );
  }
  const counter = isZip ? undefined : recordCounterFor(options.format, download.contentType);
  const progress = new ProgressDisplay({
    label: 'export',
    quiet: options.quiet,
    itemNoun: extract ? 'files' : counter ? 'tasks' : undefined,
    itemsTotal: counter ? total : undefined,
  }).start();
  let records = 0;
  let files: number | undefined;
  const summary = (bytes: number): ExportSummary => ({
    project: options.project,
    format: options.format,
    out: toStdout ? '-' : destination!.path,
    bytes,
    ...(counter?.isCounting ? { tasks: records } : {}),
    ...(files !== undefined ? { files } : {}),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  });
  try {
    if (toStdout) {
      const output = new Output();
      for await (const chunk of download.body) {
        const count = counter?.push(chunk) ?? 0;
        records += count;
        progress.advance(chunk.length, count);
        await output.write(chunk);
      }
      records += counter?.end() ?? 0;
      return summary(progress.tracker.bytes);
    }
    if (extract) {
      const extracted = await writeStaged(destination!, (folder) =>
        extractZipStream(download.body, folder, {
          onChunk: (bytes, completed) => progress.advance(bytes, completed),
        }),
      );
      files = extracted.files;
      return summary(progress.tracker.bytes);
    }
    await writeStaged(destination!, async (staging) => {
      const file = await open(staging, 'wx');
      try {
        for await (const chunk of download.body) {
          const count = counter?.push(chunk) ?? 0;
          records += count;
          progress.advance(chunk.length, count);
          await file.write(chunk);
        }
        records += counter?.end() ?? 0;
      } finally {
        await file.close();
      }
    });
    return summary(progress.tracker.bytes);
  } finally {
    progress.stop();
  }
}

/** The summary for people: what was written where, how big, how long. */
export function describeExport(summary: ExportSummary): string {
  const where =
    summary.out === '-' ? 'standard output' : relative(process.cwd(), summary.out) || '.';
  const took = `in ${formatDuration(summary.seconds)}`;
  if (summary.files !== undefined)
    return `Extracted ${formatCount(summary.files)} files from a ${formatBytes(summary.bytes)} archive into ${where} ${took}`;
  const what =
    summary.tasks !== undefined
      ? `${formatCount(summary.tasks)} tasks (${formatBytes(summary.bytes)})`
      : formatBytes(summary.bytes);
  return `Exported ${what} of ${summary.project} as ${summary.format} to ${where} ${took}`;
}

export const exportCommand: Command = {
  summary:
    'Export a project’s tasks (jsonl, scale, coco, yolo, voc, conll, spacy, csv, labelstudio)',
  run: (args) =>
    runRemote('export', async () => {
      const { values, positionals } = readRemoteFlags(
        args,
        {
          project: { type: 'string' },
          format: { type: 'string' },
          out: { type: 'string' },
          status: { type: 'string' },
          batch: { type: 'string' },
          answers: { type: 'boolean', default: false },
          zip: { type: 'boolean', default: false },
          quiet: { type: 'boolean', default: false },
        },
        'export',
      );
      if (values.help) {
        console.log(HELP);
        return 0;
      }
      if (positionals.length > 0) throw new InputError(`unexpected argument "${positionals[0]}"`);
      const options = parseExportOptions(values);
      const client = clientFor(values);
      const summary = await runExport(client, options);
      if (options.json) await new Output().json(summary);
      else if (!options.quiet) console.error(describeExport(summary));
      return 0;
    }),
};
