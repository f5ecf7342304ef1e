/** A labelled stretch of text: character offsets, `start` inclusive, `end` exclusive. */
export interface LabeledSpan {
  start: number;
  end: number;
  label?: string;
}

/**
 * How spans are compared. `exact`: a span counts only if another has the same start, end and
 * label (the usual entity-level F1). `characters`: credit per character, so partial overlaps with
 * the same label count in proportion.
 */
export type SpanMatching = 'exact' | 'characters';

/** Options for span F1. */
export interface SpanOptions {
  /** Default `exact`. */
  matching?: SpanMatching;
}

/** Precision of `predicted` against `reference`, recall, and their harmonic mean. */
export interface SpanScore {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * F1 of one set of spans against another; symmetric in the two sets, so it serves both as gold
 * scoring and as pairwise agreement. Two empty sets score 1.
 */
export function spanSetF1(
  predicted: readonly LabeledSpan[],
  reference: readonly LabeledSpan[],
  options: SpanOptions = {},
): SpanScore {
  for (const span of [...predicted, ...reference]) {
    if (!(Number.isFinite(span.start) && Number.isFinite(span.end) && span.start <= span.end))
      throw new RangeError(`invalid span [${span.start}, ${span.end})`);
  }
  const [matched, predictedSize, referenceSize] =
    (options.matching ?? 'exact') === 'exact'
      ? exactOverlap(predicted, reference)
      : characterOverlap(predicted, reference);
  return score(matched, predictedSize, referenceSize);
}

function score(matched: number, predictedSize: number, referenceSize: number): SpanScore {
  if (predictedSize === 0 && referenceSize === 0) return { precision: 1, recall: 1, f1: 1 };
  const precision = predictedSize === 0 ? 0 : matched / predictedSize;
  const recall = referenceSize === 0 ? 0 : matched / referenceSize;
  return { precision, recall, f1: (2 * matched) / (predictedSize + referenceSize) };
}

function spanKey(span: LabeledSpan): string {
  return JSON.stringify([span.start, span.end, span.label ?? null]);
}

/** Matches identical spans as multisets: [matched, |predicted|, |reference|]. */
function exactOverlap(
  predicted: readonly LabeledSpan[],
  reference: readonly LabeledSpan[],
): [number, number, number] {
  const available = new Map<string, number>();
  for (const span of reference)
    available.set(spanKey(span), (available.get(spanKey(span)) ?? 0) + 1);
  let matched = 0;
  for (const span of predicted) {
    const key = spanKey(span);
    const left = available.get(key) ?? 0;
    if (left > 0) {
      matched++;
      available.set(key, left - 1);
    }
  }
  return [matched, predicted.length, reference.length];
}

/** Characters covered per label (overlaps within a set counted once): [shared, |p|, |r|]. */
function characterOverlap(
  predicted: readonly LabeledSpan[],
  reference: readonly LabeledSpan[],
): [number, number, number] {
  const labels = new Set([...predicted, ...reference].map((span) => span.label ?? null));
  let shared = 0;
  let predictedSize = 0;
  let referenceSize = 0;
  for (const label of labels) {
    const p = mergeIntervals(predicted.filter((span) => (span.label ?? null) === label));
    const r = mergeIntervals(reference.filter((span) => (span.label ?? null) === label));
    predictedSize += coverage(p);
    referenceSize += coverage(r);
    let i = 0;
    let j = 0;
    while (i < p.length && j < r.length) {
      const [ps, pe] = p[i]!;
      const [rs, re] = r[j]!;
      shared += Math.max(0, Math.min(pe, re) - Math.max(ps, rs));
      if (pe < re) i++;
      else j++;
    }
  }
  return [shared, predictedSize, referenceSize];
}

function mergeIntervals(spans: readonly LabeledSpan[]): [number, number][] {
  const sorted = spans
    .filter((span) => span.end > span.start)
    .map((span): [number, number] => [span.start, span.end])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && interval[0] <= last[1]) last[1] = Math.max(last[1], interval[1]);
    else merged.push(interval);
  }
  return merged;
}

function coverage(intervals: readonly [number, number][]): number {
  return intervals.reduce((sum, [start, end]) => sum + end - start, 0);
}

/** Span agreement of two or more raters on one text: the mean of pairwise span F1. */
export function spanAgreement(
  raters: readonly (readonly LabeledSpan[])[],
  options: SpanOptions = {},
): number {
  if (raters.length < 2) throw new RangeError('agreement needs at least two raters');
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < raters.length; a++)
    for (let b = a + 1; b < raters.length; b++) {
      sum += spanSetF1(raters[a]!, raters[b]!, options).f1;
      pairs++;
    }
  return sum / pairs;
}
