import {
  DEFAULT_PRIOR,
  fitPairTotals,
  winProbability,
  type BradleyTerryOptions,
} from './bradley-terry';
import { compareIds, type Comparison, type PairTotals } from './outcomes';

/** A comparison with who made it (comparisons without an annotator share one pool, ""). */
export interface JudgedComparison extends Comparison {
  annotator?: string;
}

/** Options of fitNoisyBradleyTerry. */
export interface NoisyBradleyTerryOptions extends BradleyTerryOptions {
  /** EM iterations at most. Default 5000 (EM crawls along the lapse/spread trade-off). */
  maxEmIterations?: number;
  /** Stop when the penalised log-likelihood gains less than this (relative). Default 1e-10. */
  emTolerance?: number;
  /** Every annotator's lapse rate at the start. Default 0.1. */
  initialLapse?: number;
}

/** A fitted noisy Bradley-Terry model. */
export interface NoisyBradleyTerryFit {
  items: readonly string[];
  /** Log-strengths on the same scale as fitBradleyTerry (mean 0). */
  logStrengths: Float64Array;
  /** Annotator ids, sorted; "" is the pool of comparisons without one. */
  annotators: readonly string[];
  /** Per annotator: the estimated share of judgements that were coin flips. */
  lapseRates: Float64Array;
  /** Log-likelihood of the data at the fit (ties count half each way). */
  logLikelihood: number;
  iterations: number;
  converged: boolean;
}

interface JudgementCells {
  winner: Int32Array;
  loser: Int32Array;
  annotator: Int32Array;
  weight: Float64Array;
  pair: Int32Array;
  pairFirst: Int32Array;
  pairSecond: Int32Array;
}

/**
 * Bradley-Terry with annotator lapses: annotator a judges attentively with probability 1 - ε_a and
 * otherwise flips a fair coin, so P(i preferred to j) = ε_a/2 + (1 - ε_a)·σ(θ_i - θ_j). Fitted by EM:
 * the E-step gives each judgement the posterior probability that it was attentive; the M-step sets
 * ε_a to annotator a's expected lapse share and refits the strengths to the attentive-weighted
 * comparisons (same ridge prior as fitBradleyTerry). EM climbs to a local maximum; lapses trade off
 * against the spread of strengths, so with few comparisons per annotator treat ε as a relative
 * signal. A tie is half a judgement each way, as in plain Bradley-Terry.
 */
export function fitNoisyBradleyTerry(
  comparisons: Iterable<JudgedComparison>,
  options: NoisyBradleyTerryOptions = {},
): NoisyBradleyTerryFit {
  const maxEmIterations = options.maxEmIterations ?? 5000;
  const emTolerance = options.emTolerance ?? 1e-10;
  const initialLapse = options.initialLapse ?? 0.1;
  if (!(initialLapse >= 0 && initialLapse < 1))
    throw new RangeError('initialLapse must be in [0, 1)');
  const prior = options.prior ?? DEFAULT_PRIOR;
  const { items, annotators, cells } = collectJudgements(comparisons);
  const pairCount = cells.pairFirst.length;
  const totals: PairTotals = {
    first: cells.pairFirst,
    second: cells.pairSecond,
    winsOfFirst: new Float64Array(pairCount),
    total: new Float64Array(pairCount),
  };

  // Start from plain Bradley-Terry: every judgement attentive.
  accumulateAttentive(cells, totals, null);
  let logStrengths = fitPairTotals(items.length, totals, options).logStrengths;
  const lapseRates = new Float64Array(annotators.length).fill(initialLapse);
  const lapseMass = new Float64Array(annotators.length);
  const mass = new Float64Array(annotators.length);
  const attentive = new Float64Array(cells.weight.length);

  let previous = -Infinity;
  let logLikelihood = -Infinity;
  for (let iteration = 1; iteration <= maxEmIterations; iteration++) {
    // E-step: posterior probability that each judgement was attentive.
    lapseMass.fill(0);
    mass.fill(0);
    logLikelihood = 0;
    for (let c = 0; c < cells.weight.length; c++) {
      const a = cells.annotator[c]!;
      const weight = cells.weight[c]!;
      const epsilon = lapseRates[a]!;
      const model = winProbability(logStrengths[cells.winner[c]!]!, logStrengths[cells.loser[c]!]!);
      const attentiveShare = (1 - epsilon) * model;
      const probability = epsilon / 2 + attentiveShare;
      const responsibility = probability > 0 ? attentiveShare / probability : 0;
      attentive[c] = responsibility;
      logLikelihood += weight * Math.log(probability);
      lapseMass[a] = lapseMass[a]! + weight * (1 - responsibility);
      mass[a] = mass[a]! + weight;
    }
    let penalty = 0;
    for (const t of logStrengths) penalty += 0.5 * prior * t * t;
    const objective = logLikelihood - penalty;
    if (objective - previous <= emTolerance * (1 + Math.abs(objective))) {
      return fitResult(items, logStrengths, annotators, lapseRates, logLikelihood, iteration, true);
    }
    previous = objective;
    // M-step.
    for (let a = 0; a < annotators.length; a++)
      lapseRates[a] = mass[a]! > 0 ? lapseMass[a]! / mass[a]! : initialLapse;
    accumulateAttentive(cells, totals, attentive);
    logStrengths = fitPairTotals(items.length, totals, options, logStrengths).logStrengths;
  }
  return fitResult(
    items,
    logStrengths,
    annotators,
    lapseRates,
    logLikelihood,
    maxEmIterations,
    false,
  );
}

