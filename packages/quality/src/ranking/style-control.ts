import { quantile } from './bootstrap';
import { ELO_SCALE, type BradleyTerryOptions } from './bradley-terry';
import { fitPrepared, prepareComparisons } from './contextual-bradley-terry';
import { leaderboardRows, type LeaderboardOptions, type LeaderboardRow } from './leaderboard';
import { ItemNumbering, outcomeCode, type Outcome } from './outcomes';
import { seededRandom, type Random } from './random';
import {
  STYLE_COVARIATES,
  normalizedDifference,
  type ResponseStyle,
  type StyleCovariate,
} from './style-features';

/**
 * Style control, as Chatbot Arena does it: Bradley-Terry with, per comparison, the normalized
 * differences (a − b)/(a + b) of the two responses' length, headers, list items and bold spans as
 * covariates, so a model's rating is what it wins beyond how its answers look, and each
 * covariate's coefficient says what that look is worth.
 *
 * Covariates are standardized to sd 1 over the comparisons seen from both sides (each counted as
 * a-vs-b and as b-vs-a), where their mean is 0 by symmetry. Arena centres on the sides as shown;
 * its sides are random, so the two agree, and ours does not depend on which model was shown first.
 */
export interface StyledComparisons {
  /** Item ids, sorted (as in an OutcomeTable). */
  items: readonly string[];
  left: Int32Array;
  right: Int32Array;
  /** 0 = left won, 1 = right won, 2 = tie. */
  outcome: Uint8Array;
  /** Row-major, STYLE_COVARIATES order: (left − right) / (left + right) per comparison. */
  differences: Float64Array;
}

const COVARIATES = STYLE_COVARIATES.length;

function checkCount(covariate: StyleCovariate, value: number): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new RangeError(`${covariate} must be a number >= 0, not ${String(value)}`);
}

/** Accumulates comparisons with the style of each side's response into StyledComparisons. */
export class StyledComparisonBuilder {
  readonly #items = new ItemNumbering();
  #size = 0;
  #left = new Int32Array(1024);
  #right = new Int32Array(1024);
  #outcome = new Uint8Array(1024);
  #differences = new Float64Array(1024 * COVARIATES);

  /** Adds one comparison of `left`'s response (style `leftStyle`) against `right`'s. */
  add(
    left: string,
    right: string,
    outcome: Outcome,
    leftStyle: ResponseStyle,
    rightStyle: ResponseStyle,
  ): void {
    const code = outcomeCode(left, right, outcome);
    for (const covariate of STYLE_COVARIATES) {
      checkCount(covariate, leftStyle[covariate]);
      checkCount(covariate, rightStyle[covariate]);
    }
    if (this.#size === this.#left.length) this.#grow();
    const row = this.#size++;
    this.#left[row] = this.#items.indexOf(left);
    this.#right[row] = this.#items.indexOf(right);
    this.#outcome[row] = code;
    for (let k = 0; k < COVARIATES; k++) {
      const covariate = STYLE_COVARIATES[k]!;
      this.#differences[row * COVARIATES + k] = normalizedDifference(
        leftStyle[covariate],
        rightStyle[covariate],
      );
    }
  }

  /** How many comparisons were added. */
  get comparisons(): number {
    return this.#size;
  }

