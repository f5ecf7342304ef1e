import type { FastifyRequest } from 'fastify';
import { DomainError } from '@quorum/core';
import type { Executor } from '../db/executor';
import { authenticate, type Principal } from '../services/api-keys';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Reads the API key the way Scale's clients send it (HTTP Basic, key as user name, empty
 * password) or as a bearer token.
 */
export function readApiKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return (colon === -1 ? decoded : decoded.slice(0, colon)).trim();
}

/** Authenticates the request or throws `unauthorized`; the principal scopes every query after. */
export async function requirePrincipal(db: Executor, request: FastifyRequest): Promise<Principal> {
  if (request.principal) return request.principal;
  const key = readApiKey(request.headers.authorization);
  if (!key) {
    throw new DomainError(
      'unauthorized',
      'Missing API key: send it as the HTTP Basic user name or as a Bearer token',
    );
  }
  request.principal = await authenticate(db, key);
  return request.principal;
}

/** The principal set by the auth hook; routes behind the hook always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('unauthorized', 'Not authenticated');
  return request.principal;
}
