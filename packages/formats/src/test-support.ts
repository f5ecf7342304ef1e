import type { ImageAnnotation } from '@quorum/core';
import fc from 'fast-check';
import type { ImageTaskRecord } from './geometry';

/** Test-only helpers shared by the format tests (not exported from the package). */

/** Pixels with two decimals, as the editor stores them. */
export const pixel = (max: number) =>
  fc.integer({ min: 0, max: max * 100 }).map((value) => value / 100);

export const LABELS = ['car', 'person', 'traffic light', 'Straße 🚦'] as const;

const label = fc.constantFrom(...LABELS);
const attributes = fc.option(
  fc.dictionary(
    fc.constantFrom('occluded', 'colour', 'count'),
    fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()),
    { minKeys: 1 },
  ),
  { nil: undefined },
);

/** Boxes, polygons and points inside a `width` × `height` image. */
export function shapeIn(width: number, height: number): fc.Arbitrary<ImageAnnotation> {
  const box = fc
    .record({
      left: pixel(width / 2),
      top: pixel(height / 2),
      width: pixel(width / 2),
      height: pixel(height / 2),
      label,
      attributes,
    })
    .map(({ attributes, ...box }) => ({
      type: 'box' as const,
      ...box,
      ...(attributes ? { attributes } : {}),
    }));
  const polygon = fc
    .record({
      vertices: fc.array(fc.record({ x: pixel(width), y: pixel(height) }), {
        minLength: 3,
        maxLength: 6,
      }),
      label,
      attributes,
    })
    .map(({ attributes, ...polygon }) => ({
      type: 'polygon' as const,
      ...polygon,
      ...(attributes ? { attributes } : {}),
    }));
  const point = fc
    .record({ x: pixel(width), y: pixel(height), label, attributes })
    .map(({ attributes, ...point }) => ({
      type: 'point' as const,
      ...point,
      ...(attributes ? { attributes } : {}),
    }));
  return fc.oneof(box, polygon, point);
}

/** An image task record with a size and some shapes. */
export const imageRecord: fc.Arbitrary<ImageTaskRecord> = fc
  .record({
    width: fc.integer({ min: 1, max: 4000 }),
    height: fc.integer({ min: 1, max: 4000 }),
    id: fc.uuid(),
  })
  .chain(({ width, height, id }) =>
    fc.array(shapeIn(width, height), { maxLength: 6 }).map((annotations) => ({
      taskId: id,
      attachment: `https://images.example.com/${id}.jpg`,
      width,
      height,
      annotations,
    })),
  );
