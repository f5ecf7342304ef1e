import type { CornerBox } from '../agreement/boxes';

/** A point in the image plane. */
export interface Point {
  x: number;
  y: number;
}

/**
 * A simple polygon (its edges meet only at shared corners) by its corners, in either winding
 * order, not closed (the last corner joins the first). May be non-convex. Repeated consecutive
 * corners are ignored.
 */
export type Polygon = readonly Point[];

/** Signed area by the shoelace formula: positive when the corners run counter-clockwise. */
export function signedPolygonArea(polygon: Polygon): number {
  const n = polygon.length;
  if (n < 3) return 0;
  // Relative to the first corner, so large coordinates do not swamp the sum.
  const origin = polygon[0]!;
  let twice = 0;
  for (let i = 1; i < n - 1; i++) {
    const a = polygon[i]!;
    const b = polygon[i + 1]!;
    twice += (a.x - origin.x) * (b.y - origin.y) - (b.x - origin.x) * (a.y - origin.y);
  }
  return twice / 2;
}

/** Area of a simple polygon (either winding order). */
export function polygonArea(polygon: Polygon): number {
  return Math.abs(signedPolygonArea(polygon));
}

/** The four corners of a box, counter-clockwise (y up). */
export function boxToPolygon(box: CornerBox): Point[] {
  const x1 = Math.min(box.x1, box.x2);
  const x2 = Math.max(box.x1, box.x2);
  const y1 = Math.min(box.y1, box.y2);
  const y2 = Math.max(box.y1, box.y2);
  return [
    { x: x1, y: y1 },
    { x: x2, y: y1 },
    { x: x2, y: y2 },
    { x: x1, y: y2 },
  ];
}

/**
 * Area of the intersection of two simple polygons, exactly up to rounding, convex or not.
 *
 * By Green's theorem the area of A ∩ B is the shoelace sum over its boundary, and that boundary
 * is made of the pieces of A's edges inside B and of B's edges inside A. So each edge is cut where
 * the other polygon's edges cross or touch it, and each piece is kept when its midpoint lies
 * inside the other polygon. A piece lying on the other polygon's boundary (shared edges) belongs
 * to the intersection's boundary when both polygons are on the same side of it (same direction
 * once both run counter-clockwise); it is then counted once, from A. Unlike Greiner-Hormann or
 * Weiler-Atherton, no output polygon is traced, so touching corners, shared edges, intersections
 * in several parts and containment need no special cases.
 */
export function polygonIntersectionArea(a: Polygon, b: Polygon): number {
  const first = counterClockwise(withoutRepeats(a));
  const second = counterClockwise(withoutRepeats(b));
  if (first.length < 3 || second.length < 3) return 0;
  const boundsA = bounds(first);
  const boundsB = bounds(second);
  if (
    boundsA.maxX <= boundsB.minX ||
    boundsB.maxX <= boundsA.minX ||
    boundsA.maxY <= boundsB.minY ||
    boundsB.maxY <= boundsA.minY
  )
    return 0;
  // Work relative to a shared origin near both shapes: the shoelace terms stay small.
  const originX = Math.min(boundsA.minX, boundsB.minX);
  const originY = Math.min(boundsA.minY, boundsB.minY);
  const p = first.map((point) => ({ x: point.x - originX, y: point.y - originY }));
  const q = second.map((point) => ({ x: point.x - originX, y: point.y - originY }));
  const extent = Math.max(
    boundsA.maxX - boundsA.minX,
    boundsA.maxY - boundsA.minY,
    boundsB.maxX - boundsB.minX,
    boundsB.maxY - boundsB.minY,
    Math.max(boundsA.maxX, boundsB.maxX) - originX,
    Math.max(boundsA.maxY, boundsB.maxY) - originY,
  );
  const tolerance = extent * 1e-10;
  const twice = boundaryInside(p, q, tolerance, true) + boundaryInside(q, p, tolerance, false);
  return Math.max(twice / 2, 0);
}

