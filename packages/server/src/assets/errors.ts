import { DomainError } from '@quorum/core';

export function sizeMismatch(size: number): DomainError {
  return new DomainError('invalid', `Asset body is not the declared ${size} bytes`, 'size');
}

/**
 * A failure of the storage backend. Only a short code goes in the message (an errno or S3's
 * error Code), never paths, endpoints or credentials.
 */
export function storeUnavailable(code: string): DomainError {
  const safe = code.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64) || 'unknown';
  return new DomainError('unavailable', `Asset store error: ${safe}`);
}
