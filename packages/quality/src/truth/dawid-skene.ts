import type { AnswerSet } from './answers';
import {
  clampGold,
  finish,
  prepare,
  type IterativeOptions,
  type Prepared,
  type TruthEstimate,
  type TruthMethod,
} from './estimate';
import { logGamma } from './special';
import { acceleratedEm, projectRows } from './squarem';
import { majorityVote } from './vote';

/** Options of the Dawid-Skene family. */
export interface DawidSkeneOptions extends IterativeOptions {
  /**
   * Pseudo-answers added to every cell of a confusion row (and, for one-coin, to right and wrong),
   * so a worker never gets probability 0 for an answer they have not given yet. Default 1e-6 for
   * dawidSkene (close to the classic maximum likelihood), 1 for oneCoinDawidSkene, 0.5 (Jeffreys)
   * for hybridDawidSkene.
   */
  smoothing?: number;
  /**
   * Extra pseudo-answers on the diagonal (right answers), on top of smoothing: a prior that
   * annotators are better than chance. It breaks the symmetry that lets a worker with one or two
   * answers be read as always wrong (one task answered once came out at 0.5 with the other
   * label). Default: the smoothing for hybrid (0.5) and onecoin (1), so the diagonal of the prior
   * holds twice the pseudo-answers of the other cells; 0 for dawidSkene (the classic model).
   */
  competence?: number;
  /**
   * `learned` (default for ds and onecoin): the class prior is re-estimated from the posteriors.
   * `uniform` (default for hybrid): fixed, so a class that spammers favour cannot feed on itself.
   */
  classPrior?: 'learned' | 'uniform';
  /** Starting posteriors (items × labels), e.g. a previous run's; default: majority-vote shares. */
  initialPosterior?: Float64Array;
  /** SQUAREM extrapolation between EM steps (default true); same fixed point, fewer steps. */
  accelerate?: boolean;
}

/** A fit of the Dawid-Skene family. */
export interface DawidSkeneEstimate extends TruthEstimate {
  /**
   * Workers × true labels × given labels, row-major: the probability that worker w answers l when
   * the true label is k, at `(w * K + k) * K + l`.
   */
  confusion: Float64Array;
  /** Per worker, 1 when the fit gave them a full confusion matrix, 0 for a single coin. */
  fullMatrix: Uint8Array;
}

/** How a worker's confusion matrix is modelled. */
type WorkerModel = 'full' | 'one-coin' | 'evidence';

export const DAWID_SKENE_DEFAULTS = { maxIterations: 1000, tolerance: 1e-7 } as const;

/**
 * Dawid & Skene (1979): each worker has a full confusion matrix; EM alternates posteriors over
 * true labels (E) and smoothed confusion matrices and class prior (M), starting from majority-vote
 * shares. It runs until the absolute convergence test of IterativeOptions passes (never stopping
 * just because the likelihood dipped). Reliability is Σ_k prior_k · confusion_w[k][k].
 */
export function dawidSkene(
  answers: AnswerSet,
  options: DawidSkeneOptions = {},
): DawidSkeneEstimate {
  return fit(answers, options, 'ds', 'full', 1e-6, 'learned', 0);
}

/**
 * One-coin Dawid-Skene: worker w is right with probability p_w and otherwise picks one of the
 * other labels uniformly. Reliability is p_w.
 */
export function oneCoinDawidSkene(
  answers: AnswerSet,
  options: DawidSkeneOptions = {},
): DawidSkeneEstimate {
  return fit(answers, options, 'onecoin', 'one-coin', 1, 'learned', 1);
}

/**
 * Dawid-Skene where each worker's answers decide, at every M-step, between a full confusion
 * matrix and a single coin by Bayesian evidence (marginal likelihood of the worker's expected
 * answer counts under Jeffreys priors, Dirichlet(½) per row against Beta(½, ½)), the full matrix
 * needing one nat more (FULL_MATRIX_PRIOR_LOG_ODDS).
 * A prolific worker with a class-specific bias keeps a full matrix; a worker with a handful of
 * answers, whose 16 cells would be fitted to noise, gets one accuracy. The class prior is uniform.
 * This is the default method: on the development datasets it matched or beat the best single
 * classic method on each (see bench/aggregation.ts).
 */
