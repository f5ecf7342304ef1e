import type { AnswerSet } from './answers';
import { clampGold, finish, prepare, type IterativeOptions, type TruthEstimate } from './estimate';
import { sigmoid, softplus } from './special';

/** Options of glad. */
export interface GladOptions extends IterativeOptions {
  /** Newton sweeps over abilities and difficulties per M-step at most (a generalised EM step). Default 2. */
  mStepIterations?: number;
  /** Mean of the N(mean, 1) prior on every worker's ability α. Default 1. */
  abilityPrior?: number;
  /** Mean of the N(mean, 1) prior on every item's log inverse difficulty log β. Default 1. */
  difficultyPrior?: number;
  /** Starting posteriors (items × labels); default: the E-step of α = 1, β = e for everyone. */
  initialPosterior?: Float64Array;
}

/** A GLAD fit. */
export interface GladEstimate extends TruthEstimate {
  /** Per worker, α: 0 is guessing, large is expert, negative is adversarial. */
  ability: Float64Array;
  /** Per item, β > 0: small is hard (everyone guesses), large is easy. */
  inverseDifficulty: Float64Array;
}

export const GLAD_DEFAULTS = {
  maxIterations: 500,
  // Looser than Dawid-Skene's: GLAD's objective is flat along abilities × difficulties, and the
  // labels settle long before it does (measured on the development datasets).
  tolerance: 1e-5,
  mStepIterations: 2,
  abilityPrior: 1,
  difficultyPrior: 1,
} as const;

/**
 * GLAD (Whitehill et al., 2009): a worker answers item i correctly with probability σ(α_w β_i) and
 * otherwise picks one of the other labels uniformly; the class prior is uniform. EM with, in the
 * M-step, Newton steps on the abilities (concave, one worker at a time) and Fisher-scoring steps
 * on log β (one item at a time), under N(1, 1) priors on α and log β. Reliability is the mean
 * σ(α_w β_i) over the worker's answers.
 */