  build(): StyledComparisons {
    const { items, sortedIndex } = this.#items.sorted();
    const size = this.#size;
    const left = new Int32Array(size);
    const right = new Int32Array(size);
    for (let row = 0; row < size; row++) {
      left[row] = sortedIndex[this.#left[row]!]!;
      right[row] = sortedIndex[this.#right[row]!]!;
    }
    return {
      items,
      left,
      right,
      outcome: this.#outcome.slice(0, size),
      differences: this.#differences.slice(0, size * COVARIATES),
    };
  }

  #grow(): void {
    const capacity = this.#left.length * 2;
    const left = new Int32Array(capacity);
    left.set(this.#left);
    this.#left = left;
    const right = new Int32Array(capacity);
    right.set(this.#right);
    this.#right = right;
    const outcome = new Uint8Array(capacity);
    outcome.set(this.#outcome);
    this.#outcome = outcome;
    const differences = new Float64Array(capacity * COVARIATES);
    differences.set(this.#differences);
    this.#differences = differences;
  }
}

/** Point estimates and bootstrap percentile intervals of a style-controlled fit. */
export interface StyleControlIntervals {
  items: readonly string[];
  /** Log-strengths with the style held equal, mean 0 (fitBradleyTerry's scale). */
  logStrengths: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** Log-odds per standard deviation of each covariate, STYLE_COVARIATES order. */
  coefficients: Float64Array;
  coefficientLower: Float64Array;
  coefficientUpper: Float64Array;
  /** Each covariate's standard deviation (the unit of its coefficient); 0 when it never varies. */
  scales: Float64Array;
  rounds: number;
  converged: boolean;
}

/** Options of bootstrapStyleControl. */
export interface StyleControlOptions extends BradleyTerryOptions {
  /** How many resamples of the comparisons; 0 gives the point estimates only. */
  rounds: number;
  /** The seeded source of the resampling (see seededRandom). */
  random: Random;
  /** Coverage of the percentile interval. Default 0.95. */
  confidence?: number;
}

/**
 * Style-controlled Bradley-Terry with bootstrap percentile intervals. Each round resamples the
 * comparisons with replacement (multinomial counts over the rows, one uniform draw per
 * comparison) and refits by Newton from the point estimate, usually in three or four passes over
 * the rows. Intervals are widened to include the point estimate, as bootstrapBradleyTerry's are.
 */
export function bootstrapStyleControl(
  comparisons: StyledComparisons,
  options: StyleControlOptions,
): StyleControlIntervals {
  const { rounds, random } = options;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(rounds) || rounds < 0)
    throw new RangeError('rounds must be a whole number');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be in (0, 1)');
  const itemCount = comparisons.items.length;
  const rows = comparisons.left.length;
  const { covariates, scales } = standardize(comparisons.differences, rows);
  const credit = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const code = comparisons.outcome[row];
    credit[row] = code === 0 ? 1 : code === 1 ? 0 : 0.5;
  }
  const prepared = prepareComparisons({
    itemCount,
    left: comparisons.left,
    right: comparisons.right,
    credit,
    covariateCount: COVARIATES,
    covariates,
  });
  const fit = fitPrepared(prepared, options);
  const estimate = new Float64Array([...fit.logStrengths, ...fit.coefficients]);
  const parameters = estimate.length;

  // Column per parameter: samples[parameter * rounds + round], so each one's draws sort in place.
  const samples = new Float64Array(parameters * rounds);
  const weights = new Uint32Array(rows);
  // A round starts next to the optimum, and a Newton step's error is about the square of the
  // previous one's: once a step is below 1e-6 the fit is exact to ~1e-12, plenty for a percentile.
  const roundOptions = { ...options, tolerance: Math.max(options.tolerance ?? 0, 1e-6) };
  let converged = fit.converged;
  for (let round = 0; round < rounds; round++) {
    weights.fill(0);
    for (let draw = 0; draw < rows; draw++) weights[Math.floor(random() * rows)]!++;
    const resampled = fitPrepared(prepared, roundOptions, weights, estimate);
    converged &&= resampled.converged;
    for (let i = 0; i < itemCount; i++) samples[i * rounds + round] = resampled.logStrengths[i]!;
    for (let k = 0; k < COVARIATES; k++)
      samples[(itemCount + k) * rounds + round] = resampled.coefficients[k]!;
  }

  const lower = Float64Array.from(estimate);
  const upper = Float64Array.from(estimate);
  if (rounds > 0) {
    const tail = (1 - confidence) / 2;
    for (let i = 0; i < parameters; i++) {
      const draws = samples.subarray(i * rounds, (i + 1) * rounds).sort();
      lower[i] = Math.min(estimate[i]!, quantile(draws, tail));
      upper[i] = Math.max(estimate[i]!, quantile(draws, 1 - tail));
    }
  }
  return {
    items: comparisons.items,
    logStrengths: estimate.slice(0, itemCount),
    lower: lower.slice(0, itemCount),
    upper: upper.slice(0, itemCount),
    coefficients: estimate.slice(itemCount),
    coefficientLower: lower.slice(itemCount),
    coefficientUpper: upper.slice(itemCount),
    scales,
    rounds,
    converged,
  };
}

/** Divides each covariate by its root mean square (its sd with the comparisons seen both ways). */
function standardize(
  differences: Float64Array,
  rows: number,
): { covariates: Float64Array; scales: Float64Array } {
  const scales = new Float64Array(COVARIATES);
  for (let row = 0; row < rows; row++)
    for (let k = 0; k < COVARIATES; k++)
      scales[k] = scales[k]! + differences[row * COVARIATES + k]! ** 2;
  for (let k = 0; k < COVARIATES; k++) scales[k] = rows > 0 ? Math.sqrt(scales[k]! / rows) : 0;
  // A covariate that never varies stays 0: its coefficient is then 0, held there by the prior.
  const covariates = new Float64Array(rows * COVARIATES);
  for (let k = 0; k < COVARIATES; k++) {
    const scale = scales[k]!;
    if (scale > 0)
      for (let row = 0; row < rows; row++)
        covariates[row * COVARIATES + k] = differences[row * COVARIATES + k]! / scale;
  }
  return { covariates, scales };
}

/** What one style covariate is worth, on the leaderboard's Elo scale. */
export interface StyleCoefficientRow {
  covariate: StyleCovariate;
  /** Elo points that one standard deviation more of this covariate (left over right) is worth. */
  points: number;
  lower: number;
  upper: number;
  /** The same coefficient in log-odds per standard deviation. */
  logOdds: number;
  /** The standard deviation of the covariate's (a − b)/(a + b) over the comparisons. */
  sd: number;
}

/** A style-controlled leaderboard and what each style covariate is worth. */
export interface StyleControlledLeaderboard {
  rows: LeaderboardRow[];
  coefficients: StyleCoefficientRow[];
}

const POINTS_PER_LOG_ODDS = ELO_SCALE / Math.LN10;

/**
 * The leaderboard with style held equal: style-controlled Bradley-Terry ratings on the 400-point
 * Elo scale (mean 1000, like the plain board), bootstrap 95% intervals over the comparisons,
 * ranks that only separate non-overlapping intervals, and each style coefficient in Elo points.
 */
export function styleControlledLeaderboard(
  comparisons: StyledComparisons,
  options: LeaderboardOptions,
): StyleControlledLeaderboard {
  const intervals = bootstrapStyleControl(comparisons, {
    rounds: options.bootstrap,
    random: seededRandom(options.seed),
  });
  const battles = new Float64Array(comparisons.items.length);
  for (let row = 0; row < comparisons.left.length; row++) {
    battles[comparisons.left[row]!]! += 1;
    battles[comparisons.right[row]!]! += 1;
  }
  const rows = leaderboardRows(comparisons.items, intervals, battles);
  const coefficients = STYLE_COVARIATES.map((covariate, k) => ({
    covariate,
    points: intervals.coefficients[k]! * POINTS_PER_LOG_ODDS,
    lower: intervals.coefficientLower[k]! * POINTS_PER_LOG_ODDS,
    upper: intervals.coefficientUpper[k]! * POINTS_PER_LOG_ODDS,
    logOdds: intervals.coefficients[k]!,
    sd: intervals.scales[k]!,
  }));
  return { rows, coefficients };
}
