import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conllDocument, readConll } from './conll';
import { fromSpacyDoc, toSpacyDoc } from './spacy';
import type { NerDocument, Span } from './spans';
import { tokenize } from './tokenize';

const text = 'Zoë Saldaña met 👩🏽‍🔬 Dr. Ngũgĩ in São Paulo.\nNext day: Köln!';
const points = Array.from(text);
const spanOf = (word: string, label: string, from = 0): Span => {
  const start = points.findIndex(
    (_, index) =>
      index >= from && points.slice(index, index + Array.from(word).length).join('') === word,
  );
  return { start, end: start + Array.from(word).length, label };
};
const document: NerDocument = {
  id: 'task_1',
  text,
  annotations: [
    spanOf('Zoë Saldaña', 'PER'),
    spanOf('Ngũgĩ', 'PER'),
    spanOf('São Paulo', 'LOC'),
    spanOf('Köln', 'LOC'),
  ],
};

const word = fc.stringMatching(/^[a-zA-Z\u00C0-\u024F]{1,6}$/);
const piece = fc.oneof(
  word,
  word,
  fc.constantFrom('😀', '👩🏽‍🔬', 'e\u0301', '🇫🇷', ',', '.', '"', '—', 'ﬁ', '𝔘𝔫𝔦'),
);
const nerDocument = fc
  .array(fc.tuple(piece, fc.constantFrom(' ', ' ', '', '\n', '  ')), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => parts.map(([p, gap]) => p + gap).join(''))
  .chain((text) => {
    const length = Array.from(text).length;
    const span = fc
      .tuple(fc.nat(length), fc.nat(length), fc.constantFrom('PER', 'LOC', 'ORG'))
      .filter(([a, b]) => a !== b);
    return fc.array(span, { maxLength: 4 }).map((spans) => ({
      text,
      annotations: spans.map(([a, b, label]) => ({
        start: Math.min(a, b),
        end: Math.max(a, b),
        label,
      })),
    }));
  });

describe('tokenizing', () => {
  it('splits on whitespace and punctuation, keeps combining marks and emoji sequences whole', () => {
    const decomposed = 'Nguu\u0303gi\u0303, cafe\u0301 👩🏽‍🔬!';
    expect(tokenize(decomposed).map((token) => token.text)).toEqual([
      'Nguu\u0303gi\u0303',
      ',',
      'cafe\u0301',
      '👩🏽‍🔬',
      '!',
    ]);
  });

  it('counts offsets in code points', () => {
    const [, emoji, after] = tokenize('a 😀 b');
    expect(emoji).toEqual({ text: '😀', start: 2, end: 3 });
    expect(after).toEqual({ text: 'b', start: 4, end: 5 });
  });

  it('always ends a token at a span edge', () => {
    expect(tokenize('NewYork-based', new Set([3, 7])).map((token) => token.text)).toEqual([
      'New',
      'York',
      '-',
      'based',
    ]);
  });
});

