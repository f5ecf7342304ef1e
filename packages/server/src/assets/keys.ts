import { DomainError } from '@quorum/core';

/** S3's limit on a key, applied to every store so a key valid in one is valid in all. */
const MAX_KEY_BYTES = 1024;

/**
 * Throws `invalid` unless `key` is a relative, slash-separated path of plain segments. Keys are
 * chosen by the server, but a key that could climb out of the store's root is refused regardless.
 */
export function assertAssetKey(key: string): void {
  const problem = describeKeyProblem(key);
  if (problem) throw new DomainError('invalid', `Invalid asset key: ${problem}`);
}

function describeKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'it is empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  // A lone surrogate cannot be written as UTF-8, so it has no file name and no S3 key.
  if (Buffer.from(key, 'utf8').toString('utf8') !== key) return 'it is not valid Unicode';
  if (key.includes('\0')) return 'it contains NUL';
  if (key.includes('\\')) return 'it contains a backslash';
  if (key.startsWith('/')) return 'it is absolute';
  if (/^[A-Za-z]:/.test(key)) return 'it starts with a drive letter';
  for (const segment of key.split('/')) {
    if (segment === '') return 'it has an empty segment';
    if (segment === '.' || segment === '..') return 'it has a relative segment';
    // Dot-names are the store's own (the local store keeps partial uploads under `.partial`).
    if (segment.startsWith('.')) return 'a segment starts with a dot';
  }
  return undefined;
}
