import { isRated, type MaybeRating, type RatingValue } from '../agreement/cohen';

/** 1 when a single-label answer equals the gold label, else 0. */
export function labelScore(answer: RatingValue, gold: RatingValue): number {
  return answer === gold ? 1 : 0;
}

/** Accuracy over items: the share of gold-labelled items answered with the gold label. */
export function labelAccuracy(
  answers: readonly MaybeRating[],
  gold: readonly MaybeRating[],
): number {
  if (answers.length !== gold.length) throw new RangeError('answers and gold differ in length');
  let scored = 0;
  let correct = 0;
  gold.forEach((label, i) => {
    if (!isRated(label)) return;
    scored++;
    if (answers[i] === label) correct++;
  });
  return scored === 0 ? NaN : correct / scored;
}

/** How a multi-label answer is compared with the gold set: `jaccard` (|A∩G|/|A∪G|) or `exact`. */
export type MultiLabelMeasure = 'jaccard' | 'exact';

/**
 * Score of a multi-label answer against the gold labels, as sets (order and repeats ignored). Two
 * empty sets agree fully.
 */
export function multiLabelScore(
  answer: readonly RatingValue[],
  gold: readonly RatingValue[],
  options: { measure?: MultiLabelMeasure } = {},
): number {
  const answerSet = new Set(answer);
  const goldSet = new Set(gold);
  let shared = 0;
  for (const label of answerSet) if (goldSet.has(label)) shared++;
  const union = answerSet.size + goldSet.size - shared;
  if ((options.measure ?? 'jaccard') === 'exact')
    return shared === answerSet.size && shared === goldSet.size ? 1 : 0;
  return union === 0 ? 1 : shared / union;
}
