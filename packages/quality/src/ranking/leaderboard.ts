import { bootstrapBradleyTerry, rankByIntervals } from './bootstrap';
import { ELO_BASE_RATING, ELO_SCALE, toEloRatings } from './bradley-terry';
import { compareIds, type OutcomeTable } from './outcomes';
import { seededRandom } from './random';

/** One row of a leaderboard: Bradley-Terry rating on the 400-point Elo scale, with its interval. */
export interface LeaderboardRow {
  model: string;
  rating: number;
  lower: number;
  upper: number;
  /** 1 + the number of models whose lower bound is above this one's upper bound. */
  rank: number;
  battles: number;
}

export interface LeaderboardOptions {
  /** Bootstrap rounds for the 95% intervals; 0 gives point estimates only. */
  bootstrap: number;
  seed: number;
}

/** How many comparisons each item of a table took part in. */
export function battlesPerItem(table: OutcomeTable): Float64Array {
  const battles = new Float64Array(table.items.length);
  for (let cell = 0; cell < table.count.length; cell++) {
    const count = table.count[cell]!;
    battles[table.left[cell]!]! += count;
    battles[table.right[cell]!]! += count;
  }
  return battles;
}

/**
 * The leaderboard of a table of comparisons (ties count half a win each way): Bradley-Terry
 * ratings with bootstrap percentile intervals over the table's distinct outcome cells, ranks that
 * only separate models whose intervals do not overlap, best first.
 */
export function leaderboard(table: OutcomeTable, options: LeaderboardOptions): LeaderboardRow[] {
  const intervals = bootstrapBradleyTerry(table, {
    rounds: options.bootstrap,
    random: seededRandom(options.seed),
  });
  return leaderboardRows(table.items, intervals, battlesPerItem(table));
}

/** Log-strengths with their interval bounds, per item. */
export interface StrengthIntervals {
  logStrengths: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * The rows of a leaderboard from log-strength intervals: ratings on the 400-point Elo scale,
 * ranks that only separate items whose intervals do not overlap, best first.
 */
export function leaderboardRows(
  items: readonly string[],
  intervals: StrengthIntervals,
  battles: Float64Array,
): LeaderboardRow[] {
  const rating = toEloRatings(intervals.logStrengths);
  const lower = toEloRatings(intervals.lower);
  const upper = toEloRatings(intervals.upper);
  const ranks = rankByIntervals(lower, upper);
  return items
    .map((model, i) => ({
      model,
      rating: rating[i]!,
      lower: lower[i]!,
      upper: upper[i]!,
      rank: ranks[i]!,
      battles: battles[i]!,
    }))
    .sort((a, b) => a.rank - b.rank || b.rating - a.rating || compareIds(a.model, b.model));
}

/**
 * Pairwise win rates: `rates[i][j]` is the share of i's comparisons with j that i won (ties half),
 * `null` where the two never met.
 */
export function winRateMatrix(table: OutcomeTable): Array<Array<number | null>> {
  const n = table.items.length;
  const wins = new Float64Array(n * n);
  const games = new Float64Array(n * n);
  for (let cell = 0; cell < table.count.length; cell++) {
    const a = table.left[cell]!;
    const b = table.right[cell]!;
    const count = table.count[cell]!;
    const aWins = table.outcome[cell] === 0 ? 1 : table.outcome[cell] === 1 ? 0 : 0.5;
    wins[a * n + b]! += aWins * count;
    wins[b * n + a]! += (1 - aWins) * count;
    games[a * n + b]! += count;
    games[b * n + a]! += count;
  }
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) =>
      games[i * n + j]! > 0 ? wins[i * n + j]! / games[i * n + j]! : null,
    ),
  );
}

/** One comparison in arrival order, for online Elo. */
export interface Battle {
  left: string;
  right: string;
  /** 1 when left won, 0 when right won, 0.5 for a tie. */
  score: number;
}

/**
 * Online Elo, as a chess federation would run it: each comparison moves both ratings by K times
 * the surprise. Depends on the order of the comparisons, which is why the Bradley-Terry board is
 * the one to trust; shown beside it for comparison. Models start at 1000.
 */
export function onlineElo(battles: Iterable<Battle>, k = 4): Map<string, number> {
  const ratings = new Map<string, number>();
  for (const { left, right, score } of battles) {
    const a = ratings.get(left) ?? ELO_BASE_RATING;
    const b = ratings.get(right) ?? ELO_BASE_RATING;
    const expected = 1 / (1 + 10 ** ((b - a) / ELO_SCALE));
    ratings.set(left, a + k * (score - expected));
    ratings.set(right, b - k * (score - expected));
  }
  return ratings;
}
