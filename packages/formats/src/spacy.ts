import { FormatError, type FormatLocation } from './errors';
import { flatSpans, type NerDocument, type OverlapPolicy, type Span } from './spans';
import { codePointCount } from './tokenize';

/**
 * spaCy's document JSON (`Doc.to_json()` / `Doc.from_json()`), reduced to what NER needs.
 * `start` and `end` are Python string indexes, i.e. Unicode code points, the unit Quorum's NER
 * offsets use too, so they are copied unchanged (a JavaScript UTF-16 index would be wrong after
 * any emoji).
 */
export interface SpacyDoc {
  text: string;
  ents: Span[];
}

/** A document as spaCy JSON; spaCy's `ents` cannot overlap, so overlaps follow `overlaps`. */
export function toSpacyDoc(
  document: NerDocument,
  options: { overlaps?: OverlapPolicy } = {},
): SpacyDoc {
  const { spans } = flatSpans(document, options.overlaps);
  return {
    text: document.text,
    ents: spans.map(({ start, end, label }) => ({ start, end, label })),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads one spaCy document (other keys such as `tokens` are ignored): every entity needs whole
 * code-point offsets inside the text, `start` before `end`, and a label.
 */
export function fromSpacyDoc(
  value: unknown,
  location: FormatLocation = {},
): { text: string; annotations: Array<Span & { text: string }> } {
  const fail = (message: string) => new FormatError(message, location);
  if (!isObject(value) || typeof value.text !== 'string')
    throw fail('a spaCy document needs a "text" string');
  const ents = value.ents ?? [];
  if (!Array.isArray(ents)) throw fail('"ents" must be an array');
  const text = value.text;
  const length = codePointCount(text);
  const points = ents.length > 0 ? Array.from(text) : [];
  const annotations = ents.map((ent, index) => {
    if (!isObject(ent)) throw fail(`ents.${index} must be an object`);
    const { start, end, label } = ent;
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      (start as number) < 0 ||
      (end as number) > length ||
      (start as number) >= (end as number)
    )
      throw fail(
        `ents.${index}: start and end must be whole code-point offsets with 0 <= start < end <= ${length}`,
      );
    if (typeof label !== 'string' || label.trim() === '')
      throw fail(`ents.${index}: label must be a non-empty string`);
    return {
      start: start as number,
      end: end as number,
      label,
      text: points.slice(start as number, end as number).join(''),
    };
  });
  return { text, annotations };
}
