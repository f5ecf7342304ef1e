import { countLabels, indexByItem, type AnswerSet, type ItemIndex } from './answers';

/** The categorical truth-inference methods. */
export type TruthMethod = 'mv' | 'wawa' | 'ds' | 'onecoin' | 'glad' | 'mace' | 'hybrid';

/** What every method returns: per-item posteriors and labels, per-worker reliability. */
export interface TruthEstimate {
  readonly method: TruthMethod;
  /** The answer set's dictionaries, so indices below can be read back as ids. */
  readonly items: readonly string[];
  readonly workers: readonly string[];
  readonly labels: readonly string[];
  /** Items × labels, row-major: the probability of each label being the item's true label. */
  readonly posterior: Float64Array;
  /**
   * Per item, the chosen label's index: the most probable one, ties broken by TIE RULE (see
   * chooseLabels). -1 for an item with neither answers nor gold: its posterior row is the class
   * prior, which is a belief, not an inference from evidence.
   */
  readonly label: Int32Array;
  /** Per item, the posterior probability of the chosen label (0 where `label` is -1). */
  readonly confidence: Float64Array;
  /**
   * Per worker, the estimated probability that an answer of theirs is correct, in the method's own
   * model (agreement with the vote for mv and wawa; see each method).
   */
  readonly reliability: Float64Array;
  /** The class prior the posteriors were computed with. */
  readonly prior: Float64Array;
  /** EM iterations run (1 for the single-pass votes). */
  readonly iterations: number;
  /** Whether the convergence test passed before the iteration limit. */
  readonly converged: boolean;
  /** Final value of the method's objective (NaN for the votes); for diagnostics. */
  readonly objective: number;
}

/** Options shared by every method. */
export interface TruthOptions {
  /**
   * Known true labels per item (label index, -1 unknown), e.g. from encodeGold. Clamped: those
   * items' posteriors are fixed to their gold label throughout, so they also teach the model about
   * the workers who answered them (semi-supervised inference).
   */
  gold?: Int32Array;
}

/** Options of the iterative methods. */
export interface IterativeOptions extends TruthOptions {
  /** EM iterations at most. */
  maxIterations?: number;
  /**
   * Absolute convergence test: stop when the objective (log-likelihood per answer) changes by
   * less than this between iterations, whatever its sign, and no posterior probability moved by
   * more than 0.01 (Dawid-Skene family; GLAD and MACE: √tolerance). Never stops merely because the
   * objective dipped.
   */
  tolerance?: number;
}

/** Probabilities closer than this are a tie. */
const TIE_TOLERANCE = 1e-12;

/**
 * TIE RULE. The chosen label is the most probable one. When several are equally probable (within
 * 1e-12), the one that comes first in the tie order wins: the classes declared up front (see
 * AnswerSetOptions.labels, e.g. a project's category list) in their declared order, then every
 * other class in natural order — numbers by value ("2" before "10"), then other labels by code
 * point. The rule never depends on the order of items, workers or answers.
 */
export function chooseLabels(
  posterior: Float64Array,
  tieRank: Int32Array,
  hasEvidence: Uint8Array,
): { label: Int32Array; confidence: Float64Array } {
  const labelCount = tieRank.length;
  const itemCount = hasEvidence.length;
  const label = new Int32Array(itemCount).fill(-1);
  const confidence = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    if (!hasEvidence[i]) continue;
    const row = i * labelCount;
    let best = 0;
    let bestP = posterior[row]!;
    for (let k = 1; k < labelCount; k++) {
      const p = posterior[row + k]!;
      const difference = p - bestP;
      if (
        difference > TIE_TOLERANCE ||
        (difference >= -TIE_TOLERANCE && tieRank[k]! < tieRank[best]!)
      ) {
        best = k;
        bestP = Math.max(p, bestP);
      }
    }
    label[i] = best;
    confidence[i] = posterior[row + best]!;
  }
  return { label, confidence };
}

