/** A token of a text; `start` and `end` count Unicode code points, `end` exclusive. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

const SPACE = /^\s+$/u;
const PUNCTUATION = /^\p{P}/u;
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

function codePointLength(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index++;
    }
    count++;
  }
  return count;
}

/**
 * Splits text into tokens on whitespace and punctuation: a run of other characters is one token,
 * each punctuation mark is a token of its own. Characters are grapheme clusters, so a combining
 * mark stays with its letter and an emoji sequence is never cut, except at a code point listed in
 * `boundaries` (the ends of entity spans), where a token always ends.
 */
export function tokenize(text: string, boundaries: ReadonlySet<number> = new Set()): Token[] {
  const tokens: Token[] = [];
  let current: Token | undefined;
  let position = 0;
  const close = () => {
    if (current) tokens.push(current);
    current = undefined;
  };
  for (const { segment } of segmenter.segment(text)) {
    // A boundary inside a cluster splits it: offsets must stay exact.
    for (const piece of splitAtBoundaries(segment, position, boundaries).flatMap(
      splitLeadingSpace,
    )) {
      const length = codePointLength(piece);
      if (boundaries.has(position)) close();
      if (SPACE.test(piece)) {
        close();
      } else if (PUNCTUATION.test(piece)) {
        close();
        tokens.push({ text: piece, start: position, end: position + length });
      } else if (current) {
        current.text += piece;
        current.end += length;
      } else {
        current = { text: piece, start: position, end: position + length };
      }
      position += length;
    }
  }
  close();
  return tokens;
}

/** A space followed by a combining mark is one cluster; the space still separates tokens. */
function splitLeadingSpace(piece: string): string[] {
  const match = /^\s+/u.exec(piece);
  if (!match || match[0].length === piece.length) return [piece];
  return [match[0], piece.slice(match[0].length)];
}

function splitAtBoundaries(
  segment: string,
  start: number,
  boundaries: ReadonlySet<number>,
): string[] {
  if (segment.length === 1) return [segment];
  const points = Array.from(segment);
  const pieces: string[] = [];
  let from = 0;
  for (let index = 1; index < points.length; index++) {
    if (boundaries.has(start + index)) {
      pieces.push(points.slice(from, index).join(''));
      from = index;
    }
  }
  pieces.push(points.slice(from).join(''));
  return pieces;
}

/** The number of code points in a text (what Quorum's and spaCy's offsets count). */
export function codePointCount(text: string): number {
  return codePointLength(text);
}
