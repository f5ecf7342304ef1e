import { sortedCategories, type RatingValue } from './cohen';

/** Fleiss' kappa and its parts. */
export interface FleissKappaResult {
  /** (P̄ - P̄e) / (1 - P̄e); 1 when every subject's raters all agree. */
  kappa: number;
  /** P̄: the mean share of agreeing rater pairs per subject. */
  observedAgreement: number;
  /** P̄e: the sum of squared category shares. */
  expectedAgreement: number;
  subjects: number;
  /** Raters per subject. */
  raters: number;
}

/**
 * Fleiss' kappa (1971) from a subjects × categories table: `counts[i][j]` raters who put subject i
 * in category j. Every subject must have the same number of raters (two or more); they need not
 * be the same people.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): FleissKappaResult {
  const subjects = counts.length;
  if (subjects === 0) throw new RangeError('no subjects');
  const categories = counts[0]!.length;
  const raters = counts[0]!.reduce((a, b) => a + b, 0);
  if (!(raters >= 2)) throw new RangeError('each subject needs at least two ratings');
  const categoryTotals = new Float64Array(categories);
  let agreementSum = 0;
  counts.forEach((row, i) => {
    if (row.length !== categories)
      throw new RangeError(`subject ${i} has ${row.length} categories, not ${categories}`);
    let total = 0;
    let squares = 0;
    row.forEach((count, j) => {
      if (!(Number.isInteger(count) && count >= 0))
        throw new RangeError(`subject ${i}: counts must be whole numbers >= 0`);
      total += count;
      squares += count * count;
      categoryTotals[j] = categoryTotals[j]! + count;
    });
    if (total !== raters)
      throw new RangeError(`subject ${i} has ${total} ratings; every subject needs ${raters}`);
    agreementSum += (squares - raters) / (raters * (raters - 1));
  });
  const observedAgreement = agreementSum / subjects;
  let expectedAgreement = 0;
  for (const total of categoryTotals) expectedAgreement += (total / (subjects * raters)) ** 2;
  const kappa =
    observedAgreement === 1 ? 1 : (observedAgreement - expectedAgreement) / (1 - expectedAgreement);
  return { kappa, observedAgreement, expectedAgreement, subjects, raters };
}

/** Fleiss' kappa from each subject's list of ratings (the same number for every subject). */
export function fleissKappaFromRatings(
  ratings: readonly (readonly RatingValue[])[],
): FleissKappaResult {
  const categories = sortedCategories(ratings.flat());
  const index = new Map(categories.map((category, i) => [category, i]));
  return fleissKappa(
    ratings.map((subject) => {
      const row = new Array<number>(categories.length).fill(0);
      for (const rating of subject) row[index.get(rating)!]! += 1;
      return row;
    }),
  );
}
