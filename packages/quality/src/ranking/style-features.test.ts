import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizedDifference, responseStyle } from './style-features';

describe('responseStyle', () => {
  it('counts tokens, headers, list items and bold spans of a markdown answer', () => {
    const answer = [
      '# Plan',
      '',
      'Here is **the short version** and __the long one__.',
      '',
      '## Steps',
      '1. Boil water',
      '2. Add **salt**',
      '   - a pinch',
      '* stir',
      '+ taste',
      '###### Notes',
    ].join('\n');
    expect(responseStyle(answer)).toEqual({ length: 28, headers: 3, lists: 5, bold: 3 });
  });

  it('does not mistake look-alikes for markdown', () => {
    const text = [
      '#hashtag is not a header, nor is ####### seven',
      '1.5 million people, -5 degrees, *emphasis* and ** loose stars',
      '2.not a list item',
      'a __b',
      'c__',
    ].join('\n');
    expect(responseStyle(text)).toMatchObject({ headers: 0, lists: 0, bold: 0 });
  });

  it('ignores markdown inside fenced code but counts its tokens in the length', () => {
    const text = 'Try:\n```python\n# a comment\n- not a list\nx = "**not bold**"\n```\n- done';
    expect(responseStyle(text)).toEqual({ length: 16, headers: 0, lists: 1, bold: 0 });
    // An unclosed fence runs to the end, as a renderer would show it.
    expect(responseStyle('```\n# code\n')).toMatchObject({ headers: 0 });
  });

  it('measures the length in whitespace-separated tokens, and plain words only add to it', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii' }),
        fc.array(fc.stringMatching(/^[a-z]{1,8}$/)),
        (text, words) => {
          const style = responseStyle(text);
          expect(style.length).toBe(text.split(/\s+/).filter(Boolean).length);
          const longer = responseStyle(`${text}\n\n${words.join(' ')}`);
          expect(longer).toEqual({ ...style, length: style.length + words.length });
        },
      ),
    );
  });
});

describe('normalizedDifference', () => {
  it('is (a - b) / (a + b), 0 for two zeros, within [-1, 1] and antisymmetric', () => {
    expect(normalizedDifference(300, 100)).toBe(0.5);
    expect(normalizedDifference(0, 0)).toBe(0);
    expect(normalizedDifference(0, 7)).toBe(-1);
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (a, b) => {
        const d = normalizedDifference(a, b);
        expect(Math.abs(d)).toBeLessThanOrEqual(1);
        expect(normalizedDifference(b, a)).toBe(-d + 0);
        expect(normalizedDifference(3 * a, 3 * b)).toBeCloseTo(d, 12);
      }),
    );
  });
});
