import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type ErrorBody, type ErrorCode } from '@quorum/core';

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

export function errorBody(error: DomainError): ErrorBody {
  const body: ErrorBody = {
    status_code: STATUS[error.code],
    error: error.message,
    code: error.code,
  };
  if (error.field !== undefined) body.field = error.field;
  return body;
}

/** Turns anything thrown while serving a request into a client-safe error body. */
export function toErrorBody(error: unknown): { body: ErrorBody; isInternal: boolean } {
  if (error instanceof DomainError) return { body: errorBody(error), isInternal: false };
  const domain = fromFrameworkError(error as FastifyError);
  if (domain) return { body: errorBody(domain), isInternal: false };
  return {
    body: { status_code: 500, error: 'Internal server error', code: 'internal' },
    isInternal: true,
  };
}

function fromFrameworkError(error: FastifyError): DomainError | undefined {
  if (hasZodFastifySchemaValidationErrors(error)) {
    // Zod reports a huge integer against the safe-integer range before the field's own bound.
    const head = error.validation[0]!;
    const first =
      (isSafeIntegerBound(head) &&
        error.validation.find((issue, i) => i > 0 && issue.instancePath === head.instancePath)) ||
      head;
    const context = error.validationContext;
    const path = first.instancePath.split('/').filter(Boolean).join('.');
    const field = context === 'body' ? path : path ? `${context}.${path}` : String(context);
    const unknownKey =
      first.keyword === 'unrecognized_keys'
        ? (first.params.keys as string[] | undefined)?.[0]
        : undefined;
    const label = [field, unknownKey].filter(Boolean).join('.') || 'body';
    return new DomainError('invalid', `${label}: ${describeIssue(first)}`, label);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('payload_too_large', 'Request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError(
        'unsupported_media_type',
        'Unsupported Content-Type for this endpoint',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError(
        'invalid',
        'Body cannot be empty when Content-Type is application/json',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('invalid', 'Content-Length does not match the body');
    case 'FST_ERR_NOT_FOUND':
      return new DomainError('not_found', 'No such endpoint');
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return new DomainError('invalid', 'body: malformed JSON', 'body');
  }
  if (error.statusCode === 400) return new DomainError('invalid', error.message);
  if (error.statusCode === 413) {
    return new DomainError('payload_too_large', 'Request body is larger than the server accepts');
  }
  if (error.statusCode === 415) {
    return new DomainError('unsupported_media_type', 'Unsupported Content-Type for this endpoint');
  }
  return undefined;
}

const isSafeIntegerBound = (issue: { params: Record<string, unknown> }) =>
  issue.params.origin === 'int' &&
  (issue.params.maximum === Number.MAX_SAFE_INTEGER ||
    issue.params.minimum === Number.MIN_SAFE_INTEGER);

function describeIssue(issue: {
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}) {
  if (issue.keyword === 'unrecognized_keys') {
    const keys = (issue.params.keys as string[] | undefined) ?? [];
    return `unknown field${keys.length === 1 ? '' : 's'} ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  return issue.message ?? 'is invalid';
}

/** Fastify error handler: logs internal failures, never sends stack traces. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { body, isInternal } = toErrorBody(error);
  if (isInternal) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: body.code, field: body.field }, body.error);
  return reply.status(body.status_code).type('application/json').send(body);
}
