import { randomBytes, randomFillSync } from 'node:crypto';

/** Random bytes for ids, drawn a few hundred ids at a time (each id takes its own 8). */
const pool = Buffer.alloc(4096);
let drawn = pool.length;

/**
 * A new 24-hex-character id, shaped like Scale's object ids (time-ordered prefix, random rest)
 * so clients that pattern-match them keep working.
 */
export function newId(now: Date = new Date()): string {
  const seconds = Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  if (drawn + 8 > pool.length) {
    randomFillSync(pool);
    drawn = 0;
  }
  drawn += 8;
  return seconds + pool.toString('hex', drawn - 8, drawn);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` base-62 characters, without modulo bias. */
export function randomToken(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}
