import { cornerBoxIoU, type CornerBox } from '../agreement/boxes';
import { boxSetF1 } from '../gold/boxes';
import { compareText, shapeConsensus, type Reliability } from './consensus';

/** A box with the annotator's (or model's) confidence in it, in [0, 1]; missing means 1. */
export interface ScoredBox extends CornerBox {
  confidence?: number;
}

/** One annotator's boxes on one item (possibly none: "no object here"). */
export interface BoxAnnotation {
  annotator: string;
  boxes: readonly ScoredBox[];
}

/** A box that went into a fused object: who drew it and its index in their boxes. */
export interface FusedMember {
  annotator: string;
  index: number;
  box: ScoredBox;
}

/** One object of the consensus. */
export interface FusedBox {
  /** Member corners averaged with weights reliability × confidence (corners as min, max). */
  box: CornerBox;
  /** How many annotators drew it. */
  support: number;
  /** support / annotators of the item, in [0, 1]. */
  supportShare: number;
  /**
   * Reliability-weighted support: Σ over members of reliability × confidence, over Σ of the
   * item's annotators' reliabilities. In [0, 1]; equals supportShare with equal weights.
   */
  confidence: number;
  /** One per supporting annotator, by annotator. */
  members: FusedMember[];
}

/** Options of box fusion (see shapeConsensus for the keep rule). */
export interface BoxFusionOptions {
  /**
   * IoU a box must reach with a group's fused box to join it; also the IoU at which the
   * annotators' boxes count as drawing a kept object. Default 0.5, the usual detection match.
   */
  iouThreshold?: number;
  /**
   * When given, keep exactly the objects whose support share reaches it (0.5: at least half the
   * item's annotators drew it). Default: the agreement rule (see fuseBoxes).
   */
  minSupport?: number;
  /** Weight of each annotator, >= 0. Default: all 1. */
  reliability?: Reliability;
}

/**
 * Fuses several annotators' boxes on one item into one set of objects (weighted box fusion with
 * a consensus keep rule). Boxes are grouped by agglomerative clustering that merges the two
 * groups whose fused boxes overlap most, while that IoU reaches iouThreshold and no annotator
 * would have two boxes in one group; a group's box is its members' corners averaged with weights
 * reliability × confidence.
 *
 * Which groups are kept: by default the set that agrees best with the annotators (largest
 * weighted mean F1 against each annotator's boxes), the medoid over every set of fused objects
 * rather than over the annotations drawn. It amounts to a majority vote when annotators agree
 * closely, and keeps objects fewer of them drew when each skips some (see shapeConsensus). With
 * `minSupport`, the objects drawn by at least that share of the annotators.
 *
 * Order-free: the result does not depend on the order of annotators or of their boxes. Boxes
 * with labels group only with boxes of the same label.
 */
export function fuseBoxes(
  annotations: readonly BoxAnnotation[],
  options: BoxFusionOptions = {},
): FusedBox[] {
  const originals = new Map<string, readonly ScoredBox[]>();
  const normalized = annotations.map(({ annotator, boxes }) => {
    originals.set(annotator, boxes);
    return { annotator, shapes: boxes.map((box) => orderedCorners(box, annotator)) };
  });
  const objects = shapeConsensus<ScoredBox>(normalized, boxSimilarity, {
    threshold: options.iouThreshold ?? 0.5,
    ...(options.minSupport !== undefined ? { minSupport: options.minSupport } : {}),
    ...(options.reliability ? { reliability: options.reliability } : {}),
    confidence: (box) => box.confidence ?? 1,
    fuse: averageBox,
    compare: compareBoxes,
  });
  return objects.map(({ shape, support, supportShare, confidence, members }) => ({
    box: shape,
    support,
    supportShare,
    confidence,
    members: members.map(({ annotator, index }) => ({
      annotator,
      index,
      box: originals.get(annotator)![index]!,
    })),
  }));
}

/**
 * The medoid annotation of one item (a baseline for fusion): the annotation with the largest
 * total F1 (boxes matched at IoU >= iouThreshold) against the other annotations; ties go to the
 * larger total matched IoU, then to the annotator first in text order. -1 when there is none.
 */
export function medoidAnnotation(
  annotations: readonly BoxAnnotation[],
  options: Pick<BoxFusionOptions, 'iouThreshold'> = {},
): number {
  const threshold = options.iouThreshold ?? 0.5;
  const n = annotations.length;
  const f1 = new Float64Array(n);
  const iou = new Float64Array(n);
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) {
      const score = boxSetF1(annotations[a]!.boxes, annotations[b]!.boxes, { threshold });
      const matchedIoU = score.matched > 0 ? score.meanIoU * score.matched : 0;
      f1[a] = f1[a]! + score.f1;
      f1[b] = f1[b]! + score.f1;
      iou[a] = iou[a]! + matchedIoU;
      iou[b] = iou[b]! + matchedIoU;
    }
  let best = -1;
  for (let a = 0; a < n; a++) {
    if (best < 0) {
      best = a;
      continue;
    }
    const better =
      f1[a]! - f1[best]! ||
      iou[a]! - iou[best]! ||
      compareText(annotations[best]!.annotator, annotations[a]!.annotator);
    if (better > 0) best = a;
  }
  return best;
}

/** The box with x1 <= x2 and y1 <= y2, checked. */
function orderedCorners(box: ScoredBox, annotator: string): ScoredBox {
  for (const corner of [box.x1, box.y1, box.x2, box.y2])
    if (!Number.isFinite(corner))
      throw new RangeError(`a box of "${annotator}" has a corner that is not a finite number`);
  const ordered: ScoredBox = {
    x1: Math.min(box.x1, box.x2),
    y1: Math.min(box.y1, box.y2),
    x2: Math.max(box.x1, box.x2),
    y2: Math.max(box.y1, box.y2),
  };
  if (box.confidence !== undefined) ordered.confidence = box.confidence;
  if (box.label !== undefined) ordered.label = box.label;
  return ordered;
}

function boxSimilarity(a: ScoredBox, b: ScoredBox): number {
  return a.label === b.label ? cornerBoxIoU(a, b) : 0;
}

function averageBox(boxes: readonly ScoredBox[], weights: readonly number[]): CornerBox {
  let total = weights.reduce((sum, weight) => sum + weight, 0);
  // With every weight 0 (all confidences 0), fall back to the plain mean.
  const weightOf = total > 0 ? (i: number) => weights[i]! : () => 1;
  if (!(total > 0)) total = boxes.length;
  let x1 = 0;
  let y1 = 0;
  let x2 = 0;
  let y2 = 0;
  boxes.forEach((box, i) => {
    const weight = weightOf(i) / total;
    x1 += weight * box.x1;
    y1 += weight * box.y1;
    x2 += weight * box.x2;
    y2 += weight * box.y2;
  });
  const fused: CornerBox = { x1, y1, x2, y2 };
  if (boxes[0]!.label !== undefined) fused.label = boxes[0]!.label;
  return fused;
}

function compareBoxes(a: ScoredBox, b: ScoredBox): number {
  return (
    compareText(a.label ?? '', b.label ?? '') ||
    a.x1 - b.x1 ||
    a.y1 - b.y1 ||
    a.x2 - b.x2 ||
    a.y2 - b.y2 ||
    (b.confidence ?? 1) - (a.confidence ?? 1)
  );
}
