import { describe, expect, it } from 'vitest';
import { DomainError, type ErrorCode } from '@quorum/core';
import { toErrorBody } from './errors';

describe('the error mapper', () => {
  it.each<[ErrorCode, number]>([
    ['invalid', 400],
    ['unauthorized', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['payload_too_large', 413],
    ['unsupported_media_type', 415],
    ['rate_limited', 429],
    ['unavailable', 503],
  ])('answers %s with %i and Scale’s body', (code, status) => {
    const { body, isInternal } = toErrorBody(
      new DomainError(code, 'what went wrong', 'some.field'),
    );
    expect(isInternal).toBe(false);
    expect(body).toEqual({
      status_code: status,
      error: 'what went wrong',
      code,
      field: 'some.field',
    });
  });

  it('hides anything unexpected behind a bare 500', () => {
    const failure = new Error(
      'connection to 10.0.0.3:5432 refused at Pool.connect (/srv/app/db.ts:12:3)',
    );
    const { body, isInternal } = toErrorBody(failure);
    expect(isInternal).toBe(true);
    expect(body).toEqual({ status_code: 500, error: 'Internal server error', code: 'internal' });
  });
});
