import { deflateRawSync } from 'node:zlib';
import type { ImageAnnotation, Scope } from '@quorum/core';
import {
  ZipWriter,
  vocAnnotationXml,
  yoloClassesTxt,
  yoloDataYaml,
  yoloLabelFile,
  yoloLabelFileName,
} from '@quorum/formats';
import type { Executor } from '../db/executor';
import { pageImageExportRows, type ImageExportRow } from '../repositories/export-rows';
import type { OpenedExport } from './exports';
import {
  GeometryLabels,
  ImageNames,
  projectImageLabels,
  withExtension,
  type SkipReport,
} from './export-support';
import { imageFactsOf, type StoredImages } from './image-sizes';

const NO_SIZE = 'task without image size';
/** The class of shapes drawn without a label, as COCO's exporter names them. */
const UNLABELED = 'object';

interface ImageFile {
  taskId: string;
  attachment: string;
  fileName: string;
  width: number;
  height: number;
  annotations: ImageAnnotation[];
}

/**
 * The image tasks that have a size, with their unique file names and parsed responses, a page at
 * a time; tasks without a size are reported and left out. `onLabels` hears each new label set.
 */
async function* imageFiles(
  db: Executor,
  scope: Scope,
  stored: StoredImages,
  opened: OpenedExport,
  report: SkipReport,
  onLabels: (labels: string[]) => void,
): AsyncGenerator<ImageFile[]> {
  const labels = new GeometryLabels();
  const names = new ImageNames();
  const read = (filter: Parameters<typeof pageImageExportRows>[2], after: number, limit: number) =>
    pageImageExportRows(db, scope, filter, after, limit);
  for await (const rows of opened.pages<ImageExportRow>(read)) {
    const facts = await imageFactsOf(db, scope, stored, rows);
    const files: ImageFile[] = [];
    rows.forEach((row, index) => {
      const { size, fileName } = facts[index]!;
      if (!size) return report.add(row.id, NO_SIZE);
      onLabels(labels.labelsOf(row.geometries));
      files.push({
        taskId: row.id,
        attachment: row.attachment ?? '',
        fileName: names.claim(row.id, fileName),
        ...size,
        annotations: (row.annotations === null
          ? []
          : JSON.parse(row.annotations)) as ImageAnnotation[],
      });
    });
    yield files;
  }
}

function zipWriter(now: Date): ZipWriter {
  return new ZipWriter({ modified: now, deflate: (data) => deflateRawSync(data) });
}

/** One line of text per class, whatever the label holds. */
const classLine = (name: string) => name.replace(/[\r\n]+/g, ' ').trim() || '_';

/**
 * A YOLO dataset as a ZIP: `labels/<image>.txt` per image (boxes as `class cx cy w h`, polygons
 * as segmentation lines), then `classes.txt` and `data.yaml` (class order: the project's labels,
 * then labels met on the way), and `skipped.json` when something was left out.
 */
export async function* yoloExport(
  db: Executor,
  scope: Scope,
  stored: StoredImages,
  opened: OpenedExport,
  report: SkipReport,
  now: Date,
): AsyncGenerator<Uint8Array> {
  const zip = zipWriter(now);
  const classes: string[] = [];
  const known = new Set<string>();
  const addClasses = (labels: Iterable<string>) => {
    for (const label of labels)
      if (!known.has(label)) {
        known.add(label);
        classes.push(label);
      }
  };
  addClasses(projectImageLabels(opened.projectParams));
  for await (const files of imageFiles(db, scope, stored, opened, report, addClasses)) {
    const chunks: Uint8Array[] = [];
    for (const file of files) {
      const annotations = file.annotations.map((annotation) =>
        annotation.label === undefined ? { ...annotation, label: UNLABELED } : annotation,
      );
      addClasses(annotations.map((annotation) => annotation.label!));
      const { text, skipped } = yoloLabelFile({ ...file, annotations }, { classes });
      report.addCounts(file.taskId, skipped);
      chunks.push(...zip.add(`labels/${yoloLabelFileName(file.fileName)}`, text));
    }
    if (chunks.length > 0) yield Buffer.concat(chunks);
  }
  const names = classes.map(classLine);
  yield Buffer.concat([
    ...zip.add('classes.txt', yoloClassesTxt(names)),
    ...zip.add('data.yaml', yoloDataYaml({ path: '.', train: 'images', val: 'images', names })),
    ...finish(zip, report),
  ]);
}

/**
 * Pascal VOC as a ZIP: `Annotations/<image>.xml` per image (boxes; rotated boxes as the box
 * around them), and `skipped.json` when something was left out.
 */
export async function* vocExport(
  db: Executor,
  scope: Scope,
  stored: StoredImages,
  opened: OpenedExport,
  report: SkipReport,
  now: Date,
): AsyncGenerator<Uint8Array> {
  const zip = zipWriter(now);
  for await (const files of imageFiles(db, scope, stored, opened, report, () => undefined)) {
    const chunks: Uint8Array[] = [];
    for (const file of files) {
      const { text, skipped } = vocAnnotationXml(file, { folder: 'JPEGImages' });
      report.addCounts(file.taskId, skipped);
      chunks.push(...zip.add(`Annotations/${withExtension(file.fileName, '.xml')}`, text));
    }
    if (chunks.length > 0) yield Buffer.concat(chunks);
  }
  yield Buffer.concat(finish(zip, report));
}

function finish(zip: ZipWriter, report: SkipReport): Uint8Array[] {
  const note =
    report.total > 0
      ? zip.add('skipped.json', `${JSON.stringify(report.toJSON(), null, 2)}\n`)
      : [];
  return [...note, ...zip.end()];
}
