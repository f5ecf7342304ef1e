export {
  type RatingValue,
  type MaybeRating,
  type KappaWeights,
  type CohenKappaOptions,
  type KappaResult,
  cohenKappa,
  cohenKappaFromTable,
} from './cohen';
export { type FleissKappaResult, fleissKappa, fleissKappaFromRatings } from './fleiss';
export {
  type AlphaMetric,
  type KrippendorffOptions,
  type KrippendorffResult,
  krippendorffAlpha,
} from './krippendorff';
export {
  type CornerBox,
  type BoxMatching,
  type BoxMatchOptions,
  type BoxPair,
  type BoxAgreement,
  cornerBoxIoU,
  matchBoxes,
  boxAgreement,
} from './boxes';
export {
  type LabeledSpan,
  type SpanMatching,
  type SpanOptions,
  type SpanScore,
  spanSetF1,
  spanAgreement,
} from './spans';
export { maximumWeightAssignment } from './assignment';
