import { FormatError } from './errors';
import { polygonArea, type Vertex } from './geometry';

/** One way a COCO document breaks the format's rules; `path` is dotted (`annotations.3.bbox`). */
export interface CocoProblem {
  path: string;
  message: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0;
const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** Relative and absolute slack for comparing areas computed by different tools. */
const AREA_TOLERANCE = 1e-4;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(0.01, AREA_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)));
}

function verticesOf(polygon: readonly number[]): Vertex[] {
  const vertices: Vertex[] = [];
  for (let index = 0; index + 1 < polygon.length; index += 2)
    vertices.push({ x: polygon[index]!, y: polygon[index + 1]! });
  return vertices;
}

/**
 * Checks a COCO detection/keypoint document against the format's rules and returns every problem
 * found (up to `limit`): unique image, annotation and category ids; each annotation's image and
 * category exist; `bbox` is four numbers with non-negative width and height; `area` agrees with
 * the polygons (or with the box when there are none; at most the box for keypoint objects);
 * polygons have at least three points inside the box; keypoints fit their category.
 */
export function validateCoco(document: unknown, limit = 100): CocoProblem[] {
  const problems: CocoProblem[] = [];
  const report = (path: string, message: string) => {
    if (problems.length < limit) problems.push({ path, message });
  };
  if (!isObject(document)) return [{ path: '', message: 'must be a JSON object' }];
  for (const key of ['images', 'annotations', 'categories'])
    if (!Array.isArray(document[key])) report(key, 'must be an array');
  if (problems.length > 0) return problems;

  const images = new Map<number, Json>();
  (document.images as unknown[]).forEach((image, index) => {
    const path = `images.${index}`;
    if (!isObject(image)) return report(path, 'must be an object');
    if (!isId(image.id)) return report(`${path}.id`, 'must be a non-negative integer');
    if (images.has(image.id)) report(`${path}.id`, `duplicate image id ${image.id}`);
    images.set(image.id, image);
    if (typeof image.file_name !== 'string' || image.file_name === '')
      report(`${path}.file_name`, 'must be a non-empty string');
    for (const key of ['width', 'height'])
      if (!Number.isSafeInteger(image[key]) || (image[key] as number) <= 0)
        report(`${path}.${key}`, 'must be a positive integer');
  });

  const categories = new Map<number, Json>();
  const names = new Set<string>();
  (document.categories as unknown[]).forEach((category, index) => {
    const path = `categories.${index}`;
    if (!isObject(category)) return report(path, 'must be an object');
    if (!isId(category.id)) return report(`${path}.id`, 'must be a non-negative integer');
    if (categories.has(category.id)) report(`${path}.id`, `duplicate category id ${category.id}`);
    categories.set(category.id, category);
    if (typeof category.name !== 'string' || category.name === '')
      report(`${path}.name`, 'must be a non-empty string');
    else if (names.has(category.name))
      report(`${path}.name`, `duplicate category name ${JSON.stringify(category.name)}`);
    else names.add(category.name);
    if (category.keypoints !== undefined) {
      const keypoints = category.keypoints;
      if (!Array.isArray(keypoints) || !keypoints.every((name) => typeof name === 'string'))
        return report(`${path}.keypoints`, 'must be an array of names');
      const skeleton = category.skeleton ?? [];
      if (
        !Array.isArray(skeleton) ||
        !skeleton.every(
          (pair) =>
            Array.isArray(pair) &&
            pair.length === 2 &&
            pair.every((end) => Number.isInteger(end) && end >= 1 && end <= keypoints.length),
        )
      )
        report(
          `${path}.skeleton`,
          `must be pairs of keypoint numbers from 1 to ${keypoints.length}`,
        );
    }
  });

  const annotationIds = new Set<number>();
  (document.annotations as unknown[]).forEach((annotation, index) => {
    const path = `annotations.${index}`;
    if (!isObject(annotation)) return report(path, 'must be an object');
    if (!isId(annotation.id)) report(`${path}.id`, 'must be a non-negative integer');
    else if (annotationIds.has(annotation.id))
      report(`${path}.id`, `duplicate annotation id ${annotation.id}`);
    else annotationIds.add(annotation.id);
    const image = isId(annotation.image_id) ? images.get(annotation.image_id) : undefined;
    if (!image)
      report(`${path}.image_id`, `no image has id ${JSON.stringify(annotation.image_id)}`);
    const category = isId(annotation.category_id)
      ? categories.get(annotation.category_id)
      : undefined;
    if (!category)
      report(`${path}.category_id`, `no category has id ${JSON.stringify(annotation.category_id)}`);
    if (annotation.iscrowd !== 0 && annotation.iscrowd !== 1)
      report(`${path}.iscrowd`, 'must be 0 or 1');

    const bbox = annotation.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isNumber))
      return report(`${path}.bbox`, 'must be [x, y, width, height]');
    const [x, y, width, height] = bbox as [number, number, number, number];
    if (width < 0 || height < 0) report(`${path}.bbox`, 'width and height must not be negative');
    if (!isNumber(annotation.area) || annotation.area < 0)
      return report(`${path}.area`, 'must be a non-negative number');
    const area = annotation.area;

    const segmentation = annotation.segmentation ?? [];
    if (annotation.iscrowd === 1) {
      if (!isObject(segmentation) || !Array.isArray(segmentation.size))
        return report(`${path}.segmentation`, 'a crowd annotation needs an RLE {counts, size}');
      const [h, w] = segmentation.size as unknown[];
      if (image && (h !== image.height || w !== image.width))
        report(
          `${path}.segmentation.size`,
          `must be the image's [height, width] (${image.height}, ${image.width})`,
        );
      const counts = segmentation.counts;
      if (Array.isArray(counts)) {
        const covered = counts.reduce<number>(
          (sum, run, at) => sum + (at % 2 === 1 ? Number(run) : 0),
          0,
        );
        if (!close(covered, area))
          report(`${path}.area`, `is ${area} but the mask covers ${covered} pixels`);
      }
      return;
    }
    if (!Array.isArray(segmentation))
      return report(`${path}.segmentation`, 'must be an array of polygons');
    let polygonsArea = 0;
    for (const [at, polygon] of segmentation.entries()) {
      if (
        !Array.isArray(polygon) ||
        !polygon.every(isNumber) ||
        polygon.length % 2 !== 0 ||
        polygon.length < 6
      ) {
        report(
          `${path}.segmentation.${at}`,
          'must be [x1, y1, x2, y2, …] with at least three points',
        );
        return;
      }
      const vertices = verticesOf(polygon as number[]);
      polygonsArea += polygonArea(vertices);
      const slack = 0.5 + 1e-6 * Math.max(width, height);
      const outside = vertices.find(
        (v) =>
          v.x < x - slack || v.y < y - slack || v.x > x + width + slack || v.y > y + height + slack,
      );
      if (outside)
        report(
          `${path}.segmentation.${at}`,
          `point (${outside.x}, ${outside.y}) lies outside the bbox`,
        );
    }
    const keypoints = annotation.keypoints;
    if (segmentation.length > 0) {
      if (!close(polygonsArea, area))
        report(`${path}.area`, `is ${area} but the polygons enclose ${polygonsArea}`);
    } else if (keypoints !== undefined) {
      if (area > width * height && !close(area, width * height))
        report(`${path}.area`, `is ${area}, more than the bbox (${width * height})`);
    } else if (!close(area, width * height)) {
      report(`${path}.area`, `is ${area} but the bbox is ${width} × ${height}`);
    }

    if (keypoints !== undefined) {
      const names = category?.keypoints;
      const count = Array.isArray(names) ? names.length : undefined;
      if (!Array.isArray(keypoints) || !keypoints.every(isNumber) || keypoints.length % 3 !== 0)
        return report(`${path}.keypoints`, 'must be [x1, y1, v1, …]');
      if (count === undefined) report(`${path}.keypoints`, 'its category lists no keypoints');
      else if (keypoints.length !== 3 * count)
        report(
          `${path}.keypoints`,
          `must have ${3 * count} numbers (3 for each of the category's ${count} keypoints)`,
        );
      let visible = 0;
      for (let at = 2; at < keypoints.length; at += 3) {
        const v = keypoints[at];
        if (v !== 0 && v !== 1 && v !== 2)
          report(`${path}.keypoints.${at}`, 'visibility must be 0, 1 or 2');
        else if (v > 0) visible++;
      }
      if (annotation.num_keypoints !== undefined && annotation.num_keypoints !== visible)
        report(
          `${path}.num_keypoints`,
          `is ${JSON.stringify(annotation.num_keypoints)} but ${visible} keypoints are labelled`,
        );
    }
  });
  return problems;
}

/** Throws the first problems of `validateCoco` as one FormatError. */
export function assertValidCoco(document: unknown, file?: string): void {
  const problems = validateCoco(document, 5);
  if (problems.length === 0) return;
  const listed = problems
    .map((problem) => `${problem.path || 'document'}: ${problem.message}`)
    .join('; ');
  throw new FormatError(`is not valid COCO: ${listed}`, { file }, problems[0]!.path || 'file');
}