/** Natural order of labels: numbers by value first, then other text by code point. */
export function compareLabels(a: string, b: string): number {
  const x = a.trim() === '' ? NaN : Number(a);
  const y = b.trim() === '' ? NaN : Number(b);
  const xNumber = Number.isFinite(x);
  const yNumber = Number.isFinite(y);
  if (xNumber && yNumber && x !== y) return x - y;
  if (xNumber !== yNumber) return xNumber ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Each label's place in the tie order of chooseLabels (0 wins every tie). */
export function tieRanks(answers: AnswerSet): Int32Array {
  const declared = answers.declaredLabels ?? 0;
  const rest = answers.labels
    .map((label, k) => ({ label, k }))
    .slice(declared)
    .sort((a, b) => compareLabels(a.label, b.label));
  const rank = new Int32Array(answers.labels.length);
  for (let k = 0; k < declared; k++) rank[k] = k;
  rest.forEach(({ k }, position) => (rank[k] = declared + position));
  return rank;
}

/** What the methods share about an answer set, computed once per run. */
export interface Prepared {
  answers: AnswerSet;
  /** The answers grouped by item, built on first use (the votes do not need it). */
  readonly byItem: ItemIndex;
  labelTotals: Float64Array;
  /** Each label's place in the tie order (see chooseLabels). */
  tieRank: Int32Array;
  /** 1 for items with answers or gold. */
  hasEvidence: Uint8Array;
  /** Gold label per item, or -1 (all -1 without gold). */
  gold: Int32Array;
  hasGold: boolean;
}

export function prepare(answers: AnswerSet, options: TruthOptions = {}): Prepared {
  const itemCount = answers.items.length;
  const labelCount = answers.labels.length;
  let gold = options.gold;
  if (gold && gold.length !== itemCount)
    throw new RangeError(`gold has ${gold.length} entries for ${itemCount} items`);
  const hasEvidence = new Uint8Array(itemCount);
  const { item } = answers;
  for (let a = 0; a < item.length; a++) hasEvidence[item[a]!] = 1;
  let hasGold = false;
  if (gold) {
    for (let i = 0; i < itemCount; i++) {
      const g = gold[i]!;
      if (g < -1 || g >= labelCount)
        throw new RangeError(`gold label index ${g} of item ${i} is outside -1..${labelCount - 1}`);
      if (g >= 0) ((hasEvidence[i] = 1), (hasGold = true));
    }
  } else gold = new Int32Array(itemCount).fill(-1);
  const labelTotals = countLabels(answers);
  let byItem: ItemIndex | undefined;
  return {
    answers,
    get byItem() {
      return (byItem ??= indexByItem(answers));
    },
    labelTotals,
    tieRank: tieRanks(answers),
    hasEvidence,
    gold,
    hasGold,
  };
}

/** Sets the rows of gold items to certainty in their gold label. */
export function clampGold(posterior: Float64Array, prepared: Prepared): void {
  if (!prepared.hasGold) return;
  const labelCount = prepared.answers.labels.length;
  const { gold } = prepared;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    if (g < 0) continue;
    posterior.fill(0, i * labelCount, (i + 1) * labelCount);
    posterior[i * labelCount + g] = 1;
  }
}

/** Gives items without evidence the prior as their posterior row. */
export function fillUnanswered(
  posterior: Float64Array,
  prior: Float64Array,
  prepared: Prepared,
): void {
  const labelCount = prior.length;
  const { hasEvidence } = prepared;
  for (let i = 0; i < hasEvidence.length; i++)
    if (!hasEvidence[i]) posterior.set(prior, i * labelCount);
}

/** The estimate's common fields from posteriors. */
export function finish(
  prepared: Prepared,
  fields: {
    method: TruthMethod;
    posterior: Float64Array;
    prior: Float64Array;
    reliability: Float64Array;
    iterations: number;
    converged: boolean;
    objective: number;
  },
): TruthEstimate {
  fillUnanswered(fields.posterior, fields.prior, prepared);
  const { label, confidence } = chooseLabels(
    fields.posterior,
    prepared.tieRank,
    prepared.hasEvidence,
  );
  const { items, workers, labels } = prepared.answers;
  return { ...fields, items, workers, labels, label, confidence };
}

/** Class shares of the posteriors over items with evidence, plus `smoothing` per class. */
export function classPrior(
  posterior: Float64Array,
  prepared: Prepared,
  smoothing: number,
  into?: Float64Array,
): Float64Array {
  const labelCount = prepared.answers.labels.length;
  const prior = into ?? new Float64Array(labelCount);
  prior.fill(smoothing);
  const { hasEvidence } = prepared;
  for (let i = 0; i < hasEvidence.length; i++) {
    if (!hasEvidence[i]) continue;
    const row = i * labelCount;
    for (let k = 0; k < labelCount; k++) prior[k]! += posterior[row + k]!;
  }
  let total = 0;
  for (let k = 0; k < labelCount; k++) total += prior[k]!;
  if (total > 0) for (let k = 0; k < labelCount; k++) prior[k]! /= total;
  else prior.fill(1 / labelCount);
  return prior;
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsoluteChange(a: Float64Array, b: Float64Array): number {
  let largest = 0;
  for (let x = 0; x < a.length; x++) {
    const change = Math.abs(a[x]! - b[x]!);
    if (change > largest) largest = change;
  }
  return largest;
}