export function hybridDawidSkene(
  answers: AnswerSet,
  options: DawidSkeneOptions = {},
): DawidSkeneEstimate {
  return fit(answers, options, 'hybrid', 'evidence', 0.5, 'uniform', 0.5);
}

function fit(
  answers: AnswerSet,
  options: DawidSkeneOptions,
  method: TruthMethod,
  model: WorkerModel,
  defaultSmoothing: number,
  defaultPrior: 'learned' | 'uniform',
  defaultCompetence: number,
): DawidSkeneEstimate {
  const prepared = prepare(answers, options);
  const K = answers.labels.length;
  const start =
    options.initialPosterior ?? majorityVote(answers, { gold: prepared.gold }).posterior;
  if (start.length !== answers.items.length * K)
    throw new RangeError('initialPosterior must hold items × labels probabilities');
  const smoothing = options.smoothing ?? defaultSmoothing;
  if (!(smoothing >= 0)) throw new RangeError('smoothing must be >= 0');
  if (model === 'evidence' && !(smoothing > 0))
    throw new RangeError('the hybrid model needs smoothing > 0 (its evidence is a Bayesian one)');
  const competence = options.competence ?? defaultCompetence;
  if (!(competence >= 0)) throw new RangeError('competence must be >= 0');
  return runEm(prepared, start, {
    method,
    model,
    smoothing,
    competence,
    uniformPrior: (options.classPrior ?? defaultPrior) === 'uniform',
    maxIterations: options.maxIterations ?? DAWID_SKENE_DEFAULTS.maxIterations,
    tolerance: options.tolerance ?? DAWID_SKENE_DEFAULTS.tolerance,
    accelerate: options.accelerate ?? true,
  });
}

interface EmSettings {
  method: TruthMethod;
  model: WorkerModel;
  smoothing: number;
  competence: number;
  uniformPrior: boolean;
  maxIterations: number;
  tolerance: number;
  accelerate: boolean;
}

function runEm(
  prepared: Prepared,
  initialPosterior: Float64Array,
  settings: EmSettings,
): DawidSkeneEstimate {
  const { answers, byItem, gold, hasEvidence } = prepared;
  const K = answers.labels.length;
  const itemCount = answers.items.length;
  const workerCount = answers.workers.length;
  const answerCount = answers.label.length;
  const { start, order } = byItem;

  // Answers in item order, worker and label packed into one index: one read per answer.
  const cell = new Int32Array(answerCount);
  for (let x = 0; x < answerCount; x++) {
    const a = order[x]!;
    cell[x] = answers.worker[a]! * K + answers.label[a]!;
  }
  // Items whose posterior EM moves: answered and not gold.
  const free = new Uint8Array(itemCount);
  for (let i = 0; i < itemCount; i++) free[i] = gold[i]! < 0 && start[i + 1]! > start[i]! ? 1 : 0;

  const posterior = initialPosterior.slice();
  clampGold(posterior, prepared);
  // One table, cell-major: per (worker w, given label l) cell, 2K values: first log P(l | true k)
  // for each k, then the expected count of answers l by w on items whose true label is k (under
  // the posteriors `countsOf`). Both halves of a cell share cache lines, so the E-step's two
  // random visits per answer cost one memory fetch. mass[k]: expected items of class k.
  const S = 2 * K;
  const table = new Float64Array(workerCount * K * S);
  const mass = new Float64Array(K);
  let countsOf: Float64Array | undefined;
  const prior = new Float64Array(K).fill(1 / K);
  const fullMatrix = new Uint8Array(workerCount);
  const logPrior = new Float64Array(S);
  const row = new Float64Array(S);

  const estimateParameters = (from: Float64Array): void => {
    if (countsOf !== from) {
      clearCounts(table, K);
      mass.fill(0);
      accumulate(from, start, cell, K, hasEvidence, table, mass);
      countsOf = from;
    }
    mStep(table, K, workerCount, settings, fullMatrix);
    if (!settings.uniformPrior) {
      let total = 0;
      for (let k = 0; k < K; k++) total += mass[k]! + settings.smoothing;
      for (let k = 0; k < K; k++)
        prior[k] = total > 0 ? (mass[k]! + settings.smoothing) / total : 1 / K;
    }
    for (let k = 0; k < K; k++) logPrior[k] = Math.log(prior[k]!);
  };

  // One EM map: parameters from `from` (M), posteriors into `to` (E), and in the same pass the
  // counts of `to`, ready for the next map.
  const step = (from: Float64Array, to: Float64Array) => {
    estimateParameters(from);
    const result = expectation(
      { K, start, cell, free, gold, logPrior, table, row },
      from,
      to,
      mass,
    );
    countsOf = to;
    return {
      objective: answerCount > 0 ? result.logLikelihood / answerCount : 0,
      change: result.change,
    };
  };

  const run = acceleratedEm(posterior, step, (p) => projectRows(p, K, free), {
    maxIterations: settings.maxIterations,
    tolerance: settings.tolerance,
    accelerate: settings.accelerate,
  });

  // Parameters consistent with the final posteriors.
  estimateParameters(run.posterior);
  const confusion = new Float64Array(workerCount * K * K);
  const reliability = new Float64Array(workerCount);
  for (let w = 0; w < workerCount; w++) {
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < K; l++) {
        const p = Math.exp(table[(w * K + l) * S + k]!);
        confusion[(w * K + k) * K + l] = p;
        if (l === k) reliability[w]! += prior[k]! * p;
      }
    }
  }
  return {
    ...finish(prepared, {
      method: settings.method,
      posterior: run.posterior,
      prior: prior.slice(),
      reliability,
      iterations: run.iterations,
      converged: run.converged,
      objective: run.objective,
    }),
    confusion,
    fullMatrix,
  };
}

