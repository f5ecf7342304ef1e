import type { AnswerSet } from './answers';
import type { IterativeOptions, TruthEstimate, TruthMethod } from './estimate';
import { inferTruth } from './infer';

/** When to ask for another answer. */
export interface AdaptivePolicy {
  /** Keep asking while the item's posterior confidence is below this (e.g. 0.95). */
  targetConfidence: number;
  /** Answers every item gets before the policy looks at it. Default 2. */
  minAnswers?: number;
  /** Answers an item gets at most. Default: no limit but what the data holds. */
  maxAnswers?: number;
}

export interface ReplayOptions extends IterativeOptions {
  method: TruthMethod;
}

/** The outcome of replaying recorded answers under a policy. */
export interface AdaptiveReplay {
  /** Per answer of the set: 1 when the policy asked for it. */
  used: Uint8Array;
  /** How many answers the policy asked for, and that share of all answers. */
  answersUsed: number;
  share: number;
  /** Rounds of re-estimation. */
  rounds: number;
  /** The estimate from the answers asked for. */
  estimate: TruthEstimate;
}

/**
 * The adaptive-redundancy policy: an item gets another answer only while its posterior confidence
 * is below the target. `shouldAsk` is the rule itself, for live queues.
 */
export function shouldAsk(policy: AdaptivePolicy, answers: number, confidence: number): boolean {
  if (answers < (policy.minAnswers ?? 2)) return true;
  if (policy.maxAnswers !== undefined && answers >= policy.maxAnswers) return false;
  return confidence < policy.targetConfidence;
}

/**
 * Replays recorded answers as if they arrived live under `policy`: each item's answers are taken
 * in the order the set holds them; every item first gets `minAnswers`; then, in rounds, the
 * method re-estimates from everything asked so far and each item still below the target (and
 * with answers left) gets its next answer. Ends when no item asks for more. Measures how many
 * answers the policy would have paid for, and what accuracy they buy.
 */
export function replayAdaptive(
  answers: AnswerSet,
  policy: AdaptivePolicy,
  options: ReplayOptions,
): AdaptiveReplay {
  if (!(policy.targetConfidence > 0 && policy.targetConfidence <= 1))
    throw new RangeError('targetConfidence must be in (0, 1]');
  const itemCount = answers.items.length;
  const n = answers.item.length;
  // Answer positions per item, in recorded order.
  const start = new Int32Array(itemCount + 1);
  for (let a = 0; a < n; a++) start[answers.item[a]! + 1]!++;
  for (let i = 0; i < itemCount; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, itemCount);
  const order = new Int32Array(n);
  for (let a = 0; a < n; a++) order[fill[answers.item[a]!]!++] = a;

  const taken = new Int32Array(itemCount);
  const used = new Uint8Array(n);
  const minimum = policy.minAnswers ?? 2;
  for (let i = 0; i < itemCount; i++) {
    const available = start[i + 1]! - start[i]!;
    taken[i] = Math.min(available, minimum);
  }
  const { method, ...methodOptions } = options;
  let rounds = 0;
  for (;;) {
    rounds++;
    const estimate = inferTruth(subset(answers, start, order, taken, used), method, methodOptions);
    let asked = 0;
    for (let i = 0; i < itemCount; i++) {
      const available = start[i + 1]! - start[i]!;
      if (taken[i]! >= available) continue;
      if (!shouldAsk(policy, taken[i]!, estimate.confidence[i]!)) continue;
      taken[i]!++;
      asked++;
    }
    if (asked === 0) {
      const answersUsed = used.reduce((sum, u) => sum + u, 0);
      return { used, answersUsed, share: n > 0 ? answersUsed / n : 0, rounds, estimate };
    }
  }
}

/** The answer set restricted to each item's first `taken` answers; marks them in `used`. */
function subset(
  answers: AnswerSet,
  start: Int32Array,
  order: Int32Array,
  taken: Int32Array,
  used: Uint8Array,
): AnswerSet {
  used.fill(0);
  let size = 0;
  for (let i = 0; i < taken.length; i++) {
    for (let x = start[i]!; x < start[i]! + taken[i]!; x++) used[order[x]!] = 1;
    size += taken[i]!;
  }
  const item = new Int32Array(size);
  const worker = new Int32Array(size);
  const label = new Int32Array(size);
  let k = 0;
  for (let a = 0; a < used.length; a++) {
    if (!used[a]) continue;
    item[k] = answers.item[a]!;
    worker[k] = answers.worker[a]!;
    label[k] = answers.label[a]!;
    k++;
  }
  return { ...answers, item, worker, label };
}
