import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  averageRanks,
  kendallTauB,
  rankingCorrelation,
  spearmanCorrelation,
} from './rank-correlation';

/** Tau-b by its definition, over all pairs. */
function kendallByPairs(a: number[], b: number[]): number {
  let concordant = 0;
  let discordant = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i]! - a[j]!);
      const db = Math.sign(b[i]! - b[j]!);
      if (da === 0 && db === 0) continue;
      if (da === 0) onlyA++;
      else if (db === 0) onlyB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  return (
    (concordant - discordant) /
    Math.sqrt((concordant + discordant + onlyB) * (concordant + discordant + onlyA))
  );
}

const pairedScores = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), {
    minLength: 2,
    maxLength: 60,
  })
  .map((pairs) => [pairs.map(([x]) => x), pairs.map(([, y]) => y)] as const);

const distinctScores = fc.uniqueArray(fc.integer(), { minLength: 2, maxLength: 40 });

describe('kendallTauB', () => {
  it('agrees with the all-pairs definition, ties included', () => {
    fc.assert(
      fc.property(pairedScores, ([a, b]) => {
        const fast = kendallTauB(a, b);
        const slow = kendallByPairs(a, b);
        if (Number.isNaN(slow)) expect(fast).toBeNaN();
        else expect(fast).toBeCloseTo(slow, 12);
      }),
    );
  });

  it('is 1 for identical rankings and -1 for reversed ones', () => {
    fc.assert(
      fc.property(distinctScores, (scores) => {
        expect(kendallTauB(scores, scores)).toBe(1);
        expect(
          kendallTauB(
            scores,
            scores.map((x) => -x),
          ),
        ).toBe(-1);
      }),
    );
  });

  it('reproduces a worked example with ties', () => {
    // scipy.stats.kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) = -0.4714045207910316
    expect(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-0.4714045207910316, 12);
  });
});

describe('spearmanCorrelation', () => {
  it('is 1 for identical rankings and -1 for reversed ones', () => {
    fc.assert(
      fc.property(distinctScores, (scores) => {
        expect(spearmanCorrelation(scores, scores)).toBeCloseTo(1, 12);
        expect(
          spearmanCorrelation(
            scores,
            scores.map((x) => -x),
          ),
        ).toBeCloseTo(-1, 12);
      }),
    );
  });

  it('matches 1 - 6Σd²/(n(n² - 1)) when there are no ties', () => {
    fc.assert(
      fc.property(
        distinctScores.chain((a) =>
          fc.tuple(fc.constant(a), fc.shuffledSubarray(a, { minLength: a.length })),
        ),
        ([a, b]) => {
          const ra = averageRanks(a);
          const rb = averageRanks(b);
          const n = a.length;
          let d2 = 0;
          for (let i = 0; i < n; i++) d2 += (ra[i]! - rb[i]!) ** 2;
          expect(spearmanCorrelation(a, b)).toBeCloseTo(1 - (6 * d2) / (n * (n * n - 1)), 10);
        },
      ),
    );
  });

  it('gives tied values their average rank', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
  });

  it('is NaN when one side is constant', () => {
    expect(spearmanCorrelation([1, 2, 3], [4, 4, 4])).toBeNaN();
    expect(kendallTauB([1, 2, 3], [4, 4, 4])).toBeNaN();
  });
});

describe('rankingCorrelation', () => {
  it('compares ranked lists, best first', () => {
    expect(rankingCorrelation(['a', 'b', 'c'], ['a', 'b', 'c'])).toBe(1);
    expect(rankingCorrelation(['c', 'b', 'a'], ['a', 'b', 'c'])).toBe(-1);
    expect(
      rankingCorrelation(['c', 'b', 'a'], ['a', 'b', 'c'], { method: 'spearman' }),
    ).toBeCloseTo(-1, 12);
  });

  it('ties items an answer leaves out at its bottom', () => {
    // Answer [a] against gold [a, b, c]: b and c tie last in the answer.
    expect(rankingCorrelation(['a'], ['a', 'b', 'c'])).toBeCloseTo(
      kendallTauB([0, -1, -1], [0, -1, -2]),
      12,
    );
  });
});
