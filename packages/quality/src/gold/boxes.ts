import { matchBoxes, type BoxMatchOptions, type CornerBox } from '../agreement/boxes';

/** Detection-style scores of a set of boxes against gold boxes. */
export interface BoxSetScore {
  precision: number;
  recall: number;
  /** 2·matched / (|answer| + |gold|); 1 when both are empty. */
  f1: number;
  /** Mean IoU of the matched pairs (NaN when none matched). */
  meanIoU: number;
  matched: number;
}

/**
 * F1 of answer boxes against gold boxes, a pair counting as a hit when its IoU >= threshold
 * (default 0.5). Matching is `optimal` by default (most hits, then most IoU) or `greedy`
 * (COCO-style, best IoU first), see matchBoxes. Labels must agree when given.
 */
export function boxSetF1(
  answer: readonly CornerBox[],
  gold: readonly CornerBox[],
  options: BoxMatchOptions = {},
): BoxSetScore {
  const pairs = matchBoxes(answer, gold, options);
  const matched = pairs.length;
  const iouSum = pairs.reduce((sum, pair) => sum + pair.iou, 0);
  const meanIoU = matched > 0 ? iouSum / matched : NaN;
  if (answer.length === 0 && gold.length === 0)
    return { precision: 1, recall: 1, f1: 1, meanIoU, matched };
  return {
    precision: answer.length === 0 ? 0 : matched / answer.length,
    recall: gold.length === 0 ? 0 : matched / gold.length,
    f1: (2 * matched) / (answer.length + gold.length),
    meanIoU,
    matched,
  };
}
