/** Keys are `live_…` or `test_…` like Scale's; the environment decides which data a key sees. */
export type KeyEnvironment = 'live' | 'test';

const KEY_PATTERN = /^(live|test)_[A-Za-z0-9]{16,128}$/;

/** The environment a well-formed key belongs to, or undefined for a malformed key. */
export function keyEnvironment(key: string): KeyEnvironment | undefined {
  const match = KEY_PATTERN.exec(key);
  return match ? (match[1] as KeyEnvironment) : undefined;
}

/** The part of a key safe to show again after creation. */
export function keyHint(key: string): string {
  return `${key.slice(0, 5)}…${key.slice(-4)}`;
}