describe('CoNLL-2003', () => {
  it('writes IOB2 tags, one token a line, sentences split at line breaks', () => {
    const { text: conll, dropped } = conllDocument(document);
    expect(dropped).toEqual([]);
    expect(conll).toBe(
      [
        '-DOCSTART- -X- -X- O',
        '',
        'Zoë -X- _ B-PER',
        'Saldaña -X- _ I-PER',
        'met -X- _ O',
        '👩🏽‍🔬 -X- _ O',
        'Dr -X- _ O',
        '. -X- _ O',
        'Ngũgĩ -X- _ B-PER',
        'in -X- _ O',
        'São -X- _ B-LOC',
        'Paulo -X- _ I-LOC',
        '. -X- _ O',
        '',
        'Next -X- _ O',
        'day -X- _ O',
        ': -X- _ O',
        'Köln -X- _ B-LOC',
        '! -X- _ O',
        '',
        '',
      ].join('\n'),
    );
  });

  it('reads documents back to text and code-point spans', () => {
    const [read] = [...readConll(conllDocument(document).text)];
    expect(read!.text).toBe('Zoë Saldaña met 👩🏽‍🔬 Dr . Ngũgĩ in São Paulo .\nNext day : Köln !');
    expect(read!.annotations.map((span) => [span.text, span.label])).toEqual([
      ['Zoë Saldaña', 'PER'],
      ['Ngũgĩ', 'PER'],
      ['São Paulo', 'LOC'],
      ['Köln', 'LOC'],
    ]);
    const readPoints = Array.from(read!.text);
    for (const span of read!.annotations)
      expect(readPoints.slice(span.start, span.end).join('')).toBe(span.text);
  });

  it('reads several documents, two-column files, IOB1 and BIOES', () => {
    const file =
      '-DOCSTART- O\n\nEU B-ORG\nrejects O\n\n-DOCSTART- O\n\nPeter I-PER\nBlackburn I-PER\nvisits O\nNew B-LOC\nYork E-LOC\nand O\nBonn S-LOC\n';
    const documents = [...readConll(file)];
    expect(documents.map((doc) => doc.text)).toEqual([
      'EU rejects',
      'Peter Blackburn visits New York and Bonn',
    ]);
    expect(
      documents[1]!.annotations.map((span) => [span.text, span.label, span.start, span.end]),
    ).toEqual([
      ['Peter Blackburn', 'PER', 0, 15],
      ['New York', 'LOC', 23, 31],
      ['Bonn', 'LOC', 36, 40],
    ]);
    expect(documents[1]!.line).toBe(6);
  });

  it('names the line of a tag it cannot read', () => {
    expect(() => [...readConll('EU B-ORG\nrejects X-ORG\n', { file: 'train.txt' })]).toThrow(
      '"train.txt", line 2: "X-ORG" is not an IOB/BIOES tag',
    );
    expect(() => [...readConll('lonely\n')]).toThrow('line 1: a token line needs a tag column');
  });

  it('refuses overlapping spans unless told to keep the first', () => {
    const overlapping = {
      id: 'task_9',
      text: 'New York City',
      annotations: [
        { start: 0, end: 8, label: 'LOC' },
        { start: 4, end: 13, label: 'LOC' },
      ],
    };
    expect(() => conllDocument(overlapping)).toThrow(
      'task task_9: spans 0–8 (LOC) and 4–13 (LOC) overlap',
    );
    expect(conllDocument(overlapping, { overlaps: 'keep-first', columns: 2 })).toEqual({
      text: '-DOCSTART- O\n\nNew B-LOC\nYork I-LOC\nCity O\n\n',
      dropped: [{ start: 4, end: 13, label: 'LOC' }],
    });
  });

  it('reports an entity of whitespace only, which has no token', () => {
    expect(
      conllDocument({ text: 'a  b', annotations: [{ start: 1, end: 3, label: 'X' }] }).dropped,
    ).toEqual([{ start: 1, end: 3, label: 'X' }]);
  });

  it('round-trips: reading an export and exporting again gives the same file, with every span kept', () => {
    fc.assert(
      fc.property(nerDocument, (doc) => {
        const first = conllDocument(doc, { overlaps: 'keep-first' });
        const [read] = [...readConll(first.text)];
        const kept = doc.annotations.length - first.dropped.length;
        expect(read?.annotations.length ?? 0).toBe(kept);
        if (!read) return;
        const again = conllDocument({ text: read.text, annotations: read.annotations });
        expect(again.text).toBe(first.text);
        // Each span's text survives, but for the whitespace inside it, which becomes single spaces.
        const original = Array.from(doc.text);
        const squash = (value: string) => value.trim().replace(/\s+/gu, '');
        const keptSpans = doc.annotations
          .filter((span) => !first.dropped.includes(span))
          .sort((a, b) => a.start - b.start);
        expect(read.annotations.map((span) => squash(span.text))).toEqual(
          keptSpans.map((span) => squash(original.slice(span.start, span.end).join(''))),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('spaCy JSON', () => {
  it('writes code-point offsets, which Python indexes the same way', () => {
    const doc = toSpacyDoc(document);
    expect(doc.text).toBe(text);
    // In Python, text[25:30] is "Ngũgĩ": the emoji before it is 4 code points (7 UTF-16 units).
    expect(doc.ents[1]).toEqual({ start: 25, end: 30, label: 'PER' });
  });

  it('reads documents back, refusing offsets outside the text', () => {
    expect(
      fromSpacyDoc({ text: '😀 Bonn', ents: [{ start: 2, end: 6, label: 'LOC' }], tokens: [] }),
    ).toEqual({
      text: '😀 Bonn',
      annotations: [{ start: 2, end: 6, label: 'LOC', text: 'Bonn' }],
    });
    expect(() =>
      fromSpacyDoc(
        { text: '😀 Bonn', ents: [{ start: 2, end: 7, label: 'LOC' }] },
        { file: 'docs.jsonl', line: 3 },
      ),
    ).toThrow(
      '"docs.jsonl", line 3: ents.0: start and end must be whole code-point offsets with 0 <= start < end <= 6',
    );
    expect(() => fromSpacyDoc({ ents: [] })).toThrow('needs a "text" string');
  });

  it('round-trips any document without overlaps', () => {
    fc.assert(
      fc.property(nerDocument, (doc) => {
        const spacy = toSpacyDoc(doc, { overlaps: 'keep-first' });
        const read = fromSpacyDoc(JSON.parse(JSON.stringify(spacy)));
        expect(toSpacyDoc(read)).toEqual(spacy);
      }),
    );
  });
});
