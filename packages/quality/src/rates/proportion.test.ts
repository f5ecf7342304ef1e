import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './proportion';

describe('wilsonInterval', () => {
  it('matches hand-checked values', () => {
    // 1 of 10: the textbook Wilson interval is 0.0179 to 0.4042.
    const one = wilsonInterval(1, 10);
    expect(one.rate).toBe(0.1);
    expect(one.lower).toBeCloseTo(0.01788, 4);
    expect(one.upper).toBeCloseTo(0.40415, 4);
    // 50 of 100: 0.4038 to 0.5962.
    const half = wilsonInterval(50, 100);
    expect(half.lower).toBeCloseTo(0.40383, 4);
    expect(half.upper).toBeCloseTo(0.59617, 4);
  });

  it('is honest at the edges: 0 of n and n of n', () => {
    const none = wilsonInterval(0, 20);
    expect(none.lower).toBe(0);
    expect(none.upper).toBeCloseTo(0.16113, 4);
    const all = wilsonInterval(20, 20);
    expect(all.upper).toBe(1);
    expect(all.lower).toBeCloseTo(0.83887, 4);
    expect(wilsonInterval(0, 0)).toEqual({ successes: 0, trials: 0, rate: 0, lower: 0, upper: 1 });
  });

  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });

  it('always holds the rate inside [0, 1] and narrows as trials grow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, p) => {
          const k = Math.round(p * n);
          const small = wilsonInterval(k, n);
          expect(small.lower).toBeGreaterThanOrEqual(0);
          expect(small.upper).toBeLessThanOrEqual(1);
          expect(small.lower).toBeLessThanOrEqual(small.rate + 1e-12);
          expect(small.upper).toBeGreaterThanOrEqual(small.rate - 1e-12);
          const large = wilsonInterval(k * 4, n * 4);
          expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower + 1e-12);
        },
      ),
    );
  });
});