/**
 * Intersection over union of two simple polygons (see polygonIntersectionArea). Two polygons of
 * zero area count as 1 when they have the same corners in the same order, else 0.
 */
export function polygonIoU(a: Polygon, b: Polygon): number {
  // The same outline (as when two annotators keep a pre-label) is exactly 1, not 1 less rounding.
  if (sameOutline(a, b)) return 1;
  const intersection = polygonIntersectionArea(a, b);
  const union = polygonArea(a) + polygonArea(b) - intersection;
  return union > 0 ? Math.min(1, intersection / union) : 0;
}

/** Whether two polygons have the same corners in the same cyclic order, either way round. */
function sameOutline(a: Polygon, b: Polygon): boolean {
  const first = withoutRepeats(a);
  const second = withoutRepeats(b);
  const n = first.length;
  if (n !== second.length || n === 0) return false;
  const start = second.findIndex((point) => samePoint(point, first[0]!));
  if (start < 0) return false;
  const forward = first.every((point, i) => samePoint(point, second[(start + i) % n]!));
  return forward || first.every((point, i) => samePoint(point, second[(start - i + n) % n]!));
}

/**
 * Whether a polygon is simple: at least three distinct corners, non-zero area, and no two edges
 * meeting except neighbours at their shared corner. O(n²); check input once, not per comparison.
 */
export function isSimplePolygon(polygon: Polygon): boolean {
  const points = withoutRepeats(polygon);
  const n = points.length;
  if (n < 3 || !points.every((point) => Number.isFinite(point.x) && Number.isFinite(point.y)))
    return false;
  if (signedPolygonArea(points) === 0) return false;
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % n]!;
    for (let j = i + 1; j < n; j++) {
      const c = points[j]!;
      const d = points[(j + 1) % n]!;
      const isNext = j === i + 1;
      const isPrevious = i === 0 && j === n - 1;
      if (isNext || isPrevious) {
        // Neighbours share one corner; they must not fold back along each other.
        const [shared, ownEnd, otherEnd] = isNext ? [b, a, d] : [a, b, c];
        if (
          cross(sub(ownEnd, shared), sub(otherEnd, shared)) === 0 &&
          dot(sub(ownEnd, shared), sub(otherEnd, shared)) > 0
        )
          return false;
      } else if (segmentsMeet(a, b, c, d)) return false;
    }
  }
  return true;
}

/** The doubled shoelace sum over the pieces of `own`'s edges inside `other` (see above). */
function boundaryInside(own: Point[], other: Point[], tolerance: number, keepShared: boolean) {
  let twice = 0;
  const cuts: number[] = [];
  for (let i = 0, n = own.length; i < n; i++) {
    const start = own[i]!;
    const direction = sub(own[(i + 1) % n]!, start);
    const length = Math.hypot(direction.x, direction.y);
    cuts.length = 0;
    cuts.push(0, 1);
    addCuts(start, direction, length, other, tolerance, cuts);
    cuts.sort((s, t) => s - t);
    for (let k = 0; k + 1 < cuts.length; k++) {
      const t0 = cuts[k]!;
      const t1 = cuts[k + 1]!;
      if ((t1 - t0) * length <= tolerance) continue;
      const from = along(start, direction, t0);
      const to = along(start, direction, t1);
      const middle = along(start, direction, (t0 + t1) / 2);
      const place = locate(middle, other, tolerance);
      const isKept =
        place === 'inside' || (keepShared && place !== 'outside' && dot(direction, place) > 0);
      if (isKept) twice += from.x * to.y - to.x * from.y;
    }
  }
  return twice;
}