interface ExpectationInput {
  K: number;
  start: Int32Array;
  cell: Int32Array;
  free: Uint8Array;
  gold: Int32Array;
  logPrior: Float64Array;
  /** The cell table of runEm (log-probabilities, then counts, per cell). */
  table: Float64Array;
  row: Float64Array;
}

/**
 * E-step: posteriors `to` from the parameters, and in the same pass the expected counts of `to`
 * (into the table's count halves and `mass`), ready for the next M-step. A plain function: V8 optimises it far
 * better than a closure over reassigned variables.
 */
function expectation(
  input: ExpectationInput,
  from: Float64Array,
  to: Float64Array,
  mass: Float64Array,
): { logLikelihood: number; change: number } {
  const { K, start, cell, free, gold, logPrior, table, row } = input;
  const S = 2 * K;
  const itemCount = start.length - 1;
  clearCounts(table, K);
  mass.fill(0);
  let logLikelihood = 0;
  let change = 0;
  for (let i = 0; i < itemCount; i++) {
    const begin = start[i]!;
    const end = start[i + 1]!;
    const base = i * K;
    if (!free[i]) {
      for (let k = 0; k < K; k++) row[k] = to[base + k] = from[base + k]!;
      const truth = gold[i]!;
      if (truth >= 0) {
        // Clamped: its likelihood term is that of the gold label.
        let term = logPrior[truth]!;
        for (let x = begin; x < end; x++) term += table[cell[x]! * S + truth]!;
        logLikelihood += term;
      }
    } else {
      sumLogRows(row, logPrior, table, cell, begin, end, K);
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (row[k]! > max) max = row[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(row[k]! - max);
        row[k] = e;
        sum += e;
      }
      logLikelihood += max + Math.log(sum);
      for (let k = 0; k < K; k++) {
        const p = row[k]! / sum;
        const moved = Math.abs(p - from[base + k]!);
        if (moved > change) change = moved;
        row[k] = to[base + k] = p;
      }
    }
    if (!free[i] && gold[i]! < 0) continue;
    for (let k = 0; k < K; k++) mass[k] = mass[k]! + row[k]!;
    addToRows(table, row, 0, cell, begin, end, K);
  }
  return { logLikelihood, change };
}

