import {
  DEFAULT_PRIOR,
  fitPairTotals,
  solveCholesky,
  type BradleyTerryOptions,
} from './bradley-terry';
import {
  denseHessian,
  evaluate,
  solveConjugateGradient,
  type Evaluation,
} from './contextual-system';
import { PairNumbering } from './outcomes';

/**
 * Bradley-Terry with covariates per comparison (the "contextual" model behind Chatbot Arena's
 * style control): P(left beats right) = σ(θ_left − θ_right + β·z), z the comparison's covariates.
 * A tie counts as half a win each way and the same ridge prior as fitBradleyTerry's keeps θ and β
 * finite. Each comparison's gradient adds to one item what it takes from the other, so Σθ = 0 at
 * the optimum here too (per connected group), and with every covariate 0 this is fitBradleyTerry.
 *
 * Comparisons stay rows (continuous covariates rarely repeat, so there are no cells to tally);
 * a Newton step is one pass over the rows that accumulates the gradient and the Hessian's
 * sufficient statistics (curvature per item pair, item × covariate and covariate × covariate
 * sums), then solves the (items + covariates)-dimensional system.
 */
export interface ContextualComparisons {
  itemCount: number;
  left: Int32Array;
  right: Int32Array;
  /** The left item's share of the win: 1, 0, or 1/2 for a tie. */
  credit: Float64Array;
  covariateCount: number;
  /** Row-major: `covariates[row * covariateCount + k]`. */
  covariates: Float64Array;
}

/** A fitted contextual Bradley-Terry model. */
export interface ContextualFit {
  /** Natural-log strengths, mean 0, on fitBradleyTerry's scale. */
  logStrengths: Float64Array;
  /** Log-odds per unit of each covariate. */
  coefficients: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Comparisons with their unordered item pairs indexed, prepared once for many fits. */
export interface PreparedComparisons extends ContextualComparisons {
  pairFirst: Int32Array;
  pairSecond: Int32Array;
  rowPair: Int32Array;
}

/** Curvature is accumulated per pair, so a Newton system costs pairs, not rows, to assemble. */
export function prepareComparisons(comparisons: ContextualComparisons): PreparedComparisons {
  const { itemCount, left, right, credit, covariateCount, covariates } = comparisons;
  const rows = left.length;
  if (
    right.length !== rows ||
    credit.length !== rows ||
    covariates.length !== rows * covariateCount
  )
    throw new RangeError('left, right, credit and covariates must describe the same rows');
  const numbering = new PairNumbering(itemCount);
  const rowPair = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    const a = left[row]!;
    const b = right[row]!;
    if (a === b || a < 0 || b < 0 || a >= itemCount || b >= itemCount)
      throw new RangeError(`row ${row} does not compare two different items`);
    rowPair[row] = numbering.pairOf(a, b);
  }
  const { first, second } = numbering.pairs();
  return { ...comparisons, pairFirst: first, pairSecond: second, rowPair };
}

/** Fits θ and β to comparisons with covariates. */
export function fitContextualBradleyTerry(
  comparisons: ContextualComparisons,
  options: BradleyTerryOptions = {},
): ContextualFit {
  return fitPrepared(prepareComparisons(comparisons), options);
}

const CHOLESKY_MAX_PARAMETERS = 256;

/**
 * Fits prepared comparisons, each row counted `weights[row]` times (once without weights; the
 * bootstrap passes multinomial counts), starting from `start` (θ then β) when given.
 */
export function fitPrepared(
  prepared: PreparedComparisons,
  options: BradleyTerryOptions = {},
  weights?: Uint32Array,
  start?: Float64Array,
): ContextualFit {
  const prior = options.prior ?? DEFAULT_PRIOR;
  if (!(prior > 0)) throw new RangeError('prior must be > 0 (it keeps strengths finite)');
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-9;
  const { itemCount } = prepared;
  const parameters = itemCount + prepared.covariateCount;
  const solver = options.solver ?? 'auto';
  const useCholesky =
    solver === 'cholesky' || (solver === 'auto' && parameters <= CHOLESKY_MAX_PARAMETERS);

  let point: Float64Array = start
    ? Float64Array.from(start)
    : plainStart(prepared, options, weights);
  let current = evaluate(prepared, point, prior, weights);
  const result = (iterations: number, converged: boolean): ContextualFit => ({
    logStrengths: point.slice(0, itemCount),
    coefficients: point.slice(itemCount),
    iterations,
    converged,
  });
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const step = useCholesky
      ? solveCholesky(denseHessian(prepared, current, prior), current.gradient)
      : solveConjugateGradient(prepared, current, prior);
    let largestStep = 0;
    for (let i = 0; i < parameters; i++) largestStep = Math.max(largestStep, Math.abs(step[i]!));
    // Newton converges quadratically: a step this small is taken without another pass to check it.
    if (largestStep < tolerance) {
      for (let i = 0; i < parameters; i++) point[i] = point[i]! - step[i]!;
      return result(iteration, true);
    }
    let slope = 0;
    for (let i = 0; i < parameters; i++) slope -= current.gradient[i]! * step[i]!;
    // Newton moves by -step, halved until the objective falls; each trial point's pass also
    // yields its gradient and curvature, so an accepted step costs one pass over the rows.
    let scale = 1;
    let accepted: { point: Float64Array; evaluation: Evaluation } | undefined;
    while (scale > 1e-12) {
      const candidate = new Float64Array(parameters);
      for (let i = 0; i < parameters; i++) candidate[i] = point[i]! - scale * step[i]!;
      const next = evaluate(prepared, candidate, prior, weights);
      const withinRounding =
        scale === 1 &&
        next.objective - current.objective <= 1e-13 * (1 + Math.abs(current.objective));
      if (next.objective <= current.objective + 1e-4 * scale * slope || withinRounding) {
        accepted = { point: candidate, evaluation: next };
        break;
      }
      scale /= 2;
    }
    if (!accepted) return result(iteration, true);
    let largestMove = 0;
    for (let i = 0; i < parameters; i++)
      largestMove = Math.max(largestMove, Math.abs(accepted.point[i]! - point[i]!));
    point = accepted.point;
    current = accepted.evaluation;
    if (largestMove < tolerance) return result(iteration, true);
  }
  return result(maxIterations, false);
}

/**
 * θ of plain Bradley-Terry (covariates ignored) and β = 0: per-pair totals make it cheap, and
 * starting there saves the contextual fit a few passes over the rows.
 */
function plainStart(
  prepared: PreparedComparisons,
  options: BradleyTerryOptions,
  weights: Uint32Array | undefined,
): Float64Array {
  const { left, credit, pairFirst, rowPair } = prepared;
  const winsOfFirst = new Float64Array(pairFirst.length);
  const total = new Float64Array(pairFirst.length);
  for (let row = 0; row < left.length; row++) {
    const count = weights ? weights[row]! : 1;
    const pair = rowPair[row]!;
    const win = left[row] === pairFirst[pair] ? credit[row]! : 1 - credit[row]!;
    winsOfFirst[pair] = winsOfFirst[pair]! + count * win;
    total[pair] = total[pair]! + count;
  }
  const plain = fitPairTotals(
    prepared.itemCount,
    { first: pairFirst, second: prepared.pairSecond, winsOfFirst, total },
    options,
  );
  const point = new Float64Array(prepared.itemCount + prepared.covariateCount);
  point.set(plain.logStrengths);
  return point;
}
