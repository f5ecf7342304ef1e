import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  graphemeBoundaries,
  segmentText,
  snapToGraphemes,
  toCodePoint,
  toUtf16,
} from './text-offsets';

describe('text offsets', () => {
  it('counts an emoji as one code point and converts both ways', () => {
    const text = 'a😀b';
    expect(toCodePoint(text, 3)).toBe(2);
    expect(toUtf16(text, 2)).toBe(3);
    expect(Array.from(text).slice(2).join('')).toBe('b');
  });

  it('round-trips every code point boundary of any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const points = Array.from(text).length;
        for (let point = 0; point <= points; point++)
          expect(toCodePoint(text, toUtf16(text, point))).toBe(point);
      }),
    );
  });

  it('widens a selection to whole graphemes: combining marks and emoji sequences', () => {
    const text = 'cafe\u0301 👨‍👩‍👧 ok';
    const bounds = graphemeBoundaries(text);
    // A selection ending between "e" and its accent takes the accent too.
    expect(snapToGraphemes(bounds, 0, 4)).toEqual([0, 5]);
    // One unit into the family emoji takes the whole sequence.
    const family = text.indexOf('👨');
    const [from, to] = snapToGraphemes(bounds, family + 1, family + 2);
    expect(text.slice(from, to)).toBe('👨‍👩‍👧');
  });

  it('cuts the text at span edges with the spans covering each piece', () => {
    const text = 'שלום 😀 world';
    const pieces = segmentText(text, [
      { key: 'a', start: 0, end: 4, label: 'X' },
      { key: 'b', start: 2, end: 6, label: 'Y' },
    ]);
    expect(pieces.map((piece) => [text.slice(piece.from, piece.to), piece.covering])).toEqual([
      ['של', ['a']],
      ['ום', ['a', 'b']],
      [' 😀', ['b']],
      [' world', []],
    ]);
  });
});
