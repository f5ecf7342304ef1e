import type { ImageAnnotation } from '@quorum/core';
import { FormatError } from './errors';
import {
  boundsOf,
  ellipsePolygon,
  polygonArea,
  recordFileName,
  requireSize,
  roundTo,
  type ImageTaskRecord,
  type Vertex,
} from './geometry';
import { groupKeypoints, type CocoKeypointSchema, type PointAnnotation } from './coco-keypoints';

export type { CocoKeypointSchema } from './coco-keypoints';

export interface CocoExportOptions {
  /** The project's labels; category ids are 1, 2, … in this order, so they are stable. */
  labels: readonly string[];
  /** Groups points into COCO keypoint objects; without it every point is its own annotation. */
  keypoints?: CocoKeypointSchema;
  /** The category of annotations without a label (default "object"). */
  unlabeledCategory?: string;
  info?: Record<string, unknown>;
}

interface Category {
  id: number;
  name: string;
  supercategory: string;
  keypoints?: string[];
  skeleton?: Array<[number, number]>;
}

type Phase = 'new' | 'images' | 'annotations' | 'done';

function fnv(hash: number, text: string): number {
  let h = hash;
  for (let index = 0; index < text.length; index++) {
    h ^= text.charCodeAt(index);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return Math.imul(h ^ 0xff, 0x01000193) >>> 0;
}

/** Six decimals, without float noise; whole numbers (the usual case) as they are. */
const round = (value: number) => (Number.isInteger(value) ? value : roundTo(value, 6));
const flat = (vertices: readonly Vertex[]) => vertices.flatMap(({ x, y }) => [x, y]);

/**
 * Writes a COCO detection dataset a task at a time, so a million tasks stream through bounded
 * memory. Two passes over the same tasks in the same order: `begin()`, `image(task)` for every
 * task, `beginAnnotations()`, `annotations(task)` for every task again, `end()`. Or one pass:
 * `imageWithAnnotations(task)` for every task gives the image's text and its annotations' text,
 * which the caller keeps (a file) and writes, in order, after `beginAnnotations()`; then `end()`.
 * Concatenated, the chunks are one JSON document. Image ids are 1, 2, … in task order; annotation
 * ids count up across the export. Categories come last: the project's labels first (stable ids),
 * then any label added on the way (`addLabels`) or met only in an answer, in order of
 * appearance. `info` comes last too, so it can say what the export left out (`end(info)`).
 *
 * Boxes get `bbox` and `area` (rotated boxes keep the unrotated box in `bbox` and the clockwise
 * angle in degrees in `attributes.rotation`, as CVAT does); polygons `segmentation` too; ellipses
 * a 32-point polygon; points become keypoint annotations (grouped per object with `keypoints`).
 * Lines have no COCO form and are counted in `skipped`. Attributes go under `attributes`.
 */
export class CocoWriter {
  #phase: Phase = 'new';
  #categories = new Map<string, Category>();
  #images = 0;
  #imagesHash = 0;
  #annotatedImages = 0;
  #annotatedHash = 0;
  #annotationId = 0;
  #skipped: Record<string, number> = {};
  readonly #options: CocoExportOptions;

  constructor(options: CocoExportOptions) {
    this.#options = options;
    for (const label of options.labels) this.#category(label);
    const schema = options.keypoints;
    if (schema) {
      const category = this.#category(schema.category);
      category.keypoints = [...schema.labels];
      category.skeleton = (schema.skeleton ?? []).map(([from, to]) => {
        const a = schema.labels.indexOf(from);
        const b = schema.labels.indexOf(to);
        if (a < 0 || b < 0)
          throw new FormatError(
            `skeleton pair ${from}–${to} names a label not among the keypoints`,
            {},
            'keypoints',
          );
        return [a + 1, b + 1];
      });
    }
  }

  /** Shapes with no COCO form, by type (lines). */
  get skipped(): Readonly<Record<string, number>> {
    return this.#skipped;
  }

  #category(name: string): Category {
    let category = this.#categories.get(name);
    if (!category) {
      category = { id: this.#categories.size + 1, name, supercategory: '' };
      this.#categories.set(name, category);
    }
    return category;
  }

  #expect(phase: Phase, call: string): void {
    if (this.#phase !== phase)
      throw new FormatError(`CocoWriter.${call}() called out of order (after ${this.#phase})`);
  }

  /**
   * Adds categories for labels that are not the project's (a task's own labels), in order, after
   * those known so far; any time before `end()`.
   */
  addLabels(labels: Iterable<string>): void {
    if (this.#phase === 'done') throw new FormatError('CocoWriter.addLabels() called after end()');
    for (const label of labels) this.#category(label);
  }

  /** The opening of the document, up to the images. */
  begin(): string {
    this.#expect('new', 'begin');
    this.#phase = 'images';
    return '{"licenses":[],\n"images":[';
  }

  /** One image (first pass). */
  image(record: ImageTaskRecord): string {
    this.#expect('images', 'image');
    const { width, height } = requireSize(record, 'COCO');
    this.#images++;
    this.#imagesHash = fnv(this.#imagesHash, record.taskId);
    // Written by hand, not with JSON.stringify of an object: a million images are a hot loop.
    let text = `${this.#images > 1 ? ',' : ''}\n{"id":${id(this.#images)},"file_name":${json(recordFileName(record))},"width":${number(width)},"height":${number(height)},"coco_url":${json(record.attachment)},"quorum_task_id":${json(record.taskId)}`;
    if (record.status !== undefined) text += `,"quorum_status":${json(record.status)}`;
    return `${text}}`;
  }

  /** Closes the images and opens the annotations. */
  beginAnnotations(): string {
    this.#expect('images', 'beginAnnotations');
    this.#phase = 'annotations';
    return '\n],\n"annotations":[';
  }

  /**
   * One image and, apart, its annotations (one pass): the annotations' text belongs after
   * `beginAnnotations()`, following those of the images before it.
   */
  imageWithAnnotations(record: ImageTaskRecord): { image: string; annotations: string } {
    const image = this.image(record);
    // One pass: the annotations are this image's by construction, so the check `end()` makes of
    // the two passes holds as long as each image takes this path.
    this.#annotatedImages++;
    this.#annotatedHash = this.#imagesHash;
    return { image, annotations: this.#annotationsOf(this.#images, record) };
  }

  /** The annotations of one image (second pass, same tasks in the same order). */
  annotations(record: ImageTaskRecord): string {
    this.#expect('annotations', 'annotations');
    this.#annotatedImages++;
    this.#annotatedHash = fnv(this.#annotatedHash, record.taskId);
    if (this.#annotatedImages > this.#images)
      throw new FormatError(`the second pass has more tasks than the first (${this.#images})`);
    return this.#annotationsOf(this.#annotatedImages, record);
  }

  #annotationsOf(imageNumber: number, record: ImageTaskRecord): string {
    const imageId = id(imageNumber);
    let text = '';
    const points: PointAnnotation[] = [];
    for (const annotation of record.annotations) {
      if (annotation.type === 'point') {
        points.push(annotation);
        continue;
      }
      const shape = shapeOf(annotation);
      if (shape === undefined) {
        this.#skipped[annotation.type] = (this.#skipped[annotation.type] ?? 0) + 1;
        continue;
      }
      const category = this.#labelCategory(annotation.label).id;
      text += this.#annotation(
        imageId,
        `"category_id":${category},${shape}${attributesOf(annotation)}`,
      );
    }
    if (points.length > 0)
      for (const object of this.#keypointObjects(points))
        text += this.#annotation(imageId, membersOf(object));
    return text;
  }

  /** One annotation object from its members (id, image and iscrowd added). */
  #annotation(imageId: string, members: string): string {
    const annotationId = ++this.#annotationId;
    return `${annotationId > 1 ? ',' : ''}\n{"id":${id(annotationId)},"image_id":${imageId},${members},"iscrowd":0}`;
  }

  #labelCategory(label: string | undefined): Category {
    return this.#category(label ?? this.#options.unlabeledCategory ?? 'object');
  }

  #keypointObjects(points: PointAnnotation[]): Array<Record<string, unknown>> {
    const schema = this.#options.keypoints;
    const { groups, singles } = groupKeypoints(points, schema);
    const objects: Array<Record<string, unknown>> = [];
    for (const group of groups) {
      const category = this.#category(schema!.category);
      const keypoints = schema!.labels.flatMap((label) => {
        const point = group.find((member) => member.label === label);
        return point ? [point.x, point.y, 2] : [0, 0, 0];
      });
      const { left, top, width, height } = boundsOf(group);
      objects.push({
        category_id: category.id,
        bbox: [left, top, round(width), round(height)],
        area: round(width * height),
        segmentation: [],
        keypoints,
        num_keypoints: group.length,
        ...groupAttributes(group),
      });
    }
    for (const point of singles) {
      const category = this.#labelCategory(point.label);
      category.keypoints ??= [category.name];
      category.skeleton ??= [];
      objects.push({
        category_id: category.id,
        bbox: [point.x, point.y, 0, 0],
        area: 0,
        segmentation: [],
        keypoints: [point.x, point.y, 2],
        num_keypoints: 1,
        ...(point.attributes && !isEmpty(point.attributes) ? { attributes: point.attributes } : {}),
      });
    }
    return objects;
  }

  /**
   * Closes the annotations and writes the categories, then `info` (the options' info with `info`
   * laid over it); checks both passes saw the same tasks.
   */
  end(info?: Record<string, unknown>): string {
    this.#expect('annotations', 'end');
    if (this.#annotatedImages !== this.#images || this.#annotatedHash !== this.#imagesHash)
      throw new FormatError(
        `the two passes must list the same tasks in the same order (images: ${this.#images}, annotation pass: ${this.#annotatedImages})`,
      );
    this.#phase = 'done';
    const categories = [...this.#categories.values()].map(
      (category) => `\n${JSON.stringify(category)}`,
    );
    const written = {
      ...(this.#options.info ?? { description: 'Exported from Quorum' }),
      ...info,
    };
    return `\n],\n"categories":[${categories.join(',')}\n],\n"info":${JSON.stringify(written)}}\n`;
  }
}

/** Printable ASCII but `"` and `\`: what a JSON string holds as it is. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** A JSON string; task ids, URLs and file names are usually plain, and quoted as they are. */
const json = (value: string) => (PLAIN.test(value) ? `"${value}"` : JSON.stringify(value));
/*
 * V8 caches the text String() and templates make of a number: a fraction's text is made in the
 * old generation, and an integer's stays reachable from the cache until another number takes its
 * slot. Where a million images make millions of distinct values (ids, fractional coordinates),
 * that text would pile up for a full collection to clear, so JSON.stringify makes it, without
 * the cache; integers that repeat (sizes, most coordinates) are found in the cache.
 */
/** A JSON number (what JSON.stringify writes for a finite number; null otherwise). */
const number = (value: number) => (Number.isInteger(value) ? `${value}` : JSON.stringify(value));
/** An image or annotation id. */
const id = (value: number) => JSON.stringify(value);
const numbers = (values: readonly number[]) => values.map(number).join(',');

/** An object's members as JSON text, without the braces. */
function membersOf(object: Record<string, unknown>): string {
  return Object.entries(object)
    .map(([key, value]) => `${json(key)}:${JSON.stringify(value)}`)
    .join(',');
}

/** `bbox`, `area` and `segmentation` of a shape as JSON members; undefined for no COCO form. */
function shapeOf(annotation: ImageAnnotation): string | undefined {
  switch (annotation.type) {
    case 'box': {
      const { left, top, width, height } = annotation;
      // The common shape, written without an array of its numbers.
      return `"bbox":[${number(left)},${number(top)},${number(width)},${number(height)}],"area":${number(round(width * height))},"segmentation":[]`;
    }
    case 'polygon':
      return polygonShape(annotation.vertices, polygonArea(annotation.vertices));
    case 'ellipse': {
      const outline = ellipsePolygon(annotation.vertices).map(({ x, y }) => ({
        x: round(x),
        y: round(y),
      }));
      return polygonShape(outline, polygonArea(outline));
    }
    default:
      return undefined;
  }
}

function polygonShape(vertices: readonly Vertex[], area: number): string {
  const { left, top, width, height } = boundsOf(vertices);
  return `"bbox":[${numbers([left, top, round(width), round(height)])}],"area":${number(round(area))},"segmentation":[[${numbers(flat(vertices))}]]`;
}

/**
 * `,"attributes":…` when there are any, with a rotated box's angle in degrees added as CVAT
 * writes it; empty otherwise.
 */
function attributesOf(annotation: ImageAnnotation): string {
  const rotation = annotation.type === 'box' ? (annotation.rotation ?? 0) : 0;
  if (rotation === 0 && (!annotation.attributes || isEmpty(annotation.attributes))) return '';
  const attributes = { ...annotation.attributes };
  if (rotation !== 0) attributes.rotation = round((rotation * 180) / Math.PI);
  return `,"attributes":${JSON.stringify(attributes)}`;
}

function isEmpty(object: Record<string, unknown>): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return false;
  return true;
}

/** A keypoint object's attributes: each point's, under its label. */
function groupAttributes(points: readonly PointAnnotation[]): {
  attributes?: Record<string, unknown>;
} {
  const entries = points.flatMap((point) =>
    point.attributes && Object.keys(point.attributes).length > 0
      ? [[point.label!, point.attributes] as const]
      : [],
  );
  return entries.length > 0 ? { attributes: Object.fromEntries(entries) } : {};
}

/**
 * The whole COCO document as chunks. `records` is iterated twice (pass an array, or an iterable
 * that starts again each time, such as a query re-run), so only one task is held at a time.
 */
export function* writeCoco(
  records: Iterable<ImageTaskRecord>,
  options: CocoExportOptions,
): Generator<string> {
  const writer = new CocoWriter(options);
  yield writer.begin();
  for (const record of records) yield writer.image(record);
  yield writer.beginAnnotations();
  for (const record of records) yield writer.annotations(record);
  yield writer.end();
}
