import { sniffMediaType } from '@quorum/core';
import { FormatError, inFile } from './errors';
import { childElement, parseXml, textContent, type XmlElement } from './xml';
import { readZip, type ZipEntry, type ZipLimits } from './zip';

/** The annotation formats an archive may carry. */
export type AnnotationFormat = 'coco' | 'yolo' | 'voc' | 'labelstudio';

/** An image of an archive, with the annotation file that describes it when one does. */
export interface ArchiveImage {
  path: string;
  data: Uint8Array;
  /** From the bytes (core's sniffMediaType), never from the name. */
  mediaType: string;
  annotation?: { path: string; format: AnnotationFormat };
}

/** An archive's contents sorted out for an import. */
export interface ArchiveDataset {
  images: ArchiveImage[];
  annotationFiles: Array<{ path: string; format: AnnotationFormat; data: Uint8Array }>;
  /** YOLO class lists (`classes.txt`, `data.yaml`). */
  classFiles: Array<{ path: string; data: Uint8Array }>;
  /** Entries that are none of these (and macOS metadata). */
  ignored: string[];
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const dirname = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);
const stem = (path: string) => {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
};
const extension = (path: string) => {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};
const YOLO_LINE = /^\d+(\s+[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?){4,}\s*$/;

function text(entry: ZipEntry): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(entry.data);
  } catch {
    throw new FormatError('is not UTF-8 text', { entry: entry.name });
  }
}

function jsonFormat(entry: ZipEntry): { format: AnnotationFormat; names: string[] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text(entry));
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError(`is not valid JSON (${(error as Error).message})`, { entry: entry.name });
  }
  const isObject = (item: unknown): item is Record<string, unknown> =>
    typeof item === 'object' && item !== null && !Array.isArray(item);
  if (isObject(value) && Array.isArray(value.images) && Array.isArray(value.annotations)) {
    const names = value.images.flatMap((image) =>
      isObject(image) && typeof image.file_name === 'string' ? [image.file_name] : [],
    );
    return { format: 'coco', names };
  }
  const tasks = Array.isArray(value) ? value : [value];
  if (tasks.length > 0 && tasks.every((task) => isObject(task) && isObject(task.data))) {
    const names = tasks.flatMap((task) =>
      Object.values((task as { data: Record<string, unknown> }).data).filter(
        (item): item is string => typeof item === 'string',
      ),
    );
    return { format: 'labelstudio', names };
  }
  return undefined;
}

/**
 * Sorts archive entries into images (by their bytes) and annotation files (COCO and Label Studio
 * JSON by their shape, VOC XML by its root, YOLO text by its lines), and pairs each image with
 * its annotation file: a VOC file naming it (or with its stem, beside it or under Annotations/),
 * a YOLO file with its stem (beside it or under the matching labels/ folder), a COCO file
 * listing its name, a Label Studio file whose data links to it (uploads carry a prefix).
 */