/** Sets the count half of every cell of the table to 0. */
function clearCounts(table: Float64Array, K: number): void {
  for (let offset = K; offset < table.length; offset += 2 * K) table.fill(0, offset, offset + K);
}

/** The expected counts of `posterior` into the table's count halves and `mass`. */
function accumulate(
  posterior: Float64Array,
  start: Int32Array,
  cell: Int32Array,
  K: number,
  hasEvidence: Uint8Array,
  table: Float64Array,
  mass: Float64Array,
): void {
  for (let i = 0; i + 1 < start.length; i++) {
    if (!hasEvidence[i]) continue;
    const base = i * K;
    for (let k = 0; k < K; k++) mass[k]! += posterior[base + k]!;
    addToRows(table, posterior, base, cell, start[i]!, start[i + 1]!, K);
  }
}

/**
 * row[k] = logPrior[k] + Σ over the item's answers x of log P(given | k) (the table's log half of
 * cell[x]): labels four,
 * then two, then one at a time, held in locals (twice as fast as a loop over k per answer).
 */
function sumLogRows(
  row: Float64Array,
  logPrior: Float64Array,
  table: Float64Array,
  cell: Int32Array,
  begin: number,
  end: number,
  K: number,
): void {
  const S = 2 * K;
  let c = 0;
  for (; c + 4 <= K; c += 4) {
    let r0 = logPrior[c]!;
    let r1 = logPrior[c + 1]!;
    let r2 = logPrior[c + 2]!;
    let r3 = logPrior[c + 3]!;
    for (let x = begin; x < end; x++) {
      const o = cell[x]! * S + c;
      r0 += table[o]!;
      r1 += table[o + 1]!;
      r2 += table[o + 2]!;
      r3 += table[o + 3]!;
    }
    row[c] = r0;
    row[c + 1] = r1;
    row[c + 2] = r2;
    row[c + 3] = r3;
  }
  if (c + 2 <= K) {
    let r0 = logPrior[c]!;
    let r1 = logPrior[c + 1]!;
    for (let x = begin; x < end; x++) {
      const o = cell[x]! * S + c;
      r0 += table[o]!;
      r1 += table[o + 1]!;
    }
    row[c] = r0;
    row[c + 1] = r1;
    c += 2;
  }
  if (c < K) {
    let r0 = logPrior[c]!;
    for (let x = begin; x < end; x++) r0 += table[cell[x]! * S + c]!;
    row[c] = r0;
  }
}

/** The count half of cell[x], per true label k, += p[at + k] for the item's answers x. */
function addToRows(
  table: Float64Array,
  p: Float64Array,
  at: number,
  cell: Int32Array,
  begin: number,
  end: number,
  K: number,
): void {
  const S = 2 * K;
  let c = 0;
  for (; c + 4 <= K; c += 4) {
    const p0 = p[at + c]!;
    const p1 = p[at + c + 1]!;
    const p2 = p[at + c + 2]!;
    const p3 = p[at + c + 3]!;
    for (let x = begin; x < end; x++) {
      const o = cell[x]! * S + K + c;
      table[o] = table[o]! + p0;
      table[o + 1] = table[o + 1]! + p1;
      table[o + 2] = table[o + 2]! + p2;
      table[o + 3] = table[o + 3]! + p3;
    }
  }
  if (c + 2 <= K) {
    const p0 = p[at + c]!;
    const p1 = p[at + c + 1]!;
    for (let x = begin; x < end; x++) {
      const o = cell[x]! * S + K + c;
      table[o] = table[o]! + p0;
      table[o + 1] = table[o + 1]! + p1;
    }
    c += 2;
  }
  if (c < K) {
    const p0 = p[at + c]!;
    for (let x = begin; x < end; x++) {
      const o = cell[x]! * S + K + c;
      table[o] = table[o]! + p0;
    }
  }
}

