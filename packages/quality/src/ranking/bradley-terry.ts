import { solvePreconditionedConjugateGradient } from './conjugate-gradient';
import { layoutPairs, totalPairs, type OutcomeTable, type PairTotals } from './outcomes';
import { sigmoid, softplus } from '../truth/special';

/**
 * Bradley-Terry: P(i beats j) = s_i / (s_i + s_j) = σ(θ_i - θ_j) with θ = log s. A tie counts as half
 * a win each way. We maximise the likelihood times a tiny ridge prior θ_i ~ N(0, 1/prior) by Newton's
 * method. The prior keeps undefeated items and disconnected groups finite, and because the
 * likelihood only sees differences it also fixes the level: at the optimum Σθ = 0 exactly, within
 * every connected group of items. So the scale is: log-strengths with mean 0 (strengths with
 * geometric mean 1); an item never compared gets 0.
 */
export interface BradleyTerryOptions {
  /** Precision of the ridge prior on each log-strength. Default 1e-3: weaker than one game. */
  prior?: number;
  /** Newton iterations at most. Default 100. */
  maxIterations?: number;
  /** Stop when no log-strength moves more than this. Default 1e-9. */
  tolerance?: number;
  /**
   * How each Newton step is solved: a dense Cholesky factorisation (O(items³), exact) or
   * preconditioned conjugate gradients (O(pairs) per inner step, for many items). `auto` (default)
   * uses Cholesky up to 64 items.
   */
  solver?: 'auto' | 'cholesky' | 'conjugate-gradient';
}

/** A fitted Bradley-Terry model. */
export interface BradleyTerryFit {
  items: readonly string[];
  /** Natural-log strengths, aligned with `items`, mean 0 (see BradleyTerryOptions). */
  logStrengths: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Result of fitting per-pair totals (no item names). */
export interface PairFit {
  logStrengths: Float64Array;
  iterations: number;
  converged: boolean;
}

export const DEFAULT_PRIOR = 1e-3;
const CHOLESKY_MAX_ITEMS = 64;

/** Fits Bradley-Terry strengths to tallied comparisons. */
export function fitBradleyTerry(
  table: OutcomeTable,
  options: BradleyTerryOptions = {},
): BradleyTerryFit {
  const totals = totalPairs(layoutPairs(table), table.count);
  return { items: table.items, ...fitPairTotals(table.items.length, totals, options) };
}

/** Fits Bradley-Terry to per-pair totals, starting from `start` when given (warm starts). */
export function fitPairTotals(
  itemCount: number,
  totals: PairTotals,
  options: BradleyTerryOptions = {},
  start?: Float64Array,
): PairFit {
  const prior = options.prior ?? DEFAULT_PRIOR;
  if (!(prior > 0)) throw new RangeError('prior must be > 0 (it keeps strengths finite)');
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-9;
  const solver = options.solver ?? 'auto';
  const useCholesky =
    solver === 'cholesky' || (solver === 'auto' && itemCount <= CHOLESKY_MAX_ITEMS);

  const theta = start ? Float64Array.from(start) : new Float64Array(itemCount);
  const gradient = new Float64Array(itemCount);
  const curvature = new Float64Array(totals.total.length);
  const candidate = new Float64Array(itemCount);
  let objective = penalizedNegativeLogLikelihood(theta, totals, prior);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    computeGradient(theta, totals, prior, gradient, curvature);
    const step = useCholesky
      ? solveCholesky(denseHessian(itemCount, totals, curvature, prior), gradient)
      : solveConjugateGradient(totals, curvature, prior, gradient);
    // `step` solves H step = gradient; Newton moves by -step, halved until the objective falls.
    let slope = 0;
    for (let i = 0; i < itemCount; i++) slope -= gradient[i]! * step[i]!;
    let scale = 1;
    let accepted = false;
    while (scale > 1e-12) {
      for (let i = 0; i < itemCount; i++) candidate[i] = theta[i]! - scale * step[i]!;
      const value = penalizedNegativeLogLikelihood(candidate, totals, prior);
      // Near the optimum the decrease drowns in rounding; a full Newton step is then safe to take.
      const withinRounding = scale === 1 && value - objective <= 1e-13 * (1 + Math.abs(objective));
      if (value <= objective + 1e-4 * scale * slope || withinRounding) {
        objective = value;
        accepted = true;
        break;
      }
      scale /= 2;
    }
    let largestMove = 0;
    if (accepted) {
      for (let i = 0; i < itemCount; i++) {
        largestMove = Math.max(largestMove, Math.abs(candidate[i]! - theta[i]!));
        theta[i] = candidate[i]!;
      }
    }
    // A step the line search cannot use means we are at the optimum to rounding.
    if (!accepted || largestMove < tolerance)
      return { logStrengths: theta, iterations: iteration, converged: true };
  }
  return { logStrengths: theta, iterations: maxIterations, converged: false };
}

function penalizedNegativeLogLikelihood(
  theta: Float64Array,
  totals: PairTotals,
  prior: number,
): number {
  let value = 0;
  for (let p = 0; p < totals.total.length; p++) {
    const n = totals.total[p]!;
    if (n === 0) continue;
    const wins = totals.winsOfFirst[p]!;
    const x = theta[totals.first[p]!]! - theta[totals.second[p]!]!;
    // -log σ(x) = softplus(-x)
    value += wins * softplus(-x) + (n - wins) * softplus(x);
  }
  for (const t of theta) value += 0.5 * prior * t * t;
  return value;
}

