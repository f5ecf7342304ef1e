import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ImageAnnotation, Scope } from '@quorum/core';
import { CocoWriter } from '@quorum/formats';
import type { Executor } from '../db/executor';
import { pageImageExportRows, type ImageExportRow } from '../repositories/export-rows';
import type { OpenedExport } from './exports';
import { GeometryLabels, ImageNames, projectImageLabels, type SkipReport } from './export-support';
import { imageFactsOf, type StoredImages } from './image-sizes';

const NO_SIZE = 'task without image size';
/** Bytes of the spill file read (and sent) at a time once the images are written. */
const SPILL_CHUNK = 64 * 1024;
/** Bytes of annotations gathered before each write to the spill file. */
const SPILL_BUFFER = 1024 * 1024;

function sumOf(counts: Readonly<Record<string, number>>): number {
  let sum = 0;
  for (const key in counts) sum += counts[key]!;
  return sum;
}

/**
 * The project as one COCO document, in one keyset pass. COCO lists every image before any
 * annotation, so each page's images are sent as they are read while their annotations, converted
 * in the same step (so their `image_id`s are the images' ids by construction), are appended to a
 * private temporary file; once the images are closed, that file is sent as the annotations, then
 * the categories met on the way and `info`, which counts what COCO cannot hold in `skipped`.
 * Memory holds a page; the file is removed however the export ends, a client that goes away
 * included.
 */
export async function* cocoExport(
  db: Executor,
  scope: Scope,
  stored: StoredImages,
  opened: OpenedExport,
  report: SkipReport,
): AsyncGenerator<string> {
  const writer = new CocoWriter({
    labels: projectImageLabels(opened.projectParams),
    info: { description: `Quorum project ${opened.projectName}` },
  });
  const convert = pageConverter(db, scope, stored, opened, report, writer);
  // Made when the body is first read, not when the export is opened, so a body never read
  // leaves no file; the `finally` below covers every way out once it exists.
  const directory = await mkdtemp(join(tmpdir(), 'quorum-coco-'));
  try {
    const spillPath = join(directory, 'annotations.json');
    const spill = await open(spillPath, 'wx', 0o600);
    const buffer = Buffer.allocUnsafe(SPILL_BUFFER);
    try {
      yield writer.begin();
      const read = (
        filter: Parameters<typeof pageImageExportRows>[2],
        after: number,
        limit: number,
      ) => pageImageExportRows(db, scope, filter, after, limit);
      for await (const rows of opened.pages<ImageExportRow>(read)) {
        const page = await convert(rows);
        // Awaited, so a failed write ends the export instead of leaving a hole in the file.
        await append(spill, buffer, page.annotations);
        if (page.images !== '') yield page.images;
      }
    } finally {
      await spill.close();
    }
    yield writer.beginAnnotations();
    yield* readText(spillPath);
    yield writer.end(report.total > 0 ? { skipped: report.toJSON() } : undefined);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * Turns a page of rows into its images' text and its images' annotations, keeping what spans
 * pages (image ids, file names, labels, skipped counts) in the writer and here. A function of
 * its own so that what converting a page makes (parsed responses, each task's texts) is out of
 * reach once it returns, not held while the export waits for the client long enough to reach
 * the old generation.
 */
function pageConverter(
  db: Executor,
  scope: Scope,
  stored: StoredImages,
  opened: OpenedExport,
  report: SkipReport,
  writer: CocoWriter,
) {
  const labels = new GeometryLabels();
  const names = new ImageNames();
  // The writer counts skipped shapes for the whole export; the report wants them per task.
  let counted: Record<string, number> = {};
  let countedTotal = 0;
  return async (rows: ImageExportRow[]): Promise<{ images: string; annotations: string[] }> => {
    const facts = await imageFactsOf(db, scope, stored, rows);
    // The images joined once per page: one flat string, not a tree of thousands of small ones.
    const images: string[] = [];
    const annotations: string[] = [];
    rows.forEach((row, index) => {
      const { size, fileName } = facts[index]!;
      if (!size) return report.add(row.id, NO_SIZE);
      writer.addLabels(labels.labelsOf(row.geometries));
      const written = writer.imageWithAnnotations({
        taskId: row.id,
        attachment: row.attachment ?? '',
        fileName: names.claim(row.id, fileName),
        width: size.width,
        height: size.height,
        status: opened.completedOnly ? undefined : row.status,
        annotations: (row.annotations === null
          ? []
          : JSON.parse(row.annotations)) as ImageAnnotation[],
      });
      images.push(written.image);
      if (written.annotations !== '') annotations.push(written.annotations);
      const total = sumOf(writer.skipped);
      if (total !== countedTotal) {
        report.addCounts(row.id, difference(writer.skipped, counted));
        counted = { ...writer.skipped };
        countedTotal = total;
      }
    });
    return { images: images.join(''), annotations };
  };
}

/**
 * Appends texts to a file through one reused buffer: a page's annotations joined would be one
 * large string, which the garbage collector moves to the old generation at once if a collection
 * finds it alive, then a fresh buffer outside the heap for the write.
 */
async function append(file: FileHandle, buffer: Buffer, texts: readonly string[]): Promise<void> {
  let used = 0;
  const flush = async () => {
    for (let at = 0; at < used;) at += (await file.write(buffer, at, used - at)).bytesWritten;
    used = 0;
  };
  for (const text of texts) {
    // UTF-8 takes at most three bytes per UTF-16 unit. A text that might not fit follows a
    // flush; one that might not fit at all (thousands of shapes) is written on its own.
    if (text.length * 3 > buffer.length - used) await flush();
    if (text.length * 3 > buffer.length) await file.writeFile(text);
    else used += buffer.write(text, used);
  }
  await flush();
}

/**
 * A file's text a chunk at a time, read through one buffer: a fresh buffer per read would be
 * memory outside the heap that only a garbage collection gives back, and reading the file
 * allocates too little else to prompt one.
 */
async function* readText(path: string): AsyncGenerator<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(SPILL_CHUNK);
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      yield decoder.write(buffer.subarray(0, bytesRead));
    }
    const rest = decoder.end();
    if (rest !== '') yield rest;
  } finally {
    await file.close();
  }
}

function difference(
  now: Readonly<Record<string, number>>,
  before: Readonly<Record<string, number>>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key in now) counts[key] = now[key]! - (before[key] ?? 0);
  return counts;
}
