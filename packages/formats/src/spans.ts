import { FormatError } from './errors';

/** A labelled span of a text in code points, `end` exclusive (Quorum's NER annotations). */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/** A text with its entity spans: an NER task's `text` with a response or pre-labels. */
export interface NerDocument {
  /** Named in errors. */
  id?: string | undefined;
  text: string;
  annotations: readonly Span[];
}

/** What to do with spans that overlap: refuse the document, or keep the earlier (longer) one. */
export type OverlapPolicy = 'error' | 'keep-first';

/**
 * The spans sorted by start (longer first at a tie) with overlaps resolved: formats that tag
 * tokens (CoNLL) or hold `ents` (spaCy) cannot nest entities.
 */
export function flatSpans(
  document: NerDocument,
  policy: OverlapPolicy = 'error',
): { spans: Span[]; dropped: Span[] } {
  const sorted = [...document.annotations].sort((a, b) => a.start - b.start || b.end - a.end);
  const spans: Span[] = [];
  const dropped: Span[] = [];
  for (const span of sorted) {
    const previous = spans[spans.length - 1];
    if (previous && span.start < previous.end) {
      if (policy === 'error')
        throw new FormatError(
          `${document.id === undefined ? 'a document' : `task ${document.id}`}: spans ${previous.start}–${previous.end} (${previous.label}) and ${span.start}–${span.end} (${span.label}) overlap, which this format cannot hold`,
          {},
          'annotations',
        );
      dropped.push(span);
      continue;
    }
    spans.push(span);
  }
  return { spans, dropped };
}