/** Parameters in (0, 1) along start + t·direction where `other`'s edges cross or touch it. */
function addCuts(
  start: Point,
  direction: Point,
  length: number,
  other: Point[],
  tolerance: number,
  cuts: number[],
): void {
  const squared = length * length;
  for (let j = 0, m = other.length; j < m; j++) {
    const q = other[j]!;
    const edge = sub(other[(j + 1) % m]!, q);
    const edgeLength = Math.hypot(edge.x, edge.y);
    const offset = sub(q, start);
    const denominator = cross(direction, edge);
    if (Math.abs(denominator) > 1e-12 * length * edgeLength) {
      const t = cross(offset, edge) / denominator;
      const u = cross(offset, direction) / denominator;
      const slack = tolerance / edgeLength;
      if (t > 0 && t < 1 && u >= -slack && u <= 1 + slack) cuts.push(t);
    } else if (Math.abs(cross(offset, direction)) <= tolerance * length) {
      // Collinear: the other edge's ends cut this one where they fall on it.
      const t0 = dot(offset, direction) / squared;
      const t1 = dot(sub(other[(j + 1) % m]!, start), direction) / squared;
      if (t0 > 0 && t0 < 1) cuts.push(t0);
      if (t1 > 0 && t1 < 1) cuts.push(t1);
    }
  }
}

/** Inside, outside, or on the boundary (then the direction of the edge it lies on). */
function locate(point: Point, polygon: Point[], tolerance: number): 'inside' | 'outside' | Point {
  let isInside = false;
  for (let j = 0, m = polygon.length; j < m; j++) {
    const a = polygon[j]!;
    const b = polygon[(j + 1) % m]!;
    if (distanceToSegment(point, a, b) <= tolerance) return sub(b, a);
    // Even-odd ray crossing to the right.
    if (a.y > point.y !== b.y > point.y) {
      const x = a.x + ((point.y - a.y) * (b.x - a.x)) / (b.y - a.y);
      if (x > point.x) isInside = !isInside;
    }
  }
  return isInside ? 'inside' : 'outside';
}

function distanceToSegment(point: Point, a: Point, b: Point): number {
  const edge = sub(b, a);
  const squared = dot(edge, edge);
  const t = squared > 0 ? Math.min(1, Math.max(0, dot(sub(point, a), edge) / squared)) : 0;
  return Math.hypot(point.x - a.x - t * edge.x, point.y - a.y - t * edge.y);
}

/** Whether two closed segments share a point (exact orientation tests). */
function segmentsMeet(a: Point, b: Point, c: Point, d: Point): boolean {
  const o1 = Math.sign(cross(sub(b, a), sub(c, a)));
  const o2 = Math.sign(cross(sub(b, a), sub(d, a)));
  const o3 = Math.sign(cross(sub(d, c), sub(a, c)));
  const o4 = Math.sign(cross(sub(d, c), sub(b, c)));
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(c, a, b)) ||
    (o2 === 0 && onSegment(d, a, b)) ||
    (o3 === 0 && onSegment(a, c, d)) ||
    (o4 === 0 && onSegment(b, c, d))
  );
}

function onSegment(point: Point, a: Point, b: Point): boolean {
  return (
    Math.min(a.x, b.x) <= point.x &&
    point.x <= Math.max(a.x, b.x) &&
    Math.min(a.y, b.y) <= point.y &&
    point.y <= Math.max(a.y, b.y)
  );
}

function withoutRepeats(polygon: Polygon): Point[] {
  const points: Point[] = [];
  for (const point of polygon) {
    const last = points[points.length - 1];
    if (!last || !samePoint(last, point)) points.push(point);
  }
  while (points.length > 1 && samePoint(points[0]!, points[points.length - 1]!)) points.pop();
  return points;
}

function counterClockwise(points: Point[]): Point[] {
  return signedPolygonArea(points) < 0 ? points.reverse() : points;
}

function bounds(points: readonly Point[]) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const { x, y } of points) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return { minX, minY, maxX, maxY };
}

function samePoint(a: Point, b: Point): boolean {
  return a.x === b.x && a.y === b.y;
}

function sub(a: Point, b: Point): Point {
  return { x: a.x - b.x, y: a.y - b.y };
}

function along(start: Point, direction: Point, t: number): Point {
  return { x: start.x + t * direction.x, y: start.y + t * direction.y };
}

function cross(a: Point, b: Point): number {
  return a.x * b.y - a.y * b.x;
}

function dot(a: Point, b: Point): number {
  return a.x * b.x + a.y * b.y;
}
