import type { FastifyRequest } from 'fastify';
import { DomainError } from '@quorum/core';
import type { Executor } from '../db/executor';
import { hasRole, type WorkerRole } from '@quorum/core';
import { authenticate, type Principal } from '../services/api-keys';
import { authenticateWorker, csrfTokenFor, isWorkerSecret } from '../services/workers';

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

/** The header a cookie-authenticated write must carry: the token sign-in returned. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A write authenticated by the session cookie must also carry the session's CSRF token, which
 * only the app's own pages can read (from sign-in or `GET /api/v1/sessions/current`).
 */
function checkCsrf(request: FastifyRequest, session: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || sent !== csrfTokenFor(session))
    throw new DomainError(
      'forbidden',
      `Missing or wrong ${CSRF_HEADER} header: writes signed in by cookie must send the session's CSRF token`,
    );
}

/** Authenticates the request or throws `unauthorized`; the principal scopes every query after. */
export async function requirePrincipal(
  db: Executor,
  request: FastifyRequest,
  now: Date,
): Promise<Principal> {
  if (request.principal) return request.principal;
  const header = readApiKey(request.headers.authorization);
  const session = header ? undefined : readSessionCookie(request.headers.cookie);
  const key = header ?? session;
  if (session && isWorkerSecret(session)) checkCsrf(request, session);
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

/**
 * Refuses a caller the route is not for: operator routes need an API key or an admin. A worker
 * whose password was handed out may only sign out or choose a new one (`beforePasswordChange`).
 */
export function authorize(
  principal: Principal,
  access: Access = 'operator',
  beforePasswordChange = false,
): void {
  const { caller } = principal;
  if (caller.kind === 'worker' && caller.worker.password_change_required && !beforePasswordChange)
    throw new DomainError('forbidden', 'Choose a new password first: POST /api/v1/me/password');
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
