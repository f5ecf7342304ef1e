import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wordErrorRate } from '../gold/word-error-rate';
import {
  characterErrorRate,
  medoidTranscript,
  roverTranscript,
  spanConsensus,
  spanReliability,
  type SpanAnnotation,
} from './index';

const span = (start: number, end: number, label = 'PER') => ({ start, end, label });

describe('span consensus', () => {
  // "Ada Lovelace met Charles Babbage in London."
  const text = 'Ada Lovelace met Charles Babbage in London.';
  const annotations: SpanAnnotation[] = [
    { annotator: 'a', spans: [span(0, 12), span(17, 32), span(36, 42, 'LOC')] },
    { annotator: 'b', spans: [span(0, 12), span(25, 32), span(36, 42, 'LOC')] },
    { annotator: 'c', spans: [span(0, 3), span(17, 32)] },
  ];

  it('keeps characters more than half the annotators marked, label by label', () => {
    const consensus = spanConsensus(annotations, text.length);
    expect(consensus.map(({ start, end, label }) => [start, end, label])).toEqual([
      [0, 12, 'PER'],
      [17, 32, 'PER'],
      [36, 42, 'LOC'],
    ]);
    // "Ada" by all three, "Lovelace" by two: 3 characters at 1 and 9 at 2/3.
    expect(consensus[0]!.confidence).toBeCloseTo((3 + 9 * (2 / 3)) / 12);
    expect(consensus[0]!.support).toBe(1);
    expect(consensus[2]!.support).toBeCloseTo(2 / 3);
  });

  it('lets reliability decide and scores annotators against the consensus', () => {
    const weighted = spanConsensus(annotations, text.length, {
      reliability: new Map([
        ['a', 0],
        ['b', 1],
        ['c', 1],
      ]),
    });
    // Without a, "Charles" has c alone (half the weight, not more), so only "Babbage" stays.
    expect(weighted.find((s) => s.start >= 17 && s.label === 'PER')).toMatchObject({
      start: 25,
      end: 32,
    });
    const fit = spanReliability(annotations, text.length);
    expect(fit.reliability.get('a')).toBe(1);
    expect(fit.reliability.get('c')!).toBeLessThan(1);
  });

  it('counts annotators who marked nothing as votes against, and checks spans', () => {
    expect(
      spanConsensus(
        [
          { annotator: 'a', spans: [span(0, 3)] },
          { annotator: 'b', spans: [] },
        ],
        10,
      ),
    ).toEqual([]);
    expect(spanConsensus([], 10)).toEqual([]);
    expect(() => spanConsensus([{ annotator: 'x', spans: [span(5, 3)] }], 10)).toThrow(
      /annotator "x", span 0: \[5, 3\)/,
    );
    expect(() => spanConsensus([{ annotator: 'x', spans: [span(0, 11)] }], 10)).toThrow(RangeError);
  });

  it('does not depend on the order of annotators or spans; agreement is kept as it is', () => {
    const spansArbitrary = fc.array(
      fc
        .tuple(
          fc.integer({ min: 0, max: 29 }),
          fc.integer({ min: 1, max: 10 }),
          fc.constantFrom('A', 'B'),
        )
        .map(([start, length, label]) => span(start, Math.min(30, start + length), label)),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(fc.array(spansArbitrary, { minLength: 1, maxLength: 5 }), (sets) => {
        const given = sets.map((spans, i) => ({ annotator: `w${i}`, spans }));
        const reversed = [...given].reverse().map((a) => ({ ...a, spans: [...a.spans].reverse() }));
        expect(spanConsensus(reversed, 30)).toEqual(spanConsensus(given, 30));
        // Everyone giving the same (non-overlapping) spans: the consensus is those spans.
        const clean = [span(0, 4, 'A'), span(10, 12, 'B')];
        const same = given.map((a) => ({ ...a, spans: clean }));
        expect(
          spanConsensus(same, 30).map(({ start, end, label }) => ({ start, end, label })),
        ).toEqual(clean);
      }),
    );
  });
});

describe('transcripts', () => {
  it('measures character error rate with the word normalisation', () => {
    expect(characterErrorRate('kitten', 'sitting')).toBeCloseTo(3 / 7);
    expect(
      characterErrorRate('Hello,  World', 'hello world', {
        ignoreCase: true,
        ignorePunctuation: true,
      }),
    ).toBe(0);
    expect(characterErrorRate('', '')).toBe(0);
    expect(characterErrorRate('a', '')).toBe(Infinity);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(characterErrorRate(a, a)).toBe(0);
        expect(characterErrorRate(a, b)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('picks the medoid by word distance, ties by a rule that ignores input order', () => {
    const transcripts = [
      { annotator: 'a', text: 'the cat sat on the mat' },
      { annotator: 'b', text: 'the cat sat on a mat' },
      { annotator: 'c', text: 'a cat sat on the hat' },
    ];
    expect(medoidTranscript(transcripts)).toBe(0);
    expect(medoidTranscript([])).toBe(-1);
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[ab ]{0,8}$/), { minLength: 1, maxLength: 5 }),
        (texts) => {
          const given = texts.map((text, i) => ({ annotator: `w${i}`, text }));
          const chosen = given[medoidTranscript(given)]!;
          const reversed = [...given].reverse();
          expect(reversed[medoidTranscript(reversed)]).toEqual(chosen);
        },
      ),
    );
  });

  it('fixes with ROVER an error each transcript makes somewhere else', () => {
    const truth = 'please call stella ask her to bring these things';
    const transcripts = [
      { annotator: 'a', text: 'please call stella ask her to bring this things' },
      { annotator: 'b', text: 'please fall stella ask her to bring these things' },
      { annotator: 'c', text: 'please call stella ask him to bring these things' },
    ];
    for (const t of transcripts) expect(wordErrorRate(t.text, truth).rate).toBeGreaterThan(0);
    const rover = roverTranscript(transcripts);
    expect(rover.text).toBe(truth);
    expect(wordErrorRate(rover.text, truth).rate).toBe(0);
    expect(rover.words.find((w) => w.word === 'call')!.confidence).toBeCloseTo(2 / 3);
    expect(rover.words.find((w) => w.word === 'please')!.confidence).toBe(1);
  });

  it('aligns insertions and deletions, dropping words most annotators did not say', () => {
    const rover = roverTranscript([
      { annotator: 'a', text: 'turn the light off' },
      { annotator: 'b', text: 'turn the the light off now' },
      { annotator: 'c', text: 'turn light off' },
      { annotator: 'd', text: 'turn the light off' },
    ]);
    expect(rover.text).toBe('turn the light off');
    expect(roverTranscript([]).text).toBe('');
  });

  it('gives the same consensus whatever the order, and agreement back unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 6 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (wordLists) => {
          const given = wordLists.map((words, i) => ({
            annotator: `w${i}`,
            text: words.join(' '),
          }));
          const reversed = [...given].reverse();
          expect(roverTranscript(reversed).text).toBe(roverTranscript(given).text);
          const same = given.map((t) => ({ ...t, text: given[0]!.text }));
          expect(roverTranscript(same).text).toBe(given[0]!.text);
        },
      ),
    );
  });
});
