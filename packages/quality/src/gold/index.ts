export { labelScore, labelAccuracy, multiLabelScore, type MultiLabelMeasure } from './labels';
export { boxSetF1, type BoxSetScore } from './boxes';
export {
  wordErrorRate,
  transcriptWords,
  type WordErrorOptions,
  type WordErrors,
} from './word-error-rate';
export {
  spearmanCorrelation,
  kendallTauB,
  averageRanks,
  rankingCorrelation,
  type RankCorrelation,
} from './rank-correlation';
export { scoreAgainstGold, type GoldAnswers, type GoldKind, type GoldOptions } from './score';
