import { DomainError } from './errors';

/**
 * `next_token` is opaque to clients: the position after the last row returned, encoded so that
 * a tampered or foreign token is refused rather than misread.
 */
export function encodePageToken(position: number): string {
  return btoa(JSON.stringify({ v: 1, after: position }))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Decodes a `next_token`; throws `invalid` naming the field for anything else. */
export function decodePageToken(token: string, field = 'next_token'): number {
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new Error('not base64url');
    decoded = JSON.parse(atob(token.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    throw new DomainError('invalid', `${field}: not a token this server issued`, field);
  }
  const after = (decoded as { v?: unknown; after?: unknown } | null)?.after;
  if (
    (decoded as { v?: unknown } | null)?.v !== 1 ||
    typeof after !== 'number' ||
    !Number.isSafeInteger(after) ||
    after < 0
  ) {
    throw new DomainError('invalid', `${field}: not a token this server issued`, field);
  }
  return after;
}
