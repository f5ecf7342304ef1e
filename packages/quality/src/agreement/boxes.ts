import { maximumWeightAssignment } from './assignment';

/**
 * An axis-aligned box by its corners. Corners may come in either order (we take min and max).
 * Boxes with a `label` match only boxes with the same label (two unlabelled boxes match).
 */
export interface CornerBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  label?: string;
}

/** Intersection over union of two boxes; two identical zero-area boxes count as 1. */
export function cornerBoxIoU(a: CornerBox, b: CornerBox): number {
  const [ax1, ax2] = ordered(a.x1, a.x2);
  const [ay1, ay2] = ordered(a.y1, a.y2);
  const [bx1, bx2] = ordered(b.x1, b.x2);
  const [by1, by2] = ordered(b.y1, b.y2);
  const width = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const height = Math.min(ay2, by2) - Math.max(ay1, by1);
  const intersection = width > 0 && height > 0 ? width * height : 0;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - intersection;
  if (union > 0) return intersection / union;
  return ax1 === bx1 && ax2 === bx2 && ay1 === by1 && ay2 === by2 ? 1 : 0;
}

function ordered(a: number, b: number): [number, number] {
  return a <= b ? [a, b] : [b, a];
}

/**
 * How boxes are paired. `optimal`: the most pairs with IoU >= threshold, and among those the
 * largest total IoU (Hungarian algorithm). `greedy`: the COCO-style rule, highest-IoU pair first
 * (ties by index), each box used once; fast, but can pair fewer boxes than optimal.
 */
export type BoxMatching = 'optimal' | 'greedy';

/** Options for pairing two sets of boxes. */
export interface BoxMatchOptions {
  /** Smallest IoU for a pair to count as a match (and never 0). Default 0.5. */
  threshold?: number;
  /** Default `optimal`. */
  matching?: BoxMatching;
}

/** A matched pair: indices into the two sets and their IoU. */
export interface BoxPair {
  first: number;
  second: number;
  iou: number;
}

/** Pairs the boxes of two sets (see BoxMatching). */
export function matchBoxes(
  first: readonly CornerBox[],
  second: readonly CornerBox[],
  options: BoxMatchOptions = {},
): BoxPair[] {
  const threshold = options.threshold ?? 0.5;
  const matching = options.matching ?? 'optimal';
  const rows = first.length;
  const columns = second.length;
  if (rows === 0 || columns === 0) return [];
  const ious = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const a = first[i]!;
      const b = second[j]!;
      const iou = a.label === b.label ? cornerBoxIoU(a, b) : 0;
      ious[i * columns + j] = iou > 0 && iou >= threshold ? iou : 0;
    }
  }
  if (matching === 'greedy') return greedyPairs(ious, rows, columns);
  // Weight C + IoU with C above any possible IoU total: more pairs always wins, then more IoU.
  const bonus = Math.min(rows, columns) + 1;
  const weights = ious.map((iou) => (iou > 0 ? bonus + iou : 0));
  const pairs: BoxPair[] = [];
  maximumWeightAssignment(weights, rows, columns).forEach((j, i) => {
    const iou = j >= 0 ? ious[i * columns + j]! : 0;
    if (iou > 0) pairs.push({ first: i, second: j, iou });
  });
  return pairs;
}

function greedyPairs(ious: Float64Array, rows: number, columns: number): BoxPair[] {
  const candidates: BoxPair[] = [];
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < columns; j++) {
      const iou = ious[i * columns + j]!;
      if (iou > 0) candidates.push({ first: i, second: j, iou });
    }
  candidates.sort((a, b) => b.iou - a.iou || a.first - b.first || a.second - b.second);
  const usedFirst = new Uint8Array(rows);
  const usedSecond = new Uint8Array(columns);
  const pairs: BoxPair[] = [];
  for (const pair of candidates) {
    if (usedFirst[pair.first] || usedSecond[pair.second]) continue;
    usedFirst[pair.first] = 1;
    usedSecond[pair.second] = 1;
    pairs.push(pair);
  }
  return pairs.sort((a, b) => a.first - b.first);
}

/** Agreement between raters' boxes on one item. */
export interface BoxAgreement {
  /**
   * Mean over rater pairs of (total IoU of matched boxes) / (size of the larger set): unmatched
   * boxes count as IoU 0, two empty sets agree fully. In [0, 1].
   */
  agreement: number;
  /** Mean IoU over every matched pair of boxes (NaN when nothing matched). */
  meanMatchedIoU: number;
  matchedPairs: number;
  raterPairs: number;
}

/** Geometric agreement of two or more raters' boxes on one item (mean pairwise matched IoU). */
export function boxAgreement(
  raters: readonly (readonly CornerBox[])[],
  options: BoxMatchOptions = {},
): BoxAgreement {
  if (raters.length < 2) throw new RangeError('agreement needs at least two raters');
  let agreementSum = 0;
  let iouSum = 0;
  let matchedPairs = 0;
  let raterPairs = 0;
  for (let a = 0; a < raters.length; a++) {
    for (let b = a + 1; b < raters.length; b++) {
      const first = raters[a]!;
      const second = raters[b]!;
      const pairs = matchBoxes(first, second, options);
      const total = pairs.reduce((sum, pair) => sum + pair.iou, 0);
      const larger = Math.max(first.length, second.length);
      agreementSum += larger === 0 ? 1 : total / larger;
      iouSum += total;
      matchedPairs += pairs.length;
      raterPairs++;
    }
  }
  return {
    agreement: agreementSum / raterPairs,
    meanMatchedIoU: matchedPairs > 0 ? iouSum / matchedPairs : NaN,
    matchedPairs,
    raterPairs,
  };
}