function computeGradient(
  theta: Float64Array,
  totals: PairTotals,
  prior: number,
  gradient: Float64Array,
  curvature: Float64Array,
): void {
  for (let i = 0; i < theta.length; i++) gradient[i] = prior * theta[i]!;
  for (let p = 0; p < totals.total.length; p++) {
    const n = totals.total[p]!;
    const i = totals.first[p]!;
    const j = totals.second[p]!;
    const s = sigmoid(theta[i]! - theta[j]!);
    const g = n * s - totals.winsOfFirst[p]!;
    gradient[i] = gradient[i]! + g;
    gradient[j] = gradient[j]! - g;
    curvature[p] = n * s * (1 - s);
  }
}

function denseHessian(
  itemCount: number,
  totals: PairTotals,
  curvature: Float64Array,
  prior: number,
): Float64Array {
  const hessian = new Float64Array(itemCount * itemCount);
  for (let i = 0; i < itemCount; i++) hessian[i * itemCount + i] = prior;
  for (let p = 0; p < curvature.length; p++) {
    const h = curvature[p]!;
    const i = totals.first[p]!;
    const j = totals.second[p]!;
    const ii = i * itemCount + i;
    const jj = j * itemCount + j;
    hessian[ii] = hessian[ii]! + h;
    hessian[jj] = hessian[jj]! + h;
    // Each pair appears once, so its off-diagonal cells start at zero.
    hessian[i * itemCount + j] = -h;
    hessian[j * itemCount + i] = -h;
  }
  return hessian;
}

/** Solves A x = b for symmetric positive definite A (row-major, overwritten). */
export function solveCholesky(matrix: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  for (let j = 0; j < n; j++) {
    let diagonal = matrix[j * n + j]!;
    for (let k = 0; k < j; k++) diagonal -= matrix[j * n + k]! ** 2;
    // The ridge keeps every pivot >= prior in exact arithmetic; guard against rounding anyway.
    const pivot = Math.sqrt(Math.max(diagonal, 1e-300));
    matrix[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let value = matrix[i * n + j]!;
      for (let k = 0; k < j; k++) value -= matrix[i * n + k]! * matrix[j * n + k]!;
      matrix[i * n + j] = value / pivot;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let value = x[i]!;
    for (let k = 0; k < i; k++) value -= matrix[i * n + k]! * x[k]!;
    x[i] = value / matrix[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let value = x[i]!;
    for (let k = i + 1; k < n; k++) value -= matrix[k * n + i]! * x[k]!;
    x[i] = value / matrix[i * n + i]!;
  }
  return x;
}

/** Solves H x = b with Jacobi-preconditioned conjugate gradients, never forming H. */
function solveConjugateGradient(
  totals: PairTotals,
  curvature: Float64Array,
  prior: number,
  b: Float64Array,
): Float64Array {
  const n = b.length;
  const diagonal = new Float64Array(n).fill(prior);
  for (let p = 0; p < curvature.length; p++) {
    const i = totals.first[p]!;
    const j = totals.second[p]!;
    diagonal[i] = diagonal[i]! + curvature[p]!;
    diagonal[j] = diagonal[j]! + curvature[p]!;
  }
  const multiply = (v: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) out[i] = prior * v[i]!;
    for (let p = 0; p < curvature.length; p++) {
      const i = totals.first[p]!;
      const j = totals.second[p]!;
      const flow = curvature[p]! * (v[i]! - v[j]!);
      out[i] = out[i]! + flow;
      out[j] = out[j]! - flow;
    }
  };
  return solvePreconditionedConjugateGradient(b, diagonal, multiply);
}

/** Points per factor of 10 in strength on the Elo-like scale (as Chatbot Arena uses). */
export const ELO_SCALE = 400;
/** The Elo-like rating of strength 1 (the geometric-mean item). */
export const ELO_BASE_RATING = 1000;

/**
 * The Elo-like rating of a log-strength: 400·log10(strength) + 1000. A 400-point gap means 10:1
 * odds; with mean-zero log-strengths the mean rating is 1000.
 */
export function eloRating(logStrength: number): number {
  return (ELO_SCALE * logStrength) / Math.LN10 + ELO_BASE_RATING;
}

/** Elo-like ratings of an array of log-strengths. */
export function toEloRatings(logStrengths: ArrayLike<number>): Float64Array {
  return Float64Array.from(logStrengths, eloRating);
}

/** The model's probability that the first item beats the second, from their log-strengths. */
export function winProbability(logStrength: number, opponentLogStrength: number): number {
  return sigmoid(logStrength - opponentLogStrength);
}

/** Strengths scaled to sum to 1 (a softmax of the log-strengths). */
export function normalizedStrengths(logStrengths: ArrayLike<number>): Float64Array {
  let largest = -Infinity;
  for (let i = 0; i < logStrengths.length; i++) largest = Math.max(largest, logStrengths[i]!);
  const strengths = Float64Array.from(logStrengths, (t) => Math.exp(t - largest));
  let sum = 0;
  for (const s of strengths) sum += s;
  for (let i = 0; i < strengths.length; i++) strengths[i] = strengths[i]! / sum;
  return strengths;
}
