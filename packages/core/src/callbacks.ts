/** Scale retries a callback up to 20 times over about a day; so do we. */
export const CALLBACK_MAX_ATTEMPTS = 20;

const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 2 * 60 * 60 * 1000;

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based) before the next one, or
 * undefined when no attempt is left. Exponential from 30 s, capped at 2 h, with ±25% jitter
 * (`random` in [0, 1)) so that a recovering receiver is not hit by every retry at once; the
 * schedule's expected span over 20 attempts is 24 h.
 */
export function callbackRetryDelay(attempt: number, random: number): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt >= CALLBACK_MAX_ATTEMPTS)
    return undefined;
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  return Math.round(ceiling * (0.75 + 0.5 * Math.min(Math.max(random, 0), 1)));
}

/** A receiver acknowledged a callback when it answered 2xx. */
export function isCallbackAcknowledged(status: number): boolean {
  return status >= 200 && status < 300;
}
