import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cornerBoxIoU, type CornerBox } from '../agreement/boxes';
import {
  boxToPolygon,
  isSimplePolygon,
  polygonArea,
  polygonIntersectionArea,
  polygonIoU,
  signedPolygonArea,
  type Point,
  type Polygon,
} from './polygon';
import { matchPolygons } from './matching';

const polygon = (...xy: number[]): Point[] =>
  Array.from({ length: xy.length / 2 }, (_, i) => ({ x: xy[2 * i]!, y: xy[2 * i + 1]! }));

const square = (x: number, y: number, side: number) =>
  polygon(x, y, x + side, y, x + side, y + side, x, y + side);

/** A U open at the top: arms x∈[0,1] and x∈[3,4], base y∈[0,1], height 4. Area 10. */
const U_SHAPE = polygon(0, 0, 4, 0, 4, 4, 3, 4, 3, 1, 1, 1, 1, 4, 0, 4);

/** Share of a fine grid's cell centres inside both polygons, times the grid's area. */
function rasterIntersection(a: Polygon, b: Polygon, size: number, cells: number): number {
  let inside = 0;
  const step = size / cells;
  for (let i = 0; i < cells; i++)
    for (let j = 0; j < cells; j++) {
      const point = { x: (i + 0.5) * step, y: (j + 0.5) * step };
      if (contains(a, point) && contains(b, point)) inside++;
    }
  return inside * step * step;
}

function contains(polygon: Polygon, point: Point): boolean {
  let isInside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i]!;
    const b = polygon[j]!;
    if (a.y > point.y !== b.y > point.y) {
      const x = a.x + ((point.y - a.y) * (b.x - a.x)) / (b.y - a.y);
      if (x > point.x) isInside = !isInside;
    }
  }
  return isInside;
}

/** Star-shaped polygons around (10, 10): corners at rising angles, so always simple. */
const starArbitrary = fc
  .array(
    fc.record({ angle: fc.integer({ min: 0, max: 359 }), radius: fc.integer({ min: 1, max: 9 }) }),
    { minLength: 3, maxLength: 9 },
  )
  .map((corners) => {
    const byAngle = new Map(corners.map((corner) => [corner.angle, corner.radius]));
    return [...byAngle]
      .sort((a, b) => a[0] - b[0])
      .map(([angle, radius]) => ({
        x: 10 + radius * Math.cos((angle * Math.PI) / 180),
        y: 10 + radius * Math.sin((angle * Math.PI) / 180),
      }));
  })
  .filter((points) => points.length >= 3 && isSimplePolygon(points));

const boxArbitrary = fc
  .tuple(
    fc.integer({ min: 0, max: 20 }),
    fc.integer({ min: 0, max: 20 }),
    fc.integer({ min: 1, max: 10 }),
    fc.integer({ min: 1, max: 10 }),
  )
  .map(([x, y, w, h]): CornerBox => ({ x1: x, y1: y, x2: x + w, y2: y + h }));

describe('polygon area', () => {
  it('is the shoelace area, signed by winding', () => {
    expect(signedPolygonArea(square(0, 0, 2))).toBe(4);
    expect(signedPolygonArea([...square(0, 0, 2)].reverse())).toBe(-4);
    expect(polygonArea(U_SHAPE)).toBe(10);
    expect(polygonArea(polygon(0, 0, 1, 1))).toBe(0);
  });
});

describe('polygonIntersectionArea', () => {
  it('measures overlapping, nested, disjoint and touching squares', () => {
    expect(polygonIntersectionArea(square(0, 0, 2), square(1, 1, 2))).toBeCloseTo(1, 12);
    expect(polygonIntersectionArea(square(0, 0, 4), square(1, 1, 1))).toBeCloseTo(1, 12);
    expect(polygonIntersectionArea(square(0, 0, 1), square(3, 3, 1))).toBe(0);
    // A shared edge or a shared corner is no area.
    expect(polygonIntersectionArea(square(0, 0, 1), square(1, 0, 1))).toBe(0);
    expect(polygonIntersectionArea(square(0, 0, 1), square(1, 1, 1))).toBe(0);
  });

  it('handles shared edges running the same way, partly or wholly', () => {
    // Same bottom edge, one square inside the other.
    expect(polygonIntersectionArea(square(0, 0, 4), polygon(0, 0, 2, 0, 2, 2, 0, 2))).toBeCloseTo(
      4,
      12,
    );
    // Overlapping along part of the bottom edge.
    expect(polygonIntersectionArea(square(0, 0, 2), polygon(1, 0, 3, 0, 3, 1, 1, 1))).toBeCloseTo(
      1,
      12,
    );
    // Along the top edge, away from the origin of the shoelace sums.
    expect(polygonIntersectionArea(square(0, 0, 4), polygon(2, 3, 6, 3, 6, 4, 2, 4))).toBeCloseTo(
      2,
      12,
    );
    // Shared edges running opposite ways (the squares touch) are no area.
    expect(polygonIntersectionArea(square(0, 0, 4), square(4, 1, 2))).toBe(0);
    expect(polygonIntersectionArea(U_SHAPE, U_SHAPE)).toBeCloseTo(10, 12);
  });

  it('cuts a non-convex polygon into several pieces', () => {
    // A bar across the U's arms overlaps each arm in a 1 × 1 square, and not the gap.
    const bar = polygon(-1, 2, 5, 2, 5, 3, -1, 3);
    expect(polygonIntersectionArea(U_SHAPE, bar)).toBeCloseTo(2, 12);
    expect(polygonIntersectionArea(bar, U_SHAPE)).toBeCloseTo(2, 12);
    // A square in the U's gap touches both arms and the base: no area.
    expect(polygonIntersectionArea(U_SHAPE, polygon(1, 1, 3, 1, 3, 4, 1, 4))).toBeCloseTo(0, 12);
    // The U's bounding box holds the whole U.
    expect(polygonIntersectionArea(U_SHAPE, square(0, 0, 4))).toBeCloseTo(10, 12);
  });

  it('ignores winding, repeated corners and a closing corner', () => {
    const a = square(0, 0, 2);
    const b = polygon(1, 1, 1, 1, 1, 3, 3, 3, 3, 1, 1, 1);
    expect(polygonIntersectionArea(a, b)).toBeCloseTo(1, 12);
    expect(polygonIntersectionArea([...a].reverse(), b)).toBeCloseTo(1, 12);
  });

  it('stays exact for large coordinates', () => {
    const offset = 1e7;
    const a = square(offset, offset, 2);
    const b = square(offset + 1, offset + 1, 2);
    expect(polygonIntersectionArea(a, b)).toBeCloseTo(1, 6);
  });

  it('agrees with a fine raster on random non-convex polygons', () => {
    fc.assert(
      fc.property(starArbitrary, starArbitrary, (a, b) => {
        const exact = polygonIntersectionArea(a, b);
        const raster = rasterIntersection(a, b, 20, 400);
        // Each polygon's boundary crosses at most ~(perimeter / cell) cells of area cell².
        expect(Math.abs(exact - raster)).toBeLessThan(1.5);
        expect(exact).toBeCloseTo(polygonIntersectionArea(b, a), 9);
        expect(exact).toBeLessThanOrEqual(Math.min(polygonArea(a), polygonArea(b)) + 1e-9);
      }),
      { numRuns: 60 },
    );
  });
});

