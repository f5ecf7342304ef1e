import { spanSetF1, type LabeledSpan } from '../agreement/spans';

/** One annotator's spans over one text (possibly none: "no entity here"). */
export interface SpanAnnotation {
  annotator: string;
  spans: readonly LabeledSpan[];
}

/** One span of the consensus. */
export interface ConsensusSpan {
  start: number;
  end: number;
  label: string;
  /** Largest weighted share of annotators marking any one of its characters with its label. */
  support: number;
  /** Mean over its characters of that share. */
  confidence: number;
}

export interface SpanConsensusOptions {
  /** A character is in the consensus for a label when its weighted share is above this. 0.5. */
  threshold?: number;
  /** Weight of each annotator, >= 0 (default 1 each). */
  reliability?: ReadonlyMap<string, number>;
}

/** Throws a RangeError naming the annotator and span when a span is outside the text. */
function checkSpans(annotations: readonly SpanAnnotation[], textLength: number): void {
  if (!(Number.isInteger(textLength) && textLength >= 0))
    throw new RangeError(`textLength must be a whole number >= 0, not ${textLength}`);
  for (const { annotator, spans } of annotations) {
    spans.forEach((span, index) => {
      const ok =
        Number.isInteger(span.start) &&
        Number.isInteger(span.end) &&
        span.start >= 0 &&
        span.start < span.end &&
        span.end <= textLength;
      if (!ok)
        throw new RangeError(
          `annotator "${annotator}", span ${index}: [${span.start}, ${span.end}) is not a ` +
            `non-empty range of whole characters within 0..${textLength}`,
        );
    });
  }
}

/**
 * NER span consensus at character level: for each label and character, the weighted share of
 * annotators who marked that character with that label (an annotator who marked nothing there
 * counts against it; overlapping spans of one annotator count once). Characters whose share is
 * above `threshold` (default: more than half the weight) are in the consensus; each run of them
 * becomes a span. Overlapping spans of different labels are decided label by label. Order-free:
 * neither the order of annotators nor of their spans matters. Spans come sorted by start, end and
 * label.
 */
export function spanConsensus(
  annotations: readonly SpanAnnotation[],
  textLength: number,
  options: SpanConsensusOptions = {},
): ConsensusSpan[] {
  checkSpans(annotations, textLength);
  const threshold = options.threshold ?? 0.5;
  const weightOf = (annotator: string) => {
    const weight = options.reliability?.get(annotator) ?? 1;
    if (!(weight >= 0)) throw new RangeError(`reliability of "${annotator}" must be >= 0`);
    return weight;
  };
  const total = annotations.reduce((sum, { annotator }) => sum + weightOf(annotator), 0);
  if (total === 0 || textLength === 0) return [];
  const labels = [
    ...new Set(annotations.flatMap(({ spans }) => spans.map((s) => s.label ?? ''))),
  ].sort();
  const result: ConsensusSpan[] = [];
  const share = new Float64Array(textLength);
  const marked = new Uint8Array(textLength);
  for (const label of labels) {
    share.fill(0);
    for (const { annotator, spans } of annotations) {
      marked.fill(0);
      for (const span of spans)
        if ((span.label ?? '') === label) marked.fill(1, span.start, span.end);
      const weight = weightOf(annotator) / total;
      for (let c = 0; c < textLength; c++) if (marked[c]) share[c]! += weight;
    }
    for (let c = 0; c < textLength;) {
      if (!(share[c]! > threshold + 1e-12)) {
        c++;
        continue;
      }
      const start = c;
      let sum = 0;
      let support = 0;
      while (c < textLength && share[c]! > threshold + 1e-12) {
        sum += share[c]!;
        support = Math.max(support, share[c]!);
        c++;
      }
      result.push({ start, end: c, label, support, confidence: sum / (c - start) });
    }
  }
  return result.sort(
    (a, b) =>
      a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
  );
}

/** What spanReliability returns. */
export interface SpanReliability {
  consensus: ConsensusSpan[];
  /** Per annotator, their exact-span F1 against the final consensus. */
  reliability: Map<string, number>;
  rounds: number;
}

/**
 * Consensus and annotator reliability together: start with equal weights, take the consensus,
 * weigh each annotator by their exact-span F1 against it, and repeat until the consensus stops
 * changing (at most `rounds`, default 5).
 */
export function spanReliability(
  annotations: readonly SpanAnnotation[],
  textLength: number,
  options: { threshold?: number; rounds?: number } = {},
): SpanReliability {
  const maxRounds = options.rounds ?? 5;
  let reliability = new Map(annotations.map(({ annotator }) => [annotator, 1]));
  let consensus = spanConsensus(annotations, textLength, { ...options, reliability });
  let rounds = 1;
  const f1Against = (spans: readonly LabeledSpan[]) =>
    new Map(annotations.map(({ annotator, spans: own }) => [annotator, spanSetF1(own, spans).f1]));
  while (rounds < maxRounds) {
    const weights = f1Against(consensus);
    // Everyone scoring 0 would leave no weight at all: keep the previous weights then.
    if ([...weights.values()].every((w) => w === 0)) break;
    const next = spanConsensus(annotations, textLength, { ...options, reliability: weights });
    rounds++;
    reliability = weights;
    const same =
      next.length === consensus.length &&
      next.every(
        (s, i) =>
          s.start === consensus[i]!.start &&
          s.end === consensus[i]!.end &&
          s.label === consensus[i]!.label,
      );
    consensus = next;
    if (same) break;
  }
  return { consensus, reliability: f1Against(consensus), rounds };
}
