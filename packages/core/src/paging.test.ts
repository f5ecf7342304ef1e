import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodePageToken, encodePageToken } from './paging';

describe('page tokens', () => {
  it('round-trip any position', () => {
    fc.assert(
      fc.property(fc.nat(), (n) => {
        expect(decodePageToken(encodePageToken(n))).toBe(n);
      }),
    );
  });

  it('refuse arbitrary strings with an invalid error naming the field', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          const n = decodePageToken(s);
          // A random string that happens to decode must still be a well-formed token.
          expect(encodePageToken(n)).toBe(s);
        } catch (error) {
          expect((error as { code: string; field: string }).code).toBe('invalid');
          expect((error as { field: string }).field).toBe('next_token');
        }
      }),
    );
  });
});