describe('polygonIoU', () => {
  it('is symmetric, within [0, 1], and 1 for a polygon with itself', () => {
    fc.assert(
      fc.property(starArbitrary, starArbitrary, (a, b) => {
        const iou = polygonIoU(a, b);
        expect(iou).toBeGreaterThanOrEqual(0);
        expect(iou).toBeLessThanOrEqual(1);
        // Thin slivers lose a few digits to rounding in the clipping; the order of the pair must not.
        expect(iou).toBeCloseTo(polygonIoU(b, a), 9);
        expect(polygonIoU(a, a)).toBe(1);
        expect(polygonIoU([...a].reverse(), a)).toBe(1);
        expect(polygonIoU([...a.slice(1), a[0]!], a)).toBe(1);
      }),
    );
  });

  it('equals the box IoU for rectangles', () => {
    fc.assert(
      fc.property(boxArbitrary, boxArbitrary, (a, b) => {
        expect(polygonIoU(boxToPolygon(a), boxToPolygon(b))).toBeCloseTo(cornerBoxIoU(a, b), 12);
      }),
    );
  });

  it('counts identical zero-area polygons as 1 and different ones as 0', () => {
    expect(polygonIoU(polygon(0, 0, 1, 1, 2, 2), polygon(0, 0, 1, 1, 2, 2))).toBe(1);
    expect(polygonIoU(polygon(0, 0, 1, 1, 2, 2), polygon(0, 0, 1, 1, 3, 3))).toBe(0);
  });

  it('is exactly 1 for the thin sliver that once came out a rounding error short', () => {
    const sliver = polygon(
      11,
      10,
      10.999847695156392,
      10.017452406437284,
      10.999390827019095,
      10.0348994967025,
    );
    expect(polygonIoU(sliver, sliver)).toBe(1);
  });
});

describe('isSimplePolygon', () => {
  it('accepts simple polygons and refuses crossings, fold-backs and degenerate ones', () => {
    expect(isSimplePolygon(square(0, 0, 1))).toBe(true);
    expect(isSimplePolygon(U_SHAPE)).toBe(true);
    expect(isSimplePolygon([...square(0, 0, 1), { x: 0, y: 0 }])).toBe(true);
    expect(isSimplePolygon(polygon(0, 0, 2, 2, 2, 0, 0, 2))).toBe(false); // bow tie
    expect(isSimplePolygon(polygon(0, 0, 2, 0, 1, 0, 1, 1))).toBe(false); // folds back
    expect(isSimplePolygon(polygon(0, 0, 2, 0, 2, 2, 1, 0, 0, 2))).toBe(false); // corner on edge
    expect(isSimplePolygon(polygon(0, 0, 1, 1, 2, 2))).toBe(false); // no area
    expect(isSimplePolygon(polygon(0, 0, 1, 0))).toBe(false);
    expect(isSimplePolygon(polygon(0, 0, 1, 0, NaN, 1))).toBe(false);
  });
});

describe('matchPolygons', () => {
  it('pairs polygons one to one by IoU above the threshold', () => {
    const first = [square(0, 0, 2), U_SHAPE];
    const second = [U_SHAPE, square(0.2, 0, 2), square(50, 50, 1)];
    const pairs = matchPolygons(first, second);
    expect(pairs.map(({ first, second }) => [first, second])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(pairs[1]!.similarity).toBeCloseTo(1, 12);
    expect(matchPolygons(first, second, { threshold: 0.95 })).toHaveLength(1);
  });
});
