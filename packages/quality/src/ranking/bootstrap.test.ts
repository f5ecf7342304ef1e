import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bootstrapBradleyTerry, quantile, rankByIntervals } from './bootstrap';
import { fitBradleyTerry } from './bradley-terry';
import { OutcomeTableBuilder, tallyComparisons, type Comparison, type Outcome } from './outcomes';
import { seededRandom } from './random';

const comparisonsArbitrary = fc.array(
  fc
    .tuple(
      fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      fc.constantFrom<Outcome>('left', 'right', 'tie'),
    )
    .filter(([left, right]) => left !== right)
    .map(([left, right, outcome]): Comparison => ({ left, right, outcome })),
  { minLength: 1, maxLength: 40 },
);

/** `wins` of x over y and `losses`, as a table. */
function match(wins: number, losses: number, scale = 1) {
  const builder = new OutcomeTableBuilder();
  builder.add('x', 'y', 'left', wins * scale);
  builder.add('x', 'y', 'right', losses * scale);
  return builder.build();
}

describe('bootstrapBradleyTerry', () => {
  it('gives intervals that contain the point estimate', () => {
    fc.assert(
      fc.property(comparisonsArbitrary, fc.integer(), (list, seed) => {
        const result = bootstrapBradleyTerry(tallyComparisons(list), {
          rounds: 25,
          random: seededRandom(seed),
        });
        result.items.forEach((_, i) => {
          expect(result.lower[i]).toBeLessThanOrEqual(result.logStrengths[i]!);
          expect(result.upper[i]).toBeGreaterThanOrEqual(result.logStrengths[i]!);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('uses the plain fit as the point estimate and collapses to it with no rounds', () => {
    const table = match(12, 5);
    const result = bootstrapBradleyTerry(table, { rounds: 0, random: seededRandom(1) });
    expect(Array.from(result.logStrengths)).toEqual(
      Array.from(fitBradleyTerry(table).logStrengths),
    );
    expect(Array.from(result.lower)).toEqual(Array.from(result.logStrengths));
    expect(Array.from(result.upper)).toEqual(Array.from(result.logStrengths));
  });

  it('repeats itself for a seed, whatever order the comparisons came in', () => {
    fc.assert(
      fc.property(
        comparisonsArbitrary.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        ([list, shuffled]) => {
          const options = { rounds: 10, random: seededRandom(7) };
          const a = bootstrapBradleyTerry(tallyComparisons(list), options);
          const b = bootstrapBradleyTerry(tallyComparisons(shuffled), {
            ...options,
            random: seededRandom(7),
          });
          expect(Array.from(b.lower)).toEqual(Array.from(a.lower));
          expect(Array.from(b.upper)).toEqual(Array.from(a.upper));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('matches the sampling spread of resampling every comparison', () => {
    // 400 even games: the log-odds x - y has standard error 1/sqrt(n p (1-p)) = 0.1, and each
    // mean-zero score half of it, so the 95% interval is about ±1.96 × 0.05.
    const result = bootstrapBradleyTerry(match(200, 200), {
      rounds: 2000,
      random: seededRandom(3),
    });
    const halfWidth = (result.upper[0]! - result.lower[0]!) / 2;
    expect(halfWidth).toBeGreaterThan(0.098 * 0.9);
    expect(halfWidth).toBeLessThan(0.098 * 1.1);
  });

  it('narrows as comparisons accumulate', () => {
    const options = { rounds: 300, random: seededRandom(4) };
    const few = bootstrapBradleyTerry(match(6, 3), options);
    const many = bootstrapBradleyTerry(match(6, 3, 100), { ...options, random: seededRandom(4) });
    expect(many.upper[0]! - many.lower[0]!).toBeLessThan((few.upper[0]! - few.lower[0]!) / 5);
  });

  it('refuses counts that are not whole numbers of rounds', () => {
    expect(() =>
      bootstrapBradleyTerry(match(1, 1), { rounds: 1.5, random: seededRandom(1) }),
    ).toThrow(RangeError);
  });
});

describe('quantile', () => {
  it('interpolates between order statistics', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20], 0.025)).toBeCloseTo(10.25, 12);
    expect(quantile([7], 0.975)).toBe(7);
  });
});

describe('rankByIntervals', () => {
  it('counts the items whose lower bound is above an item’s upper bound', () => {
    const ranks = rankByIntervals([0, 0.5, 3, -5], [1, 2, 4, -4]);
    expect(Array.from(ranks)).toEqual([2, 2, 1, 4]);
  });

  it('is competition ranking when intervals have no width', () => {
    const scores = [1010, 990, 990, 1200];
    expect(Array.from(rankByIntervals(scores, scores))).toEqual([2, 3, 3, 1]);
  });

  it('gives overlapping intervals no order between them', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
            fc.double({ min: 0, max: 100, noNaN: true }),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        (intervals) => {
          const lower = intervals.map(([low]) => low);
          const upper = intervals.map(([low, width]) => low + width);
          const ranks = rankByIntervals(lower, upper);
          intervals.forEach((_, i) => {
            let above = 0;
            intervals.forEach((__, j) => {
              if (lower[j]! > upper[i]!) above++;
            });
            expect(ranks[i]).toBe(1 + above);
          });
        },
      ),
    );
  });
});
