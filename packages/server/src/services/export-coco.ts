import type { ImageAnnotation, Scope } from '@quorum/core';
import { CocoWriter } from '@quorum/formats';
import type { Executor } from '../db/executor';
import { pageImageExportRows, type ImageExportRow } from '../repositories/export-rows';
import type { OpenedExport } from './exports';
import {
  GeometryLabels,
  ImageNames,
  SeqLog,
  projectImageLabels,
  type SkipReport,
} from './export-support';
import { imageFactsOf, type StoredImages } from './image-sizes';

const NO_SIZE = 'task without image size';

function sumOf(counts: Readonly<Record<string, number>>): number {
  let sum = 0;
  for (const key in counts) sum += counts[key]!;
  return sum;
}

/**
 * The project as one COCO document, in two keyset passes: images (sizes, names, the labels tasks
 * offer as categories), then annotations (only the responses are parsed). The first pass logs
 * which tasks it wrote, a byte or two each, and the second writes exactly those, so a task that
 * completes in between, or one skipped for want of a size, cannot shift the image ids. What COCO
 * cannot hold is counted in `info.skipped`.
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
  const labels = new GeometryLabels();
  const names = new ImageNames();
  const written = new SeqLog();
  yield writer.begin();
  const images = (
    filter: Parameters<typeof pageImageExportRows>[2],
    after: number,
    limit: number,
  ) => pageImageExportRows(db, scope, filter, after, limit, 'images');
  for await (const rows of opened.pages<ImageExportRow>(images)) {
    const facts = await imageFactsOf(db, scope, stored, rows);
    let chunk = '';
    rows.forEach((row, index) => {
      const { size, fileName } = facts[index]!;
      if (!size) return report.add(row.id, NO_SIZE);
      writer.addLabels(labels.labelsOf(row.geometries));
      chunk += writer.image({
        taskId: row.id,
        attachment: row.attachment ?? '',
        fileName: names.claim(row.id, fileName),
        ...size,
        status: opened.completedOnly ? undefined : row.status,
        annotations: [],
      });
      written.append(Number(row.seq));
    });
    if (chunk !== '') yield chunk;
  }
  yield writer.beginAnnotations();
  if (written.count > 0) {
    const expected = written.cursor();
    // The writer counts skipped shapes for the whole export; the report wants them per task.
    let counted: Record<string, number> = {};
    const annotationsOnly = (
      filter: Parameters<typeof pageImageExportRows>[2],
      after: number,
      limit: number,
    ) => pageImageExportRows(db, scope, filter, after, limit, 'annotations');
    for await (const rows of opened.pages<ImageExportRow>(annotationsOnly, written.last)) {
      let chunk = '';
      for (const row of rows) {
        if (Number(row.seq) !== expected.peek()) continue;
        expected.next();
        const annotations = (
          row.annotations === null ? [] : JSON.parse(row.annotations)
        ) as ImageAnnotation[];
        chunk += writer.annotations({ taskId: row.id, attachment: '', annotations });
        if (sumOf(writer.skipped) !== sumOf(counted)) {
          report.addCounts(row.id, difference(writer.skipped, counted));
          counted = { ...writer.skipped };
        }
      }
      if (chunk !== '') yield chunk;
    }
  }
  yield writer.end(report.total > 0 ? { skipped: report.toJSON() } : undefined);
}

function difference(
  now: Readonly<Record<string, number>>,
  before: Readonly<Record<string, number>>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key in now) counts[key] = now[key]! - (before[key] ?? 0);
  return counts;
}
