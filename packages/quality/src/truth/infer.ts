import type { AnswerSet } from './answers';
import { dawidSkene, hybridDawidSkene, oneCoinDawidSkene } from './dawid-skene';
import type { IterativeOptions, TruthEstimate, TruthMethod } from './estimate';
import { glad } from './glad';
import { mace } from './mace';
import { majorityVote, wawa } from './vote';

/** Every categorical method, in the order the CLI and the reports list them. */
export const TRUTH_METHODS: readonly TruthMethod[] = [
  'hybrid',
  'mv',
  'wawa',
  'ds',
  'onecoin',
  'glad',
  'mace',
];

/**
 * The method used when none is chosen: hybrid Dawid-Skene, which on each development dataset was
 * at least as accurate as the best classic method there (see bench/aggregation.ts).
 */
export const DEFAULT_TRUTH_METHOD: TruthMethod = 'hybrid';

/** Whether `name` names a categorical method. */
export function isTruthMethod(name: string): name is TruthMethod {
  return (TRUTH_METHODS as readonly string[]).includes(name);
}

/** Runs one method by name with the options all methods share (gold, iterations, tolerance). */
export function inferTruth(
  answers: AnswerSet,
  method: TruthMethod = DEFAULT_TRUTH_METHOD,
  options: IterativeOptions = {},
): TruthEstimate {
  switch (method) {
    case 'mv':
      return majorityVote(answers, { ...(options.gold ? { gold: options.gold } : {}) });
    case 'wawa':
      return wawa(answers, { ...(options.gold ? { gold: options.gold } : {}) });
    case 'ds':
      return dawidSkene(answers, options);
    case 'onecoin':
      return oneCoinDawidSkene(answers, options);
    case 'hybrid':
      return hybridDawidSkene(answers, options);
    case 'glad':
      return glad(answers, options);
    case 'mace':
      return mace(answers, options);
  }
}
