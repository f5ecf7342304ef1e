/**
 * Offsets in a document: the API counts Unicode code points (an emoji is one), the DOM counts
 * UTF-16 units. Spans are also kept to whole grapheme clusters (a letter with its combining
 * marks, an emoji sequence), so a selection never splits what a reader sees as one character.
 */

/** Code points in `text` before the UTF-16 index. */
export function toCodePoint(text: string, utf16: number): number {
  let points = 0;
  for (let i = 0; i < utf16 && i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point: count it at its first unit.
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const previous = text.charCodeAt(i - 1);
      if (previous >= 0xd800 && previous <= 0xdbff) continue;
    }
    points++;
  }
  return points;
}

/** The UTF-16 index of the code point offset. */
export function toUtf16(text: string, codePoint: number): number {
  let index = 0;
  for (let point = 0; point < codePoint && index < text.length; point++) {
    const unit = text.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length ? 2 : 1;
  }
  return index;
}

/** UTF-16 indexes where grapheme clusters start, and the text's length. */
export function graphemeBoundaries(text: string): number[] {
  const bounds: number[] = [];
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { index } of segmenter.segment(text)) bounds.push(index);
  bounds.push(text.length);
  return bounds;
}

/** Widens a UTF-16 range to whole grapheme clusters (binary search over the boundaries). */
export function snapToGraphemes(
  bounds: readonly number[],
  start: number,
  end: number,
): [number, number] {
  const floor = (value: number) => {
    let low = 0;
    let high = bounds.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (bounds[mid]! <= value) low = mid;
      else high = mid - 1;
    }
    return bounds[low]!;
  };
  const ceil = (value: number) => {
    let low = 0;
    let high = bounds.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (bounds[mid]! >= value) high = mid;
      else low = mid + 1;
    }
    return bounds[low]!;
  };
  return [floor(start), ceil(end)];
}

export interface Span {
  start: number;
  end: number;
  label: string;
}

/**
 * The document cut at every span edge: each piece lists the spans covering it (overlaps allowed),
 * in UTF-16 units for rendering. O((n + s) log s).
 */
export function segmentText(
  text: string,
  spans: ReadonlyArray<Span & { key: string }>,
): Array<{ from: number; to: number; covering: string[] }> {
  const inUnits = spans.map((span) => ({
    key: span.key,
    from: toUtf16Cached(text, span.start),
    to: toUtf16Cached(text, span.end),
  }));
  const cuts = new Set<number>([0, text.length]);
  for (const span of inUnits) cuts.add(span.from).add(span.to);
  const sorted = [...cuts].filter((cut) => cut >= 0 && cut <= text.length).sort((a, b) => a - b);
  const starts = new Map<number, string[]>();
  const ends = new Map<number, string[]>();
  for (const span of inUnits) {
    starts.set(span.from, [...(starts.get(span.from) ?? []), span.key]);
    ends.set(span.to, [...(ends.get(span.to) ?? []), span.key]);
  }
  const open = new Set<string>();
  const pieces: Array<{ from: number; to: number; covering: string[] }> = [];
  for (let i = 0; i < sorted.length - 1; i++) {
    const from = sorted[i]!;
    for (const key of ends.get(from) ?? []) open.delete(key);
    for (const key of starts.get(from) ?? []) open.add(key);
    pieces.push({ from, to: sorted[i + 1]!, covering: [...open] });
  }
  return pieces;
}

/** The UTF-16 index of every code point offset of a text (and of its end): one pass. */
export function utf16Table(text: string): Uint32Array {
  const units = new Uint32Array(Array.from(text).length + 1);
  let point = 0;
  for (let i = 0; i < text.length; point++) {
    units[point] = i;
    const unit = text.charCodeAt(i);
    i += unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  units[point] = text.length;
  return units;
}

/** Code point → UTF-16 for one document, the table made once per text. */
let cache: { text: string; units: Uint32Array } | undefined;
export function toUtf16Cached(text: string, codePoint: number): number {
  if (cache?.text !== text) cache = { text, units: utf16Table(text) };
  return cache.units[Math.min(codePoint, cache.units.length - 1)]!;
}
