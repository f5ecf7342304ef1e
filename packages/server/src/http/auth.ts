import type { FastifyRequest } from 'fastify';
import { DomainError } from '@quorum/core';
import type { Executor } from '../db/executor';
import { hasRole, type WorkerRole } from '@quorum/core';
import { authenticate, type Principal } from '../services/api-keys';
import { authenticateWorker, isWorkerSecret } from '../services/workers';

/** Who may call a route: its `config.access`. */
export type Access = 'operator' | 'manager' | 'worker' | 'member';

/** The name of the web app's session cookie (HttpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'quorum_session';

/** The session id from the request's cookies, if any. */
export function readSessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

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
export async function requirePrincipal(
  db: Executor,
  request: FastifyRequest,
  now: Date,
): Promise<Principal> {
  if (request.principal) return request.principal;
  const key =
    readApiKey(request.headers.authorization) ?? readSessionCookie(request.headers.cookie);
  if (!key) {
    throw new DomainError(
      'unauthorized',
      'Missing API key: send it as the HTTP Basic user name or as a Bearer token',
    );
  }
  if (isWorkerSecret(key)) {
    const { worker, credentialId } = await authenticateWorker(db, key, now);
    request.principal = {
      organizationId: worker.organization_id,
      livemode: worker.livemode,
      caller: { kind: 'worker', roles: worker.roles, worker, credentialId },
    };
  } else {
    request.principal = await authenticate(db, key);
  }
  return request.principal;
}

const NEEDS: Record<Exclude<Access, 'worker' | 'member'>, WorkerRole> = {
  operator: 'admin',
  manager: 'manager',
};

/** Refuses a caller the route is not for: operator routes need an API key or an admin. */
export function authorize(principal: Principal, access: Access = 'operator'): void {
  const { caller } = principal;
  if (access === 'member') return;
  if (access === 'worker') {
    if (caller.kind !== 'worker')
      throw new DomainError('forbidden', 'This endpoint is for workers: use a worker token');
    return;
  }
  if (!hasRole(caller.roles, NEEDS[access]))
    throw new DomainError(
      'forbidden',
      `This endpoint needs the ${NEEDS[access]} role or an API key`,
    );
}

/** The calling worker; throws for API keys. */
export function workerOf(request: FastifyRequest) {
  const { caller } = principalOf(request);
  if (caller.kind !== 'worker')
    throw new DomainError('forbidden', 'This endpoint is for workers: use a worker token');
  return caller;
}

/** The principal set by the auth hook; routes behind the hook always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('unauthorized', 'Not authenticated');
  return request.principal;
}
