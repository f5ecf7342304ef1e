import type { AnswerSet } from './answers';
import {
  chooseLabels,
  clampGold,
  finish,
  prepare,
  type Prepared,
  type TruthEstimate,
  type TruthOptions,
} from './estimate';

/** Options of majorityVote. */
export interface VoteOptions extends TruthOptions {
  /** Weight of each worker's answers (default 1 each); negative weights are refused. */
  weights?: Float64Array;
}

/**
 * Majority vote: each answer is one vote (repeats included), optionally weighted by its worker.
 * Posteriors are vote shares. Ties go by the TIE RULE of chooseLabels: declared classes in their
 * order, then natural order ("2" before "10"). Reliability is the share of a worker's
 * answers that agree with the chosen labels.
 */
export function majorityVote(answers: AnswerSet, options: VoteOptions = {}): TruthEstimate {
  const prepared = prepare(answers, options);
  const posterior = voteShares(prepared, options.weights);
  return finishVote(prepared, posterior, 'mv');
}

/**
 * Wawa (worker agreement with aggregate): a majority vote, then each worker's weight is their
 * share of answers agreeing with it, then a second vote with those weights. Reliability is that
 * agreement share.
 */
export function wawa(answers: AnswerSet, options: TruthOptions = {}): TruthEstimate {
  const prepared = prepare(answers, options);
  const first = voteShares(prepared);
  const { label } = chooseLabels(first, prepared.tieRank, prepared.hasEvidence);
  const skills = agreementWithLabels(prepared, label);
  const posterior = voteShares(prepared, skills);
  return finishVote(prepared, posterior, 'wawa', skills);
}

function finishVote(
  prepared: Prepared,
  posterior: Float64Array,
  method: 'mv' | 'wawa',
  skills?: Float64Array,
): TruthEstimate {
  const { answers, labelTotals } = prepared;
  const answerCount = answers.label.length;
  const prior = labelTotals.map((count) =>
    answerCount === 0 ? 1 / labelTotals.length : count / answerCount,
  );
  const estimate = finish(prepared, {
    method,
    posterior,
    prior,
    reliability: skills ?? new Float64Array(answers.workers.length),
    iterations: 1,
    converged: true,
    objective: NaN,
  });
  // Without given skills, reliability is agreement with the labels just chosen.
  return skills
    ? estimate
    : { ...estimate, reliability: agreementWithLabels(prepared, estimate.label) };
}

/** Per item, the (weighted) share of votes for each label; gold items clamped. */
function voteShares(prepared: Prepared, weights?: Float64Array): Float64Array {
  const { answers } = prepared;
  const labelCount = answers.labels.length;
  if (weights) {
    if (weights.length !== answers.workers.length)
      throw new RangeError(
        `weights has ${weights.length} entries for ${answers.workers.length} workers`,
      );
    for (const weight of weights)
      if (!(weight >= 0)) throw new RangeError('worker weights must be >= 0');
  }
  const itemCount = answers.items.length;
  const posterior = new Float64Array(itemCount * labelCount);
  const totals = new Float64Array(itemCount);
  const { item, worker, label } = answers;
  // One pass in answer order; items are normalised afterwards.
  for (let a = 0; a < item.length; a++) {
    const weight = weights ? weights[worker[a]!]! : 1;
    posterior[item[a]! * labelCount + label[a]!]! += weight;
    totals[item[a]!]! += weight;
  }
  for (let i = 0; i < itemCount; i++) {
    if (totals[i]! > 0 || !prepared.hasEvidence[i]) continue;
    // Every voter has weight 0 (say, workers who never agreed with the first vote): fall back to
    // plain counts rather than inventing a label.
    const { start, order } = prepared.byItem;
    for (let x = start[i]!; x < start[i + 1]!; x++)
      posterior[i * labelCount + label[order[x]!]!]!++;
    totals[i] = start[i + 1]! - start[i]!;
  }
  for (let i = 0; i < itemCount; i++) {
    const total = totals[i]!;
    if (total > 0) for (let k = 0; k < labelCount; k++) posterior[i * labelCount + k]! /= total;
  }
  clampGold(posterior, prepared);
  return posterior;
}

/** Per worker, the share of their answers equal to the item's label (items without one skipped). */
function agreementWithLabels(prepared: Prepared, label: Int32Array): Float64Array {
  const { answers } = prepared;
  const agree = new Float64Array(answers.workers.length);
  const total = new Float64Array(answers.workers.length);
  for (let a = 0; a < answers.label.length; a++) {
    const truth = label[answers.item[a]!]!;
    if (truth < 0) continue;
    const w = answers.worker[a]!;
    total[w]!++;
    if (answers.label[a] === truth) agree[w]!++;
  }
  return agree.map((count, w) => (total[w]! > 0 ? count / total[w]! : 0));
}
