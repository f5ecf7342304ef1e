/**
 * EM with SQUAREM acceleration (Varadhan & Roland, 2008, scheme S3) on the posterior matrix.
 * Plain EM crawls where the likelihood is flat (adult2's Dawid-Skene takes 300+ steps); SQUAREM
 * extrapolates along two successive EM steps and keeps the jump only when it does not lower the
 * objective, so it converges to the same fixed point, in a fraction of the steps.
 */

/** One EM map F: reads posteriors `from`, writes F(from) into `to`, returns the objective. */
export type EmStep = (from: Float64Array, to: Float64Array) => StepResult;

export interface StepResult {
  /** Objective (e.g. log-likelihood per answer) of the parameters estimated from `from`. */
  objective: number;
  /** Largest absolute change of a posterior probability, |F(from) - from|∞. */
  change: number;
}

export interface EmRun {
  posterior: Float64Array;
  /** EM maps evaluated. */
  iterations: number;
  converged: boolean;
  objective: number;
}

/**
 * No posterior probability may move more than this in the last map for EM to stop: a guard
 * against a likelihood plateau on which labels are still swinging. Not tied to `tolerance`: the
 * largest move over a million items is always larger than over a thousand, and a tight guard
 * would make the run length grow with the data rather than with its difficulty.
 */
export const POSTERIOR_SETTLED = 1e-2;

/**
 * Iterates F from `initial` until the absolute test passes: the objective moved less than
 * `tolerance` between two maps and no probability moved more than POSTERIOR_SETTLED. `project`
 * puts an extrapolated matrix back onto the simplex (rows sum to 1, entries >= 0).
 */
export function acceleratedEm(
  initial: Float64Array,
  step: EmStep,
  project: (posterior: Float64Array) => void,
  options: { maxIterations: number; tolerance: number; accelerate: boolean },
): EmRun {
  const { maxIterations, tolerance } = options;
  const changeLimit = POSTERIOR_SETTLED;
  let current: Float64Array = initial;
  let first: Float64Array = new Float64Array(initial.length);
  let second: Float64Array = new Float64Array(initial.length);
  const jumped: Float64Array = new Float64Array(initial.length);
  let iterations = 0;
  let objective = -Infinity;

  const apply = (from: Float64Array, to: Float64Array): boolean => {
    const result = step(from, to);
    iterations++;
    const settled =
      Math.abs(result.objective - objective) < tolerance && result.change < changeLimit;
    objective = result.objective;
    return settled;
  };

  while (iterations < maxIterations) {
    if (apply(current, first)) return { posterior: first, iterations, converged: true, objective };
    if (!options.accelerate || iterations >= maxIterations) {
      [current, first] = [first, current];
      continue;
    }
    if (apply(first, second)) return { posterior: second, iterations, converged: true, objective };
    const secondObjective = objective;
    if (iterations >= maxIterations) {
      [current, second] = [second, current];
      break;
    }
    // r = F(θ) - θ, v = F(F(θ)) - 2F(θ) + θ, α = -|r| / |v| (at most -1: never shorter than EM).
    let rr = 0;
    let vv = 0;
    for (let x = 0; x < current.length; x++) {
      const r = first[x]! - current[x]!;
      const v = second[x]! - 2 * first[x]! + current[x]!;
      rr += r * r;
      vv += v * v;
    }
    const alpha = vv > 0 ? Math.min(-1, -Math.sqrt(rr / vv)) : -1;
    for (let x = 0; x < current.length; x++) {
      const r = first[x]! - current[x]!;
      const v = second[x]! - 2 * first[x]! + current[x]!;
      jumped[x] = current[x]! - 2 * alpha * r + alpha * alpha * v;
    }
    project(jumped);
    // A map from the jump; keep it only if its objective is no worse than the plain path's.
    const settled = apply(jumped, first);
    if (objective >= secondObjective - 1e-12 * Math.abs(secondObjective)) {
      if (settled) return { posterior: first, iterations, converged: true, objective };
      [current, first] = [first, current];
    } else {
      // Rejected: continue from F(F(θ)), as plain EM would have.
      objective = secondObjective;
      [current, second] = [second, current];
    }
  }
  return { posterior: current, iterations, converged: false, objective };
}

/** Clamps negative probabilities to 0 and renormalises each row of `labelCount` (uniform if 0). */
export function projectRows(posterior: Float64Array, labelCount: number, rows: Uint8Array): void {
  for (let i = 0; i < rows.length; i++) {
    if (!rows[i]) continue;
    const base = i * labelCount;
    let sum = 0;
    for (let k = 0; k < labelCount; k++) {
      const p = Math.max(0, posterior[base + k]!);
      posterior[base + k] = p;
      sum += p;
    }
    for (let k = 0; k < labelCount; k++)
      posterior[base + k] = sum > 0 ? posterior[base + k]! / sum : 1 / labelCount;
  }
}