/**
 * How much more evidence (in nats) a full confusion matrix needs than a single coin: prior odds of
 * e to 1 for the simpler model. With soft counts from a handful of answers the two evidences are
 * nearly equal, and a full matrix fitted to one answer can drag an item against a clear majority
 * (one task, answers cat, dog, cat, came out "dog" without it).
 */
const FULL_MATRIX_PRIOR_LOG_ODDS = 1;

/** Worker parameters from expected counts: predictive probabilities under the pseudo-counts. */
function mStep(
  table: Float64Array,
  K: number,
  workerCount: number,
  settings: EmSettings,
  fullMatrix: Uint8Array,
): void {
  const s = settings.smoothing;
  const c = settings.competence;
  const S = 2 * K;
  for (let w = 0; w < workerCount; w++) {
    // The worker's first cell: log half at `offset`, count half at `counts`; cells S apart.
    const offset = w * K * S;
    const counts = offset + K;
    let useFull = settings.model === 'full';
    if (settings.model === 'evidence')
      useFull =
        fullEvidence(table, counts, K, S, s, c) - coinEvidence(table, counts, K, S, s, c) >
        FULL_MATRIX_PRIOR_LOG_ODDS;
    fullMatrix[w] = useFull ? 1 : 0;
    if (useFull) {
      for (let k = 0; k < K; k++) {
        let total = 0;
        for (let l = 0; l < K; l++) total += table[counts + l * S + k]! + s + (l === k ? c : 0);
        const logTotal = Math.log(total);
        for (let l = 0; l < K; l++) {
          const value = table[counts + l * S + k]! + s + (l === k ? c : 0);
          // A row with no mass at all (no smoothing, no answers) stays uniform rather than NaN.
          table[offset + l * S + k] =
            total > 0 ? Math.log(Math.max(value, 1e-300)) - logTotal : -Math.log(K);
        }
      }
    } else {
      const { right, all } = rightAndAll(table, counts, K, S);
      const accuracy = all + 2 * s + c > 0 ? (right + s + c) / (all + 2 * s + c) : 0.5;
      const logRight = Math.log(Math.max(accuracy, 1e-300));
      const logWrong = K > 1 ? Math.log(Math.max((1 - accuracy) / (K - 1), 1e-300)) : 0;
      for (let l = 0; l < K; l++)
        for (let k = 0; k < K; k++) table[offset + l * S + k] = k === l ? logRight : logWrong;
    }
  }
}

function rightAndAll(counts: Float64Array, offset: number, K: number, S: number) {
  let right = 0;
  let all = 0;
  for (let l = 0; l < K; l++) {
    for (let k = 0; k < K; k++) {
      const count = counts[offset + l * S + k]!;
      all += count;
      if (k === l) right += count;
    }
  }
  return { right, all };
}

/**
 * log marginal likelihood of a worker's counts with a Dirichlet prior on each row: α on every
 * cell, α + c on the diagonal.
 */
function fullEvidence(
  counts: Float64Array,
  offset: number,
  K: number,
  S: number,
  alpha: number,
  c: number,
): number {
  let evidence = 0;
  for (let k = 0; k < K; k++) {
    let total = 0;
    let prior = 0;
    for (let l = 0; l < K; l++) {
      const a = alpha + (l === k ? c : 0);
      const count = counts[offset + l * S + k]!;
      total += count;
      prior += a;
      evidence += logGamma(a + count) - logGamma(a);
    }
    evidence += logGamma(prior) - logGamma(prior + total);
  }
  return evidence;
}

/** The same with one Beta(α + c, α) accuracy; a wrong answer is one of K-1 labels. */
function coinEvidence(
  counts: Float64Array,
  offset: number,
  K: number,
  S: number,
  alpha: number,
  c: number,
): number {
  const { right, all } = rightAndAll(counts, offset, K, S);
  const wrong = all - right;
  return (
    logGamma(alpha + c + right) +
    logGamma(alpha + wrong) -
    logGamma(2 * alpha + c + all) +
    logGamma(2 * alpha + c) -
    logGamma(alpha + c) -
    logGamma(alpha) -
    (K > 1 ? wrong * Math.log(K - 1) : 0)
  );
}