export function identifyDataset(entries: readonly ZipEntry[]): ArchiveDataset {
  const dataset: ArchiveDataset = { images: [], annotationFiles: [], classFiles: [], ignored: [] };
  const yolo = new Map<string, ZipEntry>();
  const vocByImage = new Map<string, string>();
  const vocByStem = new Map<string, string[]>();
  const shared: Array<{ path: string; format: AnnotationFormat; names: string[] }> = [];
  for (const entry of entries) {
    const name = basename(entry.name);
    if (entry.name.startsWith('__MACOSX/') || name.startsWith('._') || name === '.DS_Store') {
      dataset.ignored.push(entry.name);
      continue;
    }
    const mediaType = sniffMediaType(entry.data.subarray(0, 64));
    if (mediaType.startsWith('image/')) {
      dataset.images.push({ path: entry.name, data: entry.data, mediaType });
      continue;
    }
    const kind = extension(entry.name);
    if (kind === 'json') {
      const found = jsonFormat(entry);
      if (!found) dataset.ignored.push(entry.name);
      else {
        dataset.annotationFiles.push({ path: entry.name, format: found.format, data: entry.data });
        shared.push({ path: entry.name, ...found });
      }
    } else if (kind === 'xml') {
      let root: XmlElement;
      try {
        root = parseXml(text(entry));
      } catch (error) {
        throw inFile(error, { entry: entry.name });
      }
      if (root.name !== 'annotation') {
        dataset.ignored.push(entry.name);
        continue;
      }
      dataset.annotationFiles.push({ path: entry.name, format: 'voc', data: entry.data });
      const filename = childElement(root, 'filename');
      if (filename)
        vocByImage.set(`${dirname(entry.name)}\n${textContent(filename).trim()}`, entry.name);
      vocByStem.set(stem(entry.name), [...(vocByStem.get(stem(entry.name)) ?? []), entry.name]);
    } else if (
      kind === 'yaml' ||
      kind === 'yml' ||
      name === 'classes.txt' ||
      name === 'obj.names'
    ) {
      dataset.classFiles.push({ path: entry.name, data: entry.data });
    } else if (kind === 'txt') {
      const lines = text(entry)
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '');
      if (lines.every((line) => YOLO_LINE.test(line.trim()))) {
        dataset.annotationFiles.push({ path: entry.name, format: 'yolo', data: entry.data });
        yolo.set(entry.name, entry);
      } else dataset.ignored.push(entry.name);
    } else {
      dataset.ignored.push(entry.name);
    }
  }
  for (const image of dataset.images) {
    const annotation =
      matchVoc(image.path, vocByImage, vocByStem) ??
      matchYolo(image.path, yolo) ??
      matchShared(image.path, shared);
    if (annotation) image.annotation = annotation;
  }
  return dataset;
}

function matchVoc(path: string, byImage: Map<string, string>, byStem: Map<string, string[]>) {
  const dir = dirname(path);
  const name = basename(path);
  // VOC's own layout keeps images in JPEGImages/ and their files in Annotations/.
  const annotationsDir = dir.replace(/(^|\/)JPEGImages\/$/, '$1Annotations/');
  const sameStem = byStem.get(stem(path)) ?? [];
  const found =
    byImage.get(`${dir}\n${name}`) ??
    byImage.get(`${annotationsDir}\n${name}`) ??
    [`${dir}${stem(path)}.xml`, `${annotationsDir}${stem(path)}.xml`].find((candidate) =>
      sameStem.includes(candidate),
    ) ??
    (sameStem.length === 1 ? sameStem[0] : undefined);
  return found === undefined ? undefined : { path: found, format: 'voc' as const };
}

function matchYolo(path: string, labels: Map<string, ZipEntry>) {
  const dir = dirname(path);
  const beside = `${dir}${stem(path)}.txt`;
  // images/train/a.jpg ↔ labels/train/a.txt: the last "images" folder becomes "labels".
  const parts = dir.split('/');
  const index = parts.lastIndexOf('images');
  const mirrored =
    index < 0
      ? undefined
      : `${[...parts.slice(0, index), 'labels', ...parts.slice(index + 1)].join('/')}${stem(path)}.txt`;
  const found = [beside, mirrored].find(
    (candidate) => candidate !== undefined && labels.has(candidate),
  );
  return found === undefined ? undefined : { path: found, format: 'yolo' as const };
}

function matchShared(
  path: string,
  files: ReadonlyArray<{ path: string; format: AnnotationFormat; names: string[] }>,
) {
  const name = basename(path);
  for (const file of files) {
    const matches = file.names.some((listed) => {
      const listedName = basename(listed.split(/[?#]/)[0] ?? listed);
      let decoded = listedName;
      try {
        decoded = decodeURIComponent(listedName);
      } catch {
        // Keep it as written.
      }
      return (
        listed === path ||
        path.endsWith(`/${listed}`) ||
        decoded === name ||
        (file.format === 'labelstudio' && decoded.endsWith(`-${name}`))
      );
    });
    if (matches) return { path: file.path, format: file.format };
  }
  return undefined;
}

/** Reads an archive safely (see openZip) and sorts out its images and annotation files. */
export function readDatasetArchive(
  bytes: Uint8Array,
  limits: ZipLimits = {},
  options: { file?: string } = {},
): ArchiveDataset {
  return identifyDataset(readZip(bytes, limits, options));
}
