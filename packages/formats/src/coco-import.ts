import type { ImageAnnotation } from '@quorum/core';
import { assertValidCoco } from './coco-validate';
import { FormatError } from './errors';
import { boxCorners, type Vertex } from './geometry';

export interface CocoImportOptions {
  /** Named in errors. */
  file?: string;
  /** COCO category (or keypoint) name → Quorum label, for names that differ. */
  labelMap?: Readonly<Record<string, string>>;
  /** When given, every label after mapping must be one of these. */
  labels?: readonly string[];
}

/** One image of a COCO document with its annotations as Quorum pre-labels. */
export interface CocoImage {
  imageId: number;
  fileName: string;
  width: number;
  height: number;
  /** `coco_url`, when the document has one. */
  url?: string;
  /** `quorum_task_id`, when the document came from Quorum. */
  taskId?: string;
  /** In Quorum's response shape, ready to be a task's `hypothesis`. */
  hypothesis: { annotations: ImageAnnotation[] };
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Turns a COCO document into per-image pre-labels, after checking it with `validateCoco`:
 * polygons (one per segmentation part) where there is a segmentation, else boxes (a CVAT-style
 * `attributes.rotation` in degrees makes a rotated box); each labelled keypoint becomes a point
 * named after its keypoint. Crowd (RLE) annotations have no Quorum shape and are counted in
 * `skipped.crowd`. Categories map to labels by name through `labelMap`.
 */
export function cocoPrelabels(
  document: unknown,
  options: CocoImportOptions = {},
): { images: CocoImage[]; skipped: { crowd: number } } {
  assertValidCoco(document, options.file);
  const coco = document as { images: Json[]; annotations: Json[]; categories: Json[] };
  const labelOf = (name: string, path: string): string => {
    const label =
      options.labelMap && Object.hasOwn(options.labelMap, name) ? options.labelMap[name]! : name;
    if (options.labels && !options.labels.includes(label))
      throw new FormatError(
        `${path}: ${JSON.stringify(label)} is not a label of the project`,
        { file: options.file },
        path,
      );
    return label;
  };
  const categories = new Map(coco.categories.map((category) => [category.id as number, category]));
  const images = new Map<number, CocoImage>();
  for (const image of coco.images) {
    images.set(image.id as number, {
      imageId: image.id as number,
      fileName: image.file_name as string,
      width: image.width as number,
      height: image.height as number,
      ...(typeof image.coco_url === 'string' ? { url: image.coco_url } : {}),
      ...(typeof image.quorum_task_id === 'string' ? { taskId: image.quorum_task_id } : {}),
      hypothesis: { annotations: [] },
    });
  }
  let crowd = 0;
  coco.annotations.forEach((annotation, index) => {
    const path = `annotations.${index}`;
    if (annotation.iscrowd === 1) {
      crowd++;
      return;
    }
    const category = categories.get(annotation.category_id as number)!;
    const image = images.get(annotation.image_id as number)!;
    const attributes = isObject(annotation.attributes) ? { ...annotation.attributes } : {};
    const polygons = (annotation.segmentation ?? []) as number[][];
    const keypoints = annotation.keypoints as number[] | undefined;
    const out = image.hypothesis.annotations;
    if (keypoints !== undefined) {
      out.push(
        ...pointsOf(keypoints, category, attributes, (name) => labelOf(name, `${path}.keypoints`)),
      );
      if (polygons.length === 0) return;
    }
    // Only a shape takes the category's name: keypoints are named after their keypoints.
    const label = labelOf(category.name as string, `${path}.category_id`);
    const shapeAttributes = keypoints === undefined ? attributes : {};
    if (polygons.length > 0) {
      for (const polygon of polygons)
        out.push({
          type: 'polygon',
          label,
          vertices: verticesOf(polygon),
          ...nonEmpty(shapeAttributes),
        });
      return;
    }
    const [left, top, width, height] = annotation.bbox as [number, number, number, number];
    // A numeric rotation is the box's angle (CVAT writes 0.0 on every box), never an attribute.
    const { rotation: degrees, ...rest } = shapeAttributes;
    const isAngle = typeof degrees === 'number';
    const rotation = isAngle && degrees !== 0 ? (degrees * Math.PI) / 180 : undefined;
    out.push({
      type: 'box',
      label,
      left,
      top,
      width,
      height,
      ...(rotation === undefined
        ? {}
        : { rotation, vertices: boxCorners({ left, top, width, height, rotation }) }),
      ...nonEmpty(isAngle ? rest : shapeAttributes),
    });
  });
  return { images: [...images.values()], skipped: { crowd } };
}

function nonEmpty(attributes: Json): { attributes?: Json } {
  return Object.keys(attributes).length > 0 ? { attributes } : {};
}

function verticesOf(polygon: readonly number[]): Vertex[] {
  const vertices: Vertex[] = [];
  for (let index = 0; index + 1 < polygon.length; index += 2)
    vertices.push({ x: polygon[index]!, y: polygon[index + 1]! });
  return vertices;
}

/**
 * The labelled keypoints of one object as points. With several keypoints per object, attributes
 * keyed by a keypoint's name are that point's (how the exporter writes them).
 */
function pointsOf(
  keypoints: readonly number[],
  category: Json,
  attributes: Json,
  labelOf: (name: string) => string,
): ImageAnnotation[] {
  const names = Array.isArray(category.keypoints)
    ? (category.keypoints as string[])
    : [category.name as string];
  const points: ImageAnnotation[] = [];
  for (let index = 0; index * 3 + 2 < keypoints.length; index++) {
    const [x, y, visibility] = keypoints.slice(index * 3, index * 3 + 3) as [
      number,
      number,
      number,
    ];
    if (visibility === 0) continue;
    const name = names[index] ?? `${category.name as string}_${index + 1}`;
    const own = names.length > 1 ? attributes[name] : attributes;
    points.push({
      type: 'point',
      label: labelOf(name),
      x,
      y,
      ...(isObject(own) ? nonEmpty({ ...own }) : {}),
    });
  }
  return points;
}
