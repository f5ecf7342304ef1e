import { boxSetF1 } from '../gold/boxes';
import { fuseBoxes, type BoxAnnotation, type BoxFusionOptions, type FusedBox } from './fusion';

/** One item's annotations. */
export interface BoxItem {
  item: string;
  annotations: readonly BoxAnnotation[];
}

/** One item's consensus. */
export interface FusedItem {
  item: string;
  objects: FusedBox[];
}

/** Options of fusion over many items. */
export interface BoxItemsFusionOptions extends BoxFusionOptions {
  /**
   * Rounds of reliability estimation at most, when `reliability` is not given: re-estimate every
   * annotator against the current consensus and fuse again with those weights, until the
   * reliabilities stop changing. 0 keeps equal weights. Default 10 (a few rounds usually do).
   */
  rounds?: number;
  /**
   * Pseudo-count of the reliability estimate: an annotator's mean F1 is shrunk towards the
   * mean over all annotations as if they had this many more items at that mean. Default 2.
   */
  priorWeight?: number;
}

/** The consensus of every item, and the annotator reliabilities it was fused with. */
export interface BoxItemsFusion {
  items: FusedItem[];
  reliability: Map<string, number>;
  /** Re-estimation rounds run (0 when reliabilities were given or rounds was 0). */
  rounds: number;
  /** Whether the reliabilities reached a fixed point (true when they were given). */
  converged: boolean;
}

/**
 * Fuses every item (see fuseBoxes), with given annotator reliabilities or with reliabilities
 * estimated from the data: each round scores every annotator by their mean F1 against the
 * current consensus (annotatorReliability) and fuses again with those weights.
 */
export function fuseBoxItems(
  items: readonly BoxItem[],
  options: BoxItemsFusionOptions = {},
): BoxItemsFusion {
  const maxRounds = options.rounds ?? 10;
  if (!(Number.isInteger(maxRounds) && maxRounds >= 0))
    throw new RangeError(`rounds must be a whole number >= 0, not ${maxRounds}`);
  const fuseAll = (reliability: ReadonlyMap<string, number> | undefined) =>
    items.map(({ item, annotations }) => ({
      item,
      objects: fuseBoxes(annotations, { ...options, ...(reliability ? { reliability } : {}) }),
    }));
  if (options.reliability)
    return {
      items: fuseAll(options.reliability),
      reliability: new Map(options.reliability),
      rounds: 0,
      converged: true,
    };
  let reliability = new Map<string, number>();
  let fused = fuseAll(undefined);
  let rounds = 0;
  let converged = maxRounds === 0;
  while (rounds < maxRounds) {
    const next = annotatorReliability(items, fused, options);
    // A fixed point: fusing again would give the same consensus.
    if (rounds > 0 && largestChange(reliability, next) < 1e-9) {
      converged = true;
      break;
    }
    reliability = next;
    fused = fuseAll(reliability);
    rounds++;
  }
  return { items: fused, reliability, rounds, converged };
}

function largestChange(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>) {
  let largest = 0;
  for (const [annotator, value] of after)
    largest = Math.max(largest, Math.abs(value - (before.get(annotator) ?? 1)));
  return largest;
}

/**
 * Each annotator's reliability: their mean F1 (boxes matched at IoU >= iouThreshold) against the
 * consensus of the items they annotated, shrunk towards the mean over all annotations by
 * `priorWeight` pseudo-items (so one lucky item does not make an expert). In [0, 1].
 */
export function annotatorReliability(
  items: readonly BoxItem[],
  fused: readonly FusedItem[],
  options: Pick<BoxItemsFusionOptions, 'iouThreshold' | 'priorWeight'> = {},
): Map<string, number> {
  const threshold = options.iouThreshold ?? 0.5;
  const priorWeight = options.priorWeight ?? 2;
  if (!(priorWeight >= 0)) throw new RangeError(`priorWeight must be >= 0, not ${priorWeight}`);
  if (fused.length !== items.length) throw new RangeError('one consensus per item is needed');
  const sums = new Map<string, { total: number; count: number }>();
  let total = 0;
  let count = 0;
  items.forEach(({ annotations }, i) => {
    const consensus = fused[i]!.objects.map((object) => object.box);
    for (const { annotator, boxes } of annotations) {
      const f1 = boxSetF1(boxes, consensus, { threshold }).f1;
      const entry = sums.get(annotator) ?? { total: 0, count: 0 };
      entry.total += f1;
      entry.count++;
      sums.set(annotator, entry);
      total += f1;
      count++;
    }
  });
  const mean = count > 0 ? total / count : 0;
  const reliability = new Map<string, number>();
  for (const [annotator, entry] of sums)
    reliability.set(annotator, (entry.total + priorWeight * mean) / (entry.count + priorWeight));
  return reliability;
}
