export {
  AnswerSetBuilder,
  encodeAnswers,
  encodeGold,
  indexByItem,
  validateAnswerSet,
  type Answer,
  type AnswerSet,
  type AnswerSetOptions,
  type EncodedGold,
} from './answers';
export {
  chooseLabels,
  compareLabels,
  type IterativeOptions,
  type TruthEstimate,
  type TruthMethod,
  type TruthOptions,
} from './estimate';
export { majorityVote, wawa, type VoteOptions } from './vote';
export {
  DAWID_SKENE_DEFAULTS,
  dawidSkene,
  hybridDawidSkene,
  oneCoinDawidSkene,
  type DawidSkeneEstimate,
  type DawidSkeneOptions,
} from './dawid-skene';
export { GLAD_DEFAULTS, glad, type GladEstimate, type GladOptions } from './glad';
export { MACE_DEFAULTS, mace, type MaceEstimate, type MaceOptions } from './mace';
export {
  inferMultiLabel,
  type MultiLabelAnswer,
  type MultiLabelEstimate,
  type MultiLabelItem,
} from './multi-label';
export {
  replayAdaptive,
  shouldAsk,
  type AdaptivePolicy,
  type AdaptiveReplay,
  type ReplayOptions,
} from './adaptive';

export { DEFAULT_TRUTH_METHOD, TRUTH_METHODS, inferTruth, isTruthMethod } from './infer';
