import { describe, expect, it } from 'vitest';
import { FailureThrottle } from './throttle';

describe('FailureThrottle', () => {
  it('refuses a key after the limit until its oldest failure leaves the window', () => {
    const throttle = new FailureThrottle(3, 60_000);
    for (const at of [0, 1_000, 2_000]) {
      expect(throttle.retryAfter('a', at)).toBe(0);
      throttle.fail('a', at);
    }
    expect(throttle.retryAfter('a', 2_500)).toBe(58);
    expect(throttle.retryAfter('b', 2_500)).toBe(0);
    expect(throttle.retryAfter('a', 60_001)).toBe(0);
  });

  it('forgets a key on success', () => {
    const throttle = new FailureThrottle(2, 60_000);
    throttle.fail('a', 0);
    throttle.fail('a', 1);
    throttle.succeed('a');
    expect(throttle.retryAfter('a', 2)).toBe(0);
  });
});
