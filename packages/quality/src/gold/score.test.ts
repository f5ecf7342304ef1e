import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CornerBox } from '../agreement/boxes';
import { boxSetF1 } from './boxes';
import { labelAccuracy, multiLabelScore } from './labels';
import { scoreAgainstGold } from './score';
import { wordErrorRate } from './word-error-rate';

const box = (x1: number, y1: number, x2: number, y2: number): CornerBox => ({ x1, y1, x2, y2 });

/** Word-level Levenshtein distance with a full table, as the reference. */
function editDistance(a: string[], b: string[]): number {
  const table = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      table[i]![j] = Math.min(
        table[i - 1]![j]! + 1,
        table[i]![j - 1]! + 1,
        table[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
  return table[a.length]![b.length]!;
}

const sentence = fc.array(fc.constantFrom('the', 'cat', 'sat', 'on', 'a', 'mat'), {
  maxLength: 12,
});

describe('label scoring', () => {
  it('scores single labels by exact match and accuracy over items', () => {
    expect(scoreAgainstGold('label', 'cat', 'cat')).toBe(1);
    expect(scoreAgainstGold('label', 'cat', 'dog')).toBe(0);
    expect(labelAccuracy(['cat', 'dog', 'cat', 'x'], ['cat', 'cat', 'cat', null])).toBeCloseTo(
      2 / 3,
      12,
    );
  });

  it('scores multi-label answers by Jaccard or exact set match', () => {
    expect(multiLabelScore(['a', 'b'], ['b', 'c'])).toBeCloseTo(1 / 3, 12);
    expect(scoreAgainstGold('multi_label', ['b', 'a', 'a'], ['a', 'b'], { measure: 'exact' })).toBe(
      1,
    );
    expect(scoreAgainstGold('multi_label', ['a'], ['a', 'b'], { measure: 'exact' })).toBe(0);
    expect(scoreAgainstGold('multi_label', [], [])).toBe(1);
  });
});

describe('box scoring', () => {
  it('counts hits at the IoU threshold', () => {
    const gold = [box(0, 0, 10, 10), box(20, 20, 30, 30)];
    const answer = [box(0, 0, 10, 9), box(50, 50, 60, 60), box(20, 20, 25, 25)];
    const score = boxSetF1(answer, gold, { threshold: 0.5 });
    expect(score.matched).toBe(1);
    expect(score.precision).toBeCloseTo(1 / 3, 12);
    expect(score.recall).toBeCloseTo(1 / 2, 12);
    expect(score.f1).toBeCloseTo(0.4, 12);
    expect(score.meanIoU).toBeCloseTo(0.9, 12);
    expect(boxSetF1(answer, gold, { threshold: 0.2 }).matched).toBe(2);
  });

  it('is 1 for the gold boxes themselves and never above 1', () => {
    const boxes = fc
      .tuple(
        fc.nat(50),
        fc.nat(50),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
      )
      .map(([x, y, w, h]) => box(x, y, x + w, y + h));
    fc.assert(
      fc.property(fc.array(boxes, { maxLength: 8 }), fc.array(boxes, { maxLength: 8 }), (a, b) => {
        expect(scoreAgainstGold('boxes', a, a)).toBe(1);
        const score = scoreAgainstGold('boxes', a, b);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
        // Optimal matching never finds fewer hits than greedy.
        expect(boxSetF1(a, b).matched).toBeGreaterThanOrEqual(
          boxSetF1(a, b, { matching: 'greedy' }).matched,
        );
      }),
    );
  });
});

describe('wordErrorRate', () => {
  it('counts substitutions, deletions and insertions', () => {
    const deleted = wordErrorRate('the cat sat on mat', 'the cat sat on the mat');
    expect([deleted.substitutions, deleted.deletions, deleted.insertions]).toEqual([0, 1, 0]);
    expect(deleted.rate).toBeCloseTo(1 / 6, 12);
    const inserted = wordErrorRate('the big cat', 'the cat');
    expect([inserted.substitutions, inserted.deletions, inserted.insertions]).toEqual([0, 0, 1]);
    expect(inserted.rate).toBe(0.5);
    const substituted = wordErrorRate('a b c', 'a x c');
    expect([substituted.substitutions, substituted.deletions, substituted.insertions]).toEqual([
      1, 0, 0,
    ]);
    // Equally short alignments: two substitutions rather than a deletion and an insertion.
    const mixed = wordErrorRate('the cat sat on mat today', 'the cat sat on the mat');
    expect([mixed.substitutions, mixed.deletions, mixed.insertions]).toEqual([2, 0, 0]);
  });

  it('equals the Levenshtein distance over the reference length', () => {
    fc.assert(
      fc.property(sentence, sentence, (hypothesis, reference) => {
        const errors = wordErrorRate(hypothesis.join(' '), reference.join(' '));
        const distance = editDistance(hypothesis, reference);
        expect(errors.substitutions + errors.deletions + errors.insertions).toBe(distance);
        expect(errors.deletions - errors.insertions).toBe(reference.length - hypothesis.length);
        if (reference.length > 0) expect(errors.rate).toBeCloseTo(distance / reference.length, 12);
      }),
    );
  });

  it('can ignore case and punctuation', () => {
    expect(wordErrorRate('Hello, world!', 'hello world').rate).toBe(1);
    expect(
      wordErrorRate('Hello, world!', 'hello world', { ignoreCase: true, ignorePunctuation: true })
        .rate,
    ).toBe(0);
  });

  it('scores transcripts as 1 - WER, floored at 0', () => {
    expect(scoreAgainstGold('transcript', 'the cat sat', 'the cat sat')).toBe(1);
    expect(scoreAgainstGold('transcript', 'a b c d e f', 'x')).toBe(0);
    expect(scoreAgainstGold('transcript', 'the cat', 'the cat sat')).toBeCloseTo(2 / 3, 12);
    expect(scoreAgainstGold('transcript', 'words', '')).toBe(0);
    expect(scoreAgainstGold('transcript', '', '')).toBe(1);
  });
});

describe('scoreAgainstGold', () => {
  it('scores spans by F1', () => {
    const gold = [{ start: 0, end: 4, label: 'PER' }];
    expect(scoreAgainstGold('spans', gold, gold)).toBe(1);
    expect(scoreAgainstGold('spans', [{ start: 0, end: 3, label: 'PER' }], gold)).toBe(0);
    expect(
      scoreAgainstGold('spans', [{ start: 0, end: 3, label: 'PER' }], gold, {
        matching: 'characters',
      }),
    ).toBeCloseTo(6 / 7, 12);
  });

  it('maps ranking correlation onto [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 10 }),
        (items) => {
          expect(scoreAgainstGold('ranking', items, items)).toBe(1);
          expect(scoreAgainstGold('ranking', [...items].reverse(), items)).toBe(0);
        },
      ),
    );
    expect(scoreAgainstGold('ranking', ['only'], ['only'])).toBe(1);
    expect(scoreAgainstGold('ranking', ['a', 'c', 'b'], ['a', 'b', 'c'])).toBeCloseTo(2 / 3, 12);
  });

  it('keeps every score in [0, 1]', () => {
    const scores = [
      scoreAgainstGold('multi_label', ['x', 'y'], ['y']),
      scoreAgainstGold('transcript', 'one two three four', 'one'),
      scoreAgainstGold('ranking', ['b', 'a'], ['a', 'b', 'c']),
    ];
    for (const score of scores) {
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('refuses an unknown kind', () => {
    expect(() => scoreAgainstGold('poem' as 'label', 'a', 'a')).toThrow(/unknown gold kind/);
  });
});
