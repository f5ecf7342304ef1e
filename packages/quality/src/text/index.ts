export {
  type SpanAnnotation,
  type ConsensusSpan,
  type SpanConsensusOptions,
  type SpanReliability,
  spanConsensus,
  spanReliability,
} from './spans';
export {
  type Transcript,
  type RoverWord,
  type RoverResult,
  type RoverOptions,
  characterErrorRate,
  medoidTranscript,
  roverTranscript,
} from './transcripts';
