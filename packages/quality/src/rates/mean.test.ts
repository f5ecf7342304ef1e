import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meanInterval } from './mean';

describe('meanInterval', () => {
  it('gives the mean and a normal interval from the spread', () => {
    const result = meanInterval([4, 5, 6, 5], 1, 7);
    expect(result.mean).toBe(5);
    // sd = sqrt(2/3), half-width = 1.96 * sd / 2.
    expect(result.upper - result.mean).toBeCloseTo((1.959964 * Math.sqrt(2 / 3)) / 2, 5);
  });

  it('says nothing certain from one score, and stays on the scale', () => {
    expect(meanInterval([3], 1, 5)).toEqual({ mean: 3, lower: 1, upper: 5, count: 1 });
    expect(meanInterval([1, 1, 1, 2], 1, 5).lower).toBe(1);
    expect(meanInterval([], 1, 5).count).toBe(0);
  });

  it('always holds the mean inside an interval on the scale', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 50 }),
        (scores) => {
          const result = meanInterval(scores, 1, 7);
          expect(result.lower).toBeGreaterThanOrEqual(1);
          expect(result.upper).toBeLessThanOrEqual(7);
          expect(result.lower).toBeLessThanOrEqual(result.mean + 1e-12);
          expect(result.upper).toBeGreaterThanOrEqual(result.mean - 1e-12);
        },
      ),
    );
  });
});
