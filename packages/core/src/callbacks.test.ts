import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CALLBACK_MAX_ATTEMPTS, callbackRetryDelay, isCallbackAcknowledged } from './callbacks';

describe('callback retry schedule', () => {
  it('spans about a day over 20 attempts at the middle of the jitter range', () => {
    let total = 0;
    for (let attempt = 1; attempt < CALLBACK_MAX_ATTEMPTS; attempt++)
      total += callbackRetryDelay(attempt, 0.5)!;
    expect(total / 3_600_000).toBeGreaterThan(22);
    expect(total / 3_600_000).toBeLessThan(26);
  });

  it('stops after the 20th attempt', () => {
    expect(callbackRetryDelay(CALLBACK_MAX_ATTEMPTS, 0.5)).toBeUndefined();
    expect(callbackRetryDelay(0, 0.5)).toBeUndefined();
  });

  it('never waits less than 3/4 nor more than 5/4 of the exponential step, and never shrinks on average', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: CALLBACK_MAX_ATTEMPTS - 1 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, random) => {
          const step = Math.min(2 * 3_600_000, 30_000 * 2 ** (attempt - 1));
          const delay = callbackRetryDelay(attempt, random)!;
          expect(delay).toBeGreaterThanOrEqual(Math.floor(step * 0.75));
          expect(delay).toBeLessThanOrEqual(Math.ceil(step * 1.25));
        },
      ),
    );
  });

  it('counts only 2xx as acknowledged', () => {
    expect(isCallbackAcknowledged(200)).toBe(true);
    expect(isCallbackAcknowledged(204)).toBe(true);
    expect(isCallbackAcknowledged(301)).toBe(false);
    expect(isCallbackAcknowledged(500)).toBe(false);
  });
});
