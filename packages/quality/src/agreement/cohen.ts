/** A categorical rating: the id of a category. */
export type RatingValue = string | number;

/** A rating that may be missing: null, undefined and NaN mean "not rated". */
export type MaybeRating = RatingValue | null | undefined;

/** Whether a value counts as a rating (not null, undefined or NaN). */
export function isRated(value: MaybeRating): value is RatingValue {
  return value !== null && value !== undefined && !Number.isNaN(value);
}

/**
 * How far apart two categories are, for weighted kappa: `unweighted` (all disagreements equal),
 * `linear` (|i - j| / (k - 1)) or `quadratic` (its square), over the categories in order.
 */
export type KappaWeights = 'unweighted' | 'linear' | 'quadratic';

/** Options of cohenKappa. */
export interface CohenKappaOptions {
  /** Default `unweighted`. */
  weights?: KappaWeights;
  /**
   * The categories in order. Needed for weighted kappa over string categories; by default the
   * categories seen, numbers ascending.
   */
  categories?: readonly RatingValue[];
}

/** A chance-corrected agreement and its parts. */
export interface KappaResult {
  /** (observed - expected) / (1 - expected); 1 when there is no disagreement at all. */
  kappa: number;
  observedAgreement: number;
  expectedAgreement: number;
  /** Items rated by both raters. */
  items: number;
}

/**
 * Cohen's kappa for two raters over the same items (`first[i]` and `second[i]` rate item i).
 * Items either rater skipped are left out. Perfect agreement gives 1 even when chance agreement is
 * also total (one category throughout), where the ratio itself would be 0/0; no items gives NaN.
 */
export function cohenKappa(
  first: readonly MaybeRating[],
  second: readonly MaybeRating[],
  options: CohenKappaOptions = {},
): KappaResult {
  if (first.length !== second.length)
    throw new RangeError('both raters must give a rating (or a gap) for every item');
  const pairs: [RatingValue, RatingValue][] = [];
  first.forEach((a, i) => {
    const b = second[i];
    if (isRated(a) && isRated(b)) pairs.push([a, b]);
  });
  const categories = options.categories ?? sortedCategories(pairs.flat());
  const index = new Map(categories.map((category, i) => [category, i]));
  if (index.size !== categories.length) throw new RangeError('categories must be distinct');
  const k = categories.length;
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [a, b] of pairs) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined)
      throw new RangeError(`rating ${JSON.stringify(i === undefined ? a : b)} is not a category`);
    table[i]![j]! += 1;
  }
  return cohenKappaFromTable(table, options);
}

/**
 * Cohen's kappa from a square contingency table: `table[i][j]` items the first rater put in
 * category i and the second in category j (categories in order for weighted kappa).
 */
export function cohenKappaFromTable(
  table: readonly (readonly number[])[],
  options: { weights?: KappaWeights } = {},
): KappaResult {
  const k = table.length;
  const weights = options.weights ?? 'unweighted';
  let items = 0;
  for (const row of table) {
    if (row.length !== k) throw new RangeError('the table must be square');
    for (const cell of row) {
      if (!(cell >= 0 && Number.isFinite(cell))) throw new RangeError('counts must be >= 0');
      items += cell;
    }
  }
  if (items === 0) return { kappa: NaN, observedAgreement: NaN, expectedAgreement: NaN, items };
  const rowShare = table.map((row) => row.reduce((a, b) => a + b, 0) / items);
  const columnShare = table.map((_, j) => table.reduce((sum, row) => sum + row[j]!, 0) / items);
  const distance = (i: number, j: number): number => {
    if (i === j) return 0;
    if (weights === 'unweighted') return 1;
    const linear = Math.abs(i - j) / (k - 1);
    return weights === 'linear' ? linear : linear * linear;
  };
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const d = distance(i, j);
      observed += (d * table[i]![j]!) / items;
      expected += d * rowShare[i]! * columnShare[j]!;
    }
  }
  return {
    kappa: observed === 0 ? 1 : 1 - observed / expected,
    observedAgreement: 1 - observed,
    expectedAgreement: 1 - expected,
    items,
  };
}

/** Distinct categories: numbers ascending, then strings in code-unit order. */
export function sortedCategories(values: Iterable<RatingValue>): RatingValue[] {
  return [...new Set(values)].sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
