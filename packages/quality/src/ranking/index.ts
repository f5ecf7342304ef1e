export {
  type Outcome,
  type Comparison,
  type OutcomeTable,
  OutcomeTableBuilder,
  tallyComparisons,
  outcomeName,
} from './outcomes';
export {
  type BradleyTerryOptions,
  type BradleyTerryFit,
  fitBradleyTerry,
  eloRating,
  toEloRatings,
  winProbability,
  normalizedStrengths,
  ELO_SCALE,
  ELO_BASE_RATING,
} from './bradley-terry';
export {
  type BootstrapOptions,
  type BradleyTerryIntervals,
  bootstrapBradleyTerry,
  rankByIntervals,
} from './bootstrap';
export {
  type JudgedComparison,
  type NoisyBradleyTerryOptions,
  type NoisyBradleyTerryFit,
  fitNoisyBradleyTerry,
} from './noisy-bradley-terry';
export {
  type Ballot,
  type BordaResult,
  type LockedPair,
  type RankedPairsResult,
  bordaCount,
  tidemanRankedPairs,
} from './aggregation';
export { type Random, seededRandom, sampleBinomial, resampleCounts } from './random';
export {
  type Battle,
  type LeaderboardOptions,
  type LeaderboardRow,
  battlesPerItem,
  leaderboard,
  onlineElo,
  winRateMatrix,
} from './leaderboard';
export {
  type ContextualComparisons,
  type ContextualFit,
  fitContextualBradleyTerry,
} from './contextual-bradley-terry';
export {
  type ResponseStyle,
  type StyleCovariate,
  STYLE_COVARIATES,
  normalizedDifference,
  responseStyle,
} from './style-features';
export {
  type StyledComparisons,
  type StyleControlIntervals,
  type StyleControlOptions,
  type StyleCoefficientRow,
  type StyleControlledLeaderboard,
  StyledComparisonBuilder,
  bootstrapStyleControl,
  styleControlledLeaderboard,
} from './style-control';
