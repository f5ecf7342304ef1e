/**
 * Spearman's rank correlation of paired scores (higher = better, or ranks; any monotone scale):
 * the Pearson correlation of their average ranks, so ties are handled. NaN when either side is
 * constant or there are fewer than two pairs.
 */
export function spearmanCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPaired(a, b);
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const n = ra.length;
  if (n < 2) return NaN;
  const mean = (n + 1) / 2; // average ranks always average (n + 1) / 2
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < n; i++) {
    const da = ra[i]! - mean;
    const db = rb[i]! - mean;
    covariance += da * db;
    varianceA += da * da;
    varianceB += db * db;
  }
  if (varianceA === 0 || varianceB === 0) return NaN;
  return clamp(covariance / Math.sqrt(varianceA * varianceB));
}

/** 1-based ranks, tied values sharing the average of their places. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort(
    (x, y) => values[x]! - values[y]!,
  );
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Kendall's tau-b of paired scores, which corrects for ties on either side; O(n log n) by Knight's
 * (1966) method: sort by (a, b), count the pairs the b order then inverts by merge sort. NaN when
 * either side is constant or there are fewer than two pairs.
 */
export function kendallTauB(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPaired(a, b);
  const n = a.length;
  if (n < 2) return NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => a[x]! - a[y]! || b[x]! - b[y]!,
  );
  const tiedInA = tiedPairs(order, (x, y) => a[x] === a[y]);
  const tiedInBoth = tiedPairs(order, (x, y) => a[x] === a[y] && b[x] === b[y]);
  const bInOrder = Float64Array.from(order, (i) => b[i]!);
  const discordant = countInversions(bInOrder);
  // The merge sort left bInOrder sorted, which is what counting ties in b needs.
  const tiedInB = tiedPairs(Array.from(bInOrder.keys()), (x, y) => bInOrder[x] === bInOrder[y]);
  const total = (n * (n - 1)) / 2;
  const numerator = total - tiedInA - tiedInB + tiedInBoth - 2 * discordant;
  const denominator = Math.sqrt((total - tiedInA) * (total - tiedInB));
  return denominator === 0 ? NaN : clamp(numerator / denominator);
}

/** Σ t(t - 1)/2 over runs of consecutive equal elements of a sorted order. */
function tiedPairs(order: readonly number[], equal: (x: number, y: number) => boolean): number {
  let pairs = 0;
  let run = 1;
  for (let k = 1; k <= order.length; k++) {
    if (k < order.length && equal(order[k - 1]!, order[k]!)) run++;
    else {
      pairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return pairs;
}

/** Sorts in place (bottom-up merge sort) and returns the count of strictly inverted pairs. */
function countInversions(values: Float64Array): number {
  let source: Float64Array = values;
  let target: Float64Array = new Float64Array(values.length);
  let inversions = 0;
  for (let width = 1; width < values.length; width *= 2) {
    for (let start = 0; start < values.length; start += 2 * width) {
      const middle = Math.min(start + width, values.length);
      const end = Math.min(start + 2 * width, values.length);
      let i = start;
      let j = middle;
      let k = start;
      while (i < middle && j < end) {
        if (source[j]! < source[i]!) {
          inversions += middle - i;
          target[k++] = source[j++]!;
        } else target[k++] = source[i++]!;
      }
      while (i < middle) target[k++] = source[i++]!;
      while (j < end) target[k++] = source[j++]!;
    }
    [source, target] = [target, source];
  }
  if (source !== values) values.set(source);
  return inversions;
}

function checkPaired(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError('the two sides must pair up (same length)');
  for (let i = 0; i < a.length; i++)
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) throw new RangeError('scores must not be NaN');
}

/** Rounding can carry a correlation a hair past ±1. */
function clamp(correlation: number): number {
  return Math.max(-1, Math.min(1, correlation));
}

/** Which correlation compares two rankings. */
export type RankCorrelation = 'kendall' | 'spearman';

/**
 * Correlation of a ranked list (best first) with a gold ranked list. Items missing from a list
 * tie below everything it lists, so leaving an item out costs as much as a tie at the bottom.
 */
export function rankingCorrelation(
  answer: readonly string[],
  gold: readonly string[],
  options: { method?: RankCorrelation } = {},
): number {
  const items = [...new Set([...gold, ...answer])];
  const place = (list: readonly string[]): Float64Array => {
    const position = new Map(list.map((item, i) => [item, i]));
    if (position.size !== list.length) throw new RangeError('a ranking lists an item twice');
    return Float64Array.from(items, (item) => -(position.get(item) ?? list.length));
  };
  const correlate = (options.method ?? 'kendall') === 'kendall' ? kendallTauB : spearmanCorrelation;
  return correlate(place(answer), place(gold));
}