function fitResult(
  items: readonly string[],
  logStrengths: Float64Array,
  annotators: readonly string[],
  lapseRates: Float64Array,
  logLikelihood: number,
  iterations: number,
  converged: boolean,
): NoisyBradleyTerryFit {
  return { items, logStrengths, annotators, lapseRates, logLikelihood, iterations, converged };
}

/** Sums attentive weight (all of it when `attentive` is null) into per-pair totals. */
function accumulateAttentive(
  cells: JudgementCells,
  totals: PairTotals,
  attentive: Float64Array | null,
): void {
  totals.winsOfFirst.fill(0);
  totals.total.fill(0);
  for (let c = 0; c < cells.weight.length; c++) {
    const weight = cells.weight[c]! * (attentive ? attentive[c]! : 1);
    const pair = cells.pair[c]!;
    totals.total[pair] = totals.total[pair]! + weight;
    if (cells.winner[c] === cells.pairFirst[pair])
      totals.winsOfFirst[pair] = totals.winsOfFirst[pair]! + weight;
  }
}

/** Distinct (winner, loser, annotator) cells; a tie becomes half a judgement each way. */
function collectJudgements(comparisons: Iterable<JudgedComparison>): {
  items: readonly string[];
  annotators: readonly string[];
  cells: JudgementCells;
} {
  const raw = new Map<
    string,
    { winner: string; loser: string; annotator: string; weight: number }
  >();
  const add = (winner: string, loser: string, annotator: string, weight: number): void => {
    const key = JSON.stringify([winner, loser, annotator]);
    const cell = raw.get(key);
    if (cell) cell.weight += weight;
    else raw.set(key, { winner, loser, annotator, weight });
  };
  for (const { left, right, outcome, annotator = '' } of comparisons) {
    if (left === right) throw new RangeError(`an item cannot be compared with itself ("${left}")`);
    if (outcome === 'left') add(left, right, annotator, 1);
    else if (outcome === 'right') add(right, left, annotator, 1);
    else if (outcome === 'tie') {
      add(left, right, annotator, 0.5);
      add(right, left, annotator, 0.5);
    } else throw new RangeError(`unknown outcome "${String(outcome)}"`);
  }
  const list = [...raw.values()];
  const items = [...new Set(list.flatMap((cell) => [cell.winner, cell.loser]))].sort(compareIds);
  const annotators = [...new Set(list.map((cell) => cell.annotator))].sort(compareIds);
  const itemIndex = new Map(items.map((item, index) => [item, index]));
  const annotatorIndex = new Map(annotators.map((annotator, index) => [annotator, index]));
  const cells = list
    .map((cell) => ({
      winner: itemIndex.get(cell.winner)!,
      loser: itemIndex.get(cell.loser)!,
      annotator: annotatorIndex.get(cell.annotator)!,
      weight: cell.weight,
    }))
    .sort((a, b) => a.winner - b.winner || a.loser - b.loser || a.annotator - b.annotator);
  const pairIndex = new Map<number, number>();
  const pairFirst: number[] = [];
  const pairSecond: number[] = [];
  const pair = Int32Array.from(cells, (cell) => {
    const low = Math.min(cell.winner, cell.loser);
    const high = Math.max(cell.winner, cell.loser);
    const key = low * items.length + high;
    let index = pairIndex.get(key);
    if (index === undefined) {
      index = pairFirst.length;
      pairIndex.set(key, index);
      pairFirst.push(low);
      pairSecond.push(high);
    }
    return index;
  });
  return {
    items,
    annotators,
    cells: {
      winner: Int32Array.from(cells, (cell) => cell.winner),
      loser: Int32Array.from(cells, (cell) => cell.loser),
      annotator: Int32Array.from(cells, (cell) => cell.annotator),
      weight: Float64Array.from(cells, (cell) => cell.weight),
      pair,
      pairFirst: Int32Array.from(pairFirst),
      pairSecond: Int32Array.from(pairSecond),
    },
  };
}
