import type { ImageAnnotation } from '@quorum/core';
import { boxCorners, cleanRatio, scaleExactly, type ImageSize, type Vertex } from '../geometry';

/** A share of `size` in percent, as pixels, to the precision the percentage had. */
export function percentToPixels(percent: number, size: number): number {
  return scaleExactly(percent, size / 100);
}

/**
 * Pixels as a percentage of `size`: the shortest decimal that converts back to exactly these
 * pixels, so a percentage read from Label Studio is written back as it was.
 */
export function pixelsToPercent(pixels: number, size: number): number {
  const percent = (pixels * 100) / size;
  for (let digits = 1; digits <= 17; digits++) {
    const candidate = Number(percent.toPrecision(digits));
    if (percentToPixels(candidate, size) === pixels) return candidate;
  }
  return cleanRatio(percent);
}

/** Label Studio's rectangle: top-left corner (after rotation) and size in percent, degrees clockwise about that corner. */
export interface RectangleValue {
  x: number;
  y: number;
  width: number;
  height: number;
  rotation?: number;
}

/**
 * A Label Studio rectangle as a Quorum box. Label Studio turns a box about its top-left corner;
 * Quorum keeps the unrotated box (turned about its centre), its angle in radians and corners.
 */
export function rectangleToBox(
  value: RectangleValue,
  size: ImageSize,
): Omit<Extract<ImageAnnotation, { type: 'box' }>, 'type'> {
  const x = percentToPixels(value.x, size.width);
  const y = percentToPixels(value.y, size.height);
  const width = percentToPixels(value.width, size.width);
  const height = percentToPixels(value.height, size.height);
  const degrees = value.rotation ?? 0;
  if (degrees === 0) return { left: x, top: y, width, height };
  const rotation = (degrees * Math.PI) / 180;
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const cx = x + (width / 2) * cos - (height / 2) * sin;
  const cy = y + (width / 2) * sin + (height / 2) * cos;
  const box = { left: cx - width / 2, top: cy - height / 2, width, height, rotation };
  return { ...box, vertices: boxCorners(box) };
}

/** A Quorum box as a Label Studio rectangle (the inverse of rectangleToBox). */
export function boxToRectangle(
  box: Extract<ImageAnnotation, { type: 'box' }>,
  size: ImageSize,
): Required<RectangleValue> {
  const rotation = box.rotation ?? 0;
  const corner = rotation === 0 ? { x: box.left, y: box.top } : boxCorners(box)[0]!;
  const degrees =
    rotation === 0 ? 0 : cleanRatio(((((rotation * 180) / Math.PI) % 360) + 360) % 360);
  return {
    x:
      rotation === 0
        ? pixelsToPercent(corner.x, size.width)
        : cleanRatio((corner.x * 100) / size.width),
    y:
      rotation === 0
        ? pixelsToPercent(corner.y, size.height)
        : cleanRatio((corner.y * 100) / size.height),
    width: pixelsToPercent(box.width, size.width),
    height: pixelsToPercent(box.height, size.height),
    rotation: degrees,
  };
}

/** Label Studio polygon points (percent pairs) as pixels. */
export function pointsToVertices(
  points: ReadonlyArray<readonly [number, number]>,
  size: ImageSize,
): Vertex[] {
  return points.map(([x, y]) => ({
    x: percentToPixels(x, size.width),
    y: percentToPixels(y, size.height),
  }));
}

/** Pixels as Label Studio polygon points. */
export function verticesToPoints(
  vertices: readonly Vertex[],
  size: ImageSize,
): Array<[number, number]> {
  return vertices.map(({ x, y }) => [
    pixelsToPercent(x, size.width),
    pixelsToPercent(y, size.height),
  ]);
}
