import { describe, expect, it } from 'vitest';
import { newId, randomToken } from './ids';

describe('ids', () => {
  it('are 24 hex characters, time-ordered by their first 8, and never repeat', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    // More than one refill of the random pool.
    const ids = Array.from({ length: 5000 }, () => newId(now));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(0, 8)))).toEqual(
      new Set([Math.floor(now.getTime() / 1000).toString(16)]),
    );
    expect(newId(new Date('2027-01-01T00:00:00Z')) > ids[0]!).toBe(true);
  });

  it('tokens are base-62 of the asked length', () => {
    expect(randomToken(40)).toMatch(/^[A-Za-z0-9]{40}$/);
  });
});
