import { GEOMETRY_TYPES, leafLabels, type ImageAnnotation, type LabelEntry } from '@quorum/core';
import { FormatError } from './errors';

/** A point in image pixels. */
export interface Vertex {
  x: number;
  y: number;
}

/** An image's size in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** An axis-aligned rectangle in pixels. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export type BoxAnnotation = Extract<ImageAnnotation, { type: 'box' }>;

/**
 * One image task as the image exporters see it: the task, the image's size when known (Quorum's
 * tasks do not store it; the caller reads it from the stored file) and the annotations to write
 * (a response, or the pre-labels).
 */
export interface ImageTaskRecord {
  taskId: string;
  attachment: string;
  /** The image's name in the dataset; the attachment URL's last path segment unless given. */
  fileName?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  /** The task's status, written where the format has room for it (COCO's image). */
  status?: string | undefined;
  annotations: readonly ImageAnnotation[];
}

/** The labels an imageannotation task offers, leaves of every geometry, first appearance first. */
export function imageLabels(params: {
  geometries: Partial<Record<string, { objects_to_annotate?: LabelEntry[] } | undefined>>;
}): string[] {
  const labels = new Set<string>();
  for (const type of GEOMETRY_TYPES)
    for (const label of leafLabels(params.geometries[type]?.objects_to_annotate ?? []))
      labels.add(label);
  return [...labels];
}

/** The file name an attachment URL suggests: its last path segment, decoded. */
export function fileNameOf(attachment: string): string {
  let path = attachment;
  try {
    const url = new URL(attachment);
    // `scaledata://file-id` has its name in the host.
    path = `${url.host}${url.pathname}`;
  } catch {
    // Not a URL: use the text as a path.
  }
  const name =
    path
      .split('/')
      .filter((part) => part !== '')
      .pop() ?? '';
  try {
    return decodeURIComponent(name) || 'image';
  } catch {
    return name || 'image';
  }
}

/** The record's file name. */
export function recordFileName(record: ImageTaskRecord): string {
  return record.fileName ?? fileNameOf(record.attachment);
}

/** The record's image size, refused with the task named when unknown or not positive. */
export function requireSize(record: ImageTaskRecord, format: string): ImageSize {
  const { width, height } = record;
  if (
    width === undefined ||
    height === undefined ||
    !(Number.isFinite(width) && width > 0) ||
    !(Number.isFinite(height) && height > 0)
  ) {
    throw new FormatError(
      `${format} needs the image's width and height (task ${record.taskId})`,
      {},
      'width',
    );
  }
  return { width, height };
}

/**
 * A box's four corners: top-left, top-right, bottom-right, bottom-left of the unrotated box,
 * turned clockwise by `rotation` radians about its centre (image y points down).
 */
export function boxCorners(box: Rect & { rotation?: number | undefined }): Vertex[] {
  const { left, top, width, height } = box;
  const rotation = box.rotation ?? 0;
  const corners = [
    { x: left, y: top },
    { x: left + width, y: top },
    { x: left + width, y: top + height },
    { x: left, y: top + height },
  ];
  if (rotation === 0) return corners;
  const cx = left + width / 2;
  const cy = top + height / 2;
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  return corners.map(({ x, y }) => ({
    x: cx + (x - cx) * cos - (y - cy) * sin,
    y: cy + (x - cx) * sin + (y - cy) * cos,
  }));
}

/** The smallest axis-aligned rectangle holding every vertex. */
export function boundsOf(vertices: readonly Vertex[]): Rect {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const { x, y } of vertices) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  if (vertices.length === 0) return { left: 0, top: 0, width: 0, height: 0 };
  return { left: minX, top: minY, width: maxX - minX, height: maxY - minY };
}

/** The area a polygon encloses (shoelace formula), whichever way it winds. */
export function polygonArea(vertices: readonly Vertex[]): number {
  let twice = 0;
  for (let index = 0; index < vertices.length; index++) {
    const a = vertices[index]!;
    const b = vertices[(index + 1) % vertices.length]!;
    twice += a.x * b.y - b.x * a.y;
  }
  return Math.abs(twice) / 2;
}

/** The axis-aligned box around any box; rotated boxes are enclosed by their corners. */
export function axisAlignedBox(box: BoxAnnotation): Rect {
  if (!box.rotation) return { left: box.left, top: box.top, width: box.width, height: box.height };
  return boundsOf(box.vertices ?? boxCorners(box));
}

/**
 * An ellipse given by its four extremal points (ends of one axis, then of the other, as the
 * editor stores them: top, right, bottom, left) as a polygon of `segments` vertices.
 */
export function ellipsePolygon(vertices: readonly Vertex[], segments = 32): Vertex[] {
  const [a, b, c, d] = vertices as [Vertex, Vertex, Vertex, Vertex];
  const cx = (a.x + b.x + c.x + d.x) / 4;
  const cy = (a.y + b.y + c.y + d.y) / 4;
  // Half-axes as vectors from the centre: u towards b (the "right" end), v towards c.
  const u = { x: (b.x - d.x) / 2, y: (b.y - d.y) / 2 };
  const v = { x: (c.x - a.x) / 2, y: (c.y - a.y) / 2 };
  return Array.from({ length: segments }, (_, index) => {
    const angle = (2 * Math.PI * index) / segments;
    return {
      x: cx + u.x * Math.cos(angle) + v.x * Math.sin(angle),
      y: cy + u.y * Math.cos(angle) + v.y * Math.sin(angle),
    };
  });
}

/** The area of an ellipse given by its four extremal points. */
export function ellipseArea(vertices: readonly Vertex[]): number {
  const [a, b, c, d] = vertices as [Vertex, Vertex, Vertex, Vertex];
  return (Math.PI * Math.hypot(b.x - d.x, b.y - d.y) * Math.hypot(c.x - a.x, c.y - a.y)) / 4;
}

/** How many decimals the shortest form of a number has (`12.5` → 1, `1e-7` → 7). */
export function decimalsOf(value: number): number {
  if (!Number.isFinite(value)) return 0;
  const [mantissa = '', exponent = '0'] = String(value).split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}

/** `value` rounded to `decimals` places (at most 20), without float noise. */
export function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(Math.min(20, Math.max(0, decimals))));
}

/**
 * `value × scale` to the precision the source had: a value with d decimals times a scale with s
 * decimals has at most d + s decimals, so rounding there removes float noise and loses nothing.
 */
export function scaleExactly(value: number, scale: number): number {
  return roundTo(value * scale, decimalsOf(value) + decimalsOf(scale));
}

/** A ratio to 15 significant digits: what survives a pixel → fraction → pixel trip. */
export function cleanRatio(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(15));
}
