import { maximumWeightAssignment } from '../agreement/assignment';
import { polygonIoU, type Polygon } from './polygon';

/** How well two shapes agree, in [0, 1] (IoU for regions, OKS for keypoints). */
export type ShapeSimilarity<T> = (a: T, b: T) => number;

/** A matched pair of shapes: indices into the two sets and their similarity. */
export interface ShapePair {
  first: number;
  second: number;
  similarity: number;
}

/** Options for pairing two sets of shapes. */
export interface ShapeMatchOptions {
  /** Smallest similarity for a pair to count as a match (a pair at 0 never does). Default 0.5. */
  threshold?: number;
}

/**
 * Pairs two sets of shapes one to one: the most pairs with similarity >= threshold, and among
 * those the largest total similarity (Hungarian algorithm). Pairs come in order of `first`.
 */
export function matchShapes<T>(
  first: readonly T[],
  second: readonly T[],
  similarity: ShapeSimilarity<T>,
  options: ShapeMatchOptions = {},
): ShapePair[] {
  const threshold = options.threshold ?? 0.5;
  const rows = first.length;
  const columns = second.length;
  if (rows === 0 || columns === 0) return [];
  const scores = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < columns; j++) {
      const score = similarity(first[i]!, second[j]!);
      scores[i * columns + j] = score > 0 && score >= threshold ? score : 0;
    }
  // A bonus above any possible total similarity: more pairs always win, then more similarity.
  const bonus = Math.min(rows, columns) + 1;
  const weights = scores.map((score) => (score > 0 ? bonus + score : 0));
  const pairs: ShapePair[] = [];
  maximumWeightAssignment(weights, rows, columns).forEach((j, i) => {
    const score = j >= 0 ? scores[i * columns + j]! : 0;
    if (score > 0) pairs.push({ first: i, second: j, similarity: score });
  });
  return pairs;
}

/** Pairs two sets of simple polygons by IoU (see matchShapes and polygonIoU). */
export function matchPolygons(
  first: readonly Polygon[],
  second: readonly Polygon[],
  options: ShapeMatchOptions = {},
): ShapePair[] {
  return matchShapes(first, second, polygonIoU, options);
}

/**
 * Detection-style F1 of one set of shapes against another: 2·matched / (|first| + |second|), 1
 * when both are empty (see matchShapes for the pairing).
 */
export function shapeSetF1<T>(
  first: readonly T[],
  second: readonly T[],
  similarity: ShapeSimilarity<T>,
  options: ShapeMatchOptions = {},
): number {
  if (first.length === 0 && second.length === 0) return 1;
  const matched = matchShapes(first, second, similarity, options).length;
  return (2 * matched) / (first.length + second.length);
}
