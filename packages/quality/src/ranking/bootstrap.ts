import { fitPairTotals, type BradleyTerryOptions } from './bradley-terry';
import { layoutPairs, totalPairs, type OutcomeTable } from './outcomes';
import { resampleCounts, type Random } from './random';

/** Options of bootstrapBradleyTerry. */
export interface BootstrapOptions extends BradleyTerryOptions {
  /** How many resamples. */
  rounds: number;
  /** The seeded source of the resampling (see seededRandom). */
  random: Random;
  /** Coverage of the percentile interval. Default 0.95. */
  confidence?: number;
}

/** Point estimates with bootstrap percentile intervals, all on the log-strength scale. */
export interface BradleyTerryIntervals {
  items: readonly string[];
  /** The fit to the data itself. */
  logStrengths: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  rounds: number;
}

/**
 * Bootstrap percentile intervals for Bradley-Terry log-strengths. Each round draws multinomial
 * counts over the table's distinct (left, right, outcome) cells (equivalent to resampling every
 * comparison with replacement, at a cost per round that grows with the cells, not the comparisons)
 * and refits, warm-started from the point estimate. Percentile intervals of a skewed bootstrap can
 * miss the point estimate; we widen them to include it, so an interval always brackets its score.
 * Intervals are on the log-strength scale; map them with toEloRatings (monotone, so percentiles
 * carry over).
 */
export function bootstrapBradleyTerry(
  table: OutcomeTable,
  options: BootstrapOptions,
): BradleyTerryIntervals {
  const { rounds, random } = options;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(rounds) || rounds < 0)
    throw new RangeError('rounds must be a whole number');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be in (0, 1)');
  const itemCount = table.items.length;
  const layout = layoutPairs(table);
  const estimate = fitPairTotals(itemCount, totalPairs(layout, table.count), options).logStrengths;

  // Column per item: samples[item * rounds + round], so each item's draws sort in place.
  const samples = new Float64Array(itemCount * rounds);
  for (let round = 0; round < rounds; round++) {
    const counts = resampleCounts(table.count, random);
    const fit = fitPairTotals(itemCount, totalPairs(layout, counts), options, estimate);
    for (let item = 0; item < itemCount; item++)
      samples[item * rounds + round] = fit.logStrengths[item]!;
  }

  const lower = Float64Array.from(estimate);
  const upper = Float64Array.from(estimate);
  if (rounds > 0) {
    const tail = (1 - confidence) / 2;
    for (let item = 0; item < itemCount; item++) {
      const draws = samples.subarray(item * rounds, (item + 1) * rounds).sort();
      lower[item] = Math.min(estimate[item]!, quantile(draws, tail));
      upper[item] = Math.max(estimate[item]!, quantile(draws, 1 - tail));
    }
  }
  return { items: table.items, logStrengths: estimate, lower, upper, rounds };
}

/** The q-quantile of sorted values, interpolating linearly between order statistics. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return sorted[below]! + fraction * (sorted[above]! - sorted[below]!);
}

/**
 * Ranks that respect uncertainty, as LMSYS's leaderboard does: an item's rank is 1 + the number
 * of items whose lower bound is above its upper bound. Items whose intervals overlap share ranks;
 * with zero-width intervals this is ordinary competition ranking ("1224").
 */
export function rankByIntervals(lower: ArrayLike<number>, upper: ArrayLike<number>): Int32Array {
  if (lower.length !== upper.length) throw new RangeError('lower and upper differ in length');
  const sortedLower = Float64Array.from(lower).sort();
  const ranks = new Int32Array(lower.length);
  for (let item = 0; item < lower.length; item++) {
    // Count of lower bounds strictly above this upper bound, by binary search.
    const bound = upper[item]!;
    let low = 0;
    let high = sortedLower.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sortedLower[middle]! > bound) high = middle;
      else low = middle + 1;
    }
    ranks[item] = 1 + sortedLower.length - low;
  }
  return ranks;
}