export function glad(answers: AnswerSet, options: GladOptions = {}): GladEstimate {
  const prepared = prepare(answers, options);
  const { gold, byItem } = prepared;
  const K = answers.labels.length;
  const itemCount = answers.items.length;
  const workerCount = answers.workers.length;
  const n = answers.label.length;
  const maxIterations = options.maxIterations ?? GLAD_DEFAULTS.maxIterations;
  const tolerance = options.tolerance ?? GLAD_DEFAULTS.tolerance;
  const sweeps = options.mStepIterations ?? GLAD_DEFAULTS.mStepIterations;
  const abilityMean = options.abilityPrior ?? GLAD_DEFAULTS.abilityPrior;
  const difficultyMean = options.difficultyPrior ?? GLAD_DEFAULTS.difficultyPrior;
  const logWrongShare = K > 1 ? Math.log(K - 1) : 0;

  const ability = new Float64Array(workerCount).fill(abilityMean);
  const logBeta = new Float64Array(itemCount).fill(difficultyMean);
  const prior = new Float64Array(K).fill(1 / K);
  const logPrior = Math.log(1 / K);
  const posterior = options.initialPosterior?.slice() ?? new Float64Array(itemCount * K);
  if (posterior.length !== itemCount * K)
    throw new RangeError('initialPosterior must hold items × labels probabilities');
  const { item, worker, label } = answers;
  // Per answer: the probability that it is correct (the posterior of the label it gave).
  const correct = new Float64Array(n);
  const row = new Float64Array(K);

  /** E-step; returns the log marginal likelihood plus log prior, and the largest change. */
  const expect = (): { objective: number; change: number } => {
    let logLikelihood = 0;
    let change = 0;
    const { start, order } = byItem;
    for (let i = 0; i < itemCount; i++) {
      const base = i * K;
      const beta = Math.exp(logBeta[i]!);
      // Every label starts from "all answers wrong"; each answer lifts the label it names.
      let wrongAll = 0;
      row.fill(0);
      for (let x = start[i]!; x < start[i + 1]!; x++) {
        const a = order[x]!;
        const z = ability[worker[a]!]! * beta;
        const logRight = -softplus(-z);
        // log(1 - σ(z)) = log σ(z) - z.
        const logWrong = logRight - z - logWrongShare;
        wrongAll += logWrong;
        row[label[a]!]! += logRight - logWrong;
      }
      if (start[i + 1]! === start[i]!) continue;
      const truth = gold[i]!;
      if (truth >= 0) {
        logLikelihood += logPrior + wrongAll + row[truth]!;
        continue;
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (row[k]! > max) max = row[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += row[k] = Math.exp(row[k]! - max);
      logLikelihood += logPrior + wrongAll + max + Math.log(sum);
      for (let k = 0; k < K; k++) {
        const p = row[k]! / sum;
        const moved = Math.abs(p - posterior[base + k]!);
        if (moved > change) change = moved;
        posterior[base + k] = p;
      }
    }
    let logPriors = 0;
    for (const a of ability) logPriors -= 0.5 * (a - abilityMean) ** 2;
    for (const b of logBeta) logPriors -= 0.5 * (b - difficultyMean) ** 2;
    return { objective: n > 0 ? (logLikelihood + logPriors) / n : 0, change };
  };

  const gradient = new Float64Array(Math.max(workerCount, itemCount));
  const curvature = new Float64Array(Math.max(workerCount, itemCount));
  const before = new Float64Array(itemCount);
  const betas = new Float64Array(itemCount);
  const after = new Float64Array(itemCount);
  const proposed = new Float64Array(itemCount);
  /** M-step: alternating one-dimensional Newton steps on α (per worker) and log β (per item). */
  const maximize = (): void => {
    for (let a = 0; a < n; a++) correct[a] = posterior[item[a]! * K + label[a]!]!;
    for (let sweep = 0; sweep < sweeps; sweep++) {
      let largestStep = 0;
      // Abilities: Q is concave in each α_w.
      gradient.fill(0, 0, workerCount);
      curvature.fill(0, 0, workerCount);
      for (let i = 0; i < itemCount; i++) betas[i] = Math.exp(logBeta[i]!);
      for (let a = 0; a < n; a++) {
        const w = worker[a]!;
        const beta = betas[item[a]!]!;
        const s = sigmoid(ability[w]! * beta);
        gradient[w]! += (correct[a]! - s) * beta;
        curvature[w]! += s * (1 - s) * beta * beta;
      }
      for (let w = 0; w < workerCount; w++) {
        const g = gradient[w]! - (ability[w]! - abilityMean);
        const stepSize = clamp(g / (curvature[w]! + 1), 2);
        ability[w]! += stepSize;
        largestStep = Math.max(largestStep, Math.abs(stepSize));
      }
      // Log inverse difficulties: Fisher scoring (Q need not be concave in log β), with a step
      // kept only where it raises the item's Q (halved once, else dropped): a plain Fisher step
      // can overshoot and make EM cycle between two states.
      gradient.fill(0, 0, itemCount);
      curvature.fill(0, 0, itemCount);
      before.fill(0, 0, itemCount);
      for (let a = 0; a < n; a++) {
        const i = item[a]!;
        const alpha = ability[worker[a]!]!;
        const beta = betas[i]!;
        const z = alpha * beta;
        const s = sigmoid(z);
        gradient[i]! += (correct[a]! - s) * alpha * beta;
        curvature[i]! += s * (1 - s) * alpha * alpha * beta * beta;
        before[i]! += answerQ(correct[a]!, z);
      }
      for (let i = 0; i < itemCount; i++) {
        const g = gradient[i]! - (logBeta[i]! - difficultyMean);
        proposed[i] = clamp(g / (curvature[i]! + 1), 1);
      }
      for (let halving = 0; halving < 2; halving++) {
        after.fill(0, 0, itemCount);
        for (let i = 0; i < itemCount; i++) betas[i] = Math.exp(logBeta[i]! + proposed[i]!);
        for (let a = 0; a < n; a++) {
          const i = item[a]!;
          const z = ability[worker[a]!]! * betas[i]!;
          after[i]! += answerQ(correct[a]!, z);
        }
        for (let i = 0; i < itemCount; i++) {
          const q0 = before[i]! - 0.5 * (logBeta[i]! - difficultyMean) ** 2;
          const moved = logBeta[i]! + proposed[i]!;
          const q1 = after[i]! - 0.5 * (moved - difficultyMean) ** 2;
          if (q1 < q0) proposed[i] = halving === 0 ? proposed[i]! / 2 : 0;
        }
      }
      for (let i = 0; i < itemCount; i++) {
        logBeta[i]! += proposed[i]!;
        largestStep = Math.max(largestStep, Math.abs(proposed[i]!));
      }
      if (largestStep < 1e-6) break;
    }
  };

  clampGold(posterior, prepared);
  // Without a given start, the first E-step from α = 1, β = e (every worker alike) is one.
  let objective = options.initialPosterior ? -Infinity : expect().objective;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    maximize();
    const result = expect();
    const settled =
      Math.abs(result.objective - objective) < tolerance && result.change < Math.sqrt(tolerance);
    objective = result.objective;
    if (settled) {
      converged = true;
      break;
    }
  }

  const inverseDifficulty = logBeta.map(Math.exp);
  const reliability = new Float64Array(workerCount);
  const answered = new Float64Array(workerCount);
  for (let a = 0; a < n; a++) {
    const w = worker[a]!;
    reliability[w]! += sigmoid(ability[w]! * inverseDifficulty[item[a]!]!);
    answered[w]!++;
  }
  for (let w = 0; w < workerCount; w++) reliability[w] = reliability[w]! / answered[w]!;
  return {
    ...finish(prepared, {
      method: 'glad',
      posterior,
      prior,
      reliability,
      iterations,
      converged,
      objective,
    }),
    ability,
    inverseDifficulty,
  };
}

/** An answer's term of Q: c·log σ(z) + (1 - c)·log(1 - σ(z)). */
function answerQ(correct: number, z: number): number {
  // log(1 - σ(z)) = log σ(z) - z.
  return -softplus(-z) - (1 - correct) * z;
}

function clamp(value: number, limit: number): number {
  return value > limit ? limit : value < -limit ? -limit : value;
}
