/** Stable, machine-readable reasons a request can fail; one mapper turns them into HTTP. */
export const ERROR_CODES = [
  'invalid',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'unprocessable',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A failure the caller can act on. `field` names the offending input, dotted (`params.geometries`). */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Throws `not_found` naming what was looked for. */
export function notFound(what: string, id: string): DomainError {
  return new DomainError('not_found', `${what} ${JSON.stringify(id)} was not found`);
}

export function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid', `${field}: ${message}`, field);
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
