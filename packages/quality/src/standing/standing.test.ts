import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { betaCdf, goldStanding } from './standing';

describe('betaCdf', () => {
  it('matches closed forms', () => {
    // Beta(1, 1) is uniform; Beta(1, b): 1 - (1 - x)^b; Beta(a, 1): x^a.
    expect(betaCdf(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(betaCdf(0.7, 1, 3)).toBeCloseTo(1 - 0.3 ** 3, 12);
    expect(betaCdf(0.7, 4, 1)).toBeCloseTo(0.7 ** 4, 12);
    // Beta(2, 2): 3x² - 2x³.
    expect(betaCdf(0.4, 2, 2)).toBeCloseTo(3 * 0.16 - 2 * 0.064, 12);
    // A value checked against a statistics table: I_0.7(4, 6) = 0.9747.
    expect(betaCdf(0.7, 4, 6)).toBeCloseTo(0.97468, 4);
  });

  it('is a CDF: monotone, 0 at 0, 1 at 1, symmetric', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 60, noNaN: true }),
        fc.double({ min: 0.2, max: 60, noNaN: true }),
        fc.double({ min: 0.001, max: 0.998, noNaN: true }),
        (a, b, x) => {
          const value = betaCdf(x, a, b);
          expect(value).toBeGreaterThanOrEqual(-1e-9);
          expect(value).toBeLessThanOrEqual(1 + 1e-9);
          expect(betaCdf(x + 0.001, a, b)).toBeGreaterThanOrEqual(value - 1e-9);
          expect(betaCdf(1 - x, b, a)).toBeCloseTo(1 - value, 6);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('goldStanding', () => {
  it('does not call three lucky answers 100 %', () => {
    expect(goldStanding(3, 3, { pauseBelow: 0.7 }).accuracy).toBeCloseTo(0.8, 12);
  });

  it('pauses on strong evidence only', () => {
    expect(goldStanding(1, 0, { pauseBelow: 0.7 }).pause).toBe(false);
    expect(goldStanding(2, 0, { pauseBelow: 0.7 }).pause).toBe(true);
    expect(goldStanding(6, 3, { pauseBelow: 0.7 }).pause).toBe(false);
    expect(goldStanding(8, 3, { pauseBelow: 0.7 }).pause).toBe(true);
    expect(goldStanding(50, 40, { pauseBelow: 0.7 }).pause).toBe(false);
    expect(goldStanding(8, 0, { pauseBelow: 0 }).pause).toBe(false);
  });
});
