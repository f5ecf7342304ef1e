import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import {
  canGrant,
  hasRole,
  DomainError,
  notFound,
  type Scope,
  type WorkerPool,
  type WorkerRole,
} from '@quorum/core';
import type { Executor } from '../db/executor';
import type { WorkerRow } from '../db/schema';
import { newId, randomToken } from '../ids';
import {
  findWorker,
  findWorkerByCredential,
  findWorkersByEmail,
  hasOwner,
  hashSecret,
  insertCredential,
  promoteToOwner,
  insertWorker,
  listWorkers,
  releaseOpenClaims,
  revokeCredentials,
  updateWorker,
} from '../repositories/workforce';
import { cachedCredential, forgetCredentials, rememberCredential } from './credential-cache';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  length: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** scrypt cost: N = 2^15, r = 8 (32 MiB and tens of milliseconds per guess). */
const KDF = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** A self-describing scrypt hash: `scrypt$N$r$p$salt$hash` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password.normalize('NFKC'), salt, 32, KDF);
  return `scrypt$${KDF.N}$${KDF.r}$${KDF.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(
    password.normalize('NFKC'),
    Buffer.from(salt, 'base64'),
    expected.length,
    {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: KDF.maxmem,
    },
  );
  return timingSafeEqual(actual, expected);
}

/** Who is calling: an operator's API key, or a worker by token or session. */
export type Caller =
  | { kind: 'key'; roles: WorkerRole[] }
  | { kind: 'worker'; roles: WorkerRole[]; worker: WorkerRow; credentialId: string };

/** Worker tokens and session ids start with this, so they are told from API keys at a glance. */
export const WORKER_TOKEN_PREFIX = 'qw_';
const SESSION_PREFIX = 'qs_';
export const SESSION_DAYS = 14;

/**
 * The CSRF token of a session: derived from the session id (HttpOnly, so unreadable to other
 * sites and to scripts), so it needs no storage and ends with the session.
 */
export function csrfTokenFor(session: string): string {
  return createHash('sha256').update(`quorum-csrf:${session}`).digest('base64url');
}

export function isSessionSecret(secret: string) {
  return secret.startsWith(SESSION_PREFIX);
}

export function isWorkerSecret(secret: string) {
  return secret.startsWith(WORKER_TOKEN_PREFIX) || secret.startsWith(SESSION_PREFIX);
}

/** The worker a token or session belongs to; removed workers are refused with the reason. */
export async function authenticateWorker(
  db: Executor,
  secret: string,
  now: Date,
): Promise<{ worker: WorkerRow; credentialId: string }> {
  const secretHash = hashSecret(secret);
  const found = cachedCredential(secretHash, now) ?? (await lookUp(db, secretHash, now));
  if (found.worker.status === 'removed')
    throw new DomainError('forbidden', 'This worker was removed from the organization');
  return found;
}

async function lookUp(db: Executor, secretHash: string, now: Date) {
  const row = await findWorkerByCredential(db, secretHash, now);
  if (!row) throw new DomainError('unauthorized', 'Invalid, expired or revoked worker token');
  const { credential_id: credentialId, credential_expires_at: expiresAt, ...worker } = row;
  const found = { worker: worker as WorkerRow, credentialId };
  rememberCredential(secretHash, { ...found, expiresAt });
  return found;
}

async function issueToken(db: Executor, workerId: string): Promise<string> {
  const token = `${WORKER_TOKEN_PREFIX}${randomToken(40)}`;
  await insertCredential(db, { id: newId(), workerId, kind: 'token', secret: token });
  return token;
}

export interface NewWorker {
  email: string;
  name: string;
  password?: string | undefined;
  roles: WorkerRole[];
  pool: WorkerPool;
  team?: string | undefined;
  skills?: Record<string, number> | undefined;
  languages?: string[] | undefined;
  clearance?: number | undefined;
}

function checkGrant(caller: Caller, roles: readonly WorkerRole[]) {
  if (!canGrant(caller.roles, roles)) {
    const refused = roles.filter((role) => !canGrant(caller.roles, [role]));
    throw new DomainError(
      'forbidden',
      `roles: you may not grant ${refused.join(', ')} (managers invite annotators and reviewers, admins also managers, owners anyone)`,
      'roles',
    );
  }
}

/** Invites a worker; returns the row and a personal token (shown once). */
export async function createWorker(
  db: Executor,
  scope: Scope,
  caller: Caller,
  input: NewWorker,
  now: Date,
) {
  checkGrant(caller, input.roles);
  const row = await insertWorker(db, scope, {
    id: newId(now),
    email: input.email,
    name: input.name,
    roles: [...new Set(input.roles)],
    pool: input.pool,
    team: input.team ?? null,
    skills: JSON.stringify(input.skills ?? {}),
    languages: input.languages ?? [],
    clearance: input.clearance ?? 0,
    password_hash: input.password ? await hashPassword(input.password) : null,
    status: 'active',
    created_at: now,
    updated_at: now,
  });
  if (!row)
    throw new DomainError(
      'conflict',
      `email: a worker with "${input.email}" already exists`,
      'email',
    );
  return { worker: row, token: await issueToken(db, row.id) };
}

export async function requireWorker(db: Executor, scope: Scope, id: string) {
  const worker = await findWorker(db, scope, id);
  if (!worker) throw notFound('Worker', id);
  return worker;
}

export interface WorkerChange {
  name?: string | undefined;
  password?: string | undefined;
  roles?: WorkerRole[] | undefined;
  pool?: WorkerPool | undefined;
  team?: string | null | undefined;
  skills?: Record<string, number> | undefined;
  languages?: string[] | undefined;
  clearance?: number | undefined;
  status?: 'active' | 'removed' | undefined;
}

export async function changeWorker(
  db: Executor,
  scope: Scope,
  caller: Caller,
  id: string,
  change: WorkerChange,
  now: Date,
) {
  const worker = await requireWorker(db, scope, id);
  // Managing someone needs the standing to have made them, and to give any new roles.
  checkGrant(caller, worker.roles);
  if (change.roles) checkGrant(caller, change.roles);
  const updated = await updateWorker(db, scope, id, {
    ...(change.name !== undefined ? { name: change.name } : {}),
    ...(change.roles ? { roles: [...new Set(change.roles)] } : {}),
    ...(change.pool ? { pool: change.pool } : {}),
    ...(change.team !== undefined ? { team: change.team } : {}),
    ...(change.skills ? { skills: JSON.stringify(change.skills) } : {}),
    ...(change.languages ? { languages: change.languages } : {}),
    ...(change.clearance !== undefined ? { clearance: change.clearance } : {}),
    ...(change.status ? { status: change.status } : {}),
    ...(change.password ? { password_hash: await hashPassword(change.password) } : {}),
    updated_at: now,
  });
  // Removal ends web sessions; tokens stay but every request with them is refused with the
  // reason (403), until the worker is reinstated. A new password also ends web sessions.
  if (change.status === 'removed' || change.password)
    await revokeCredentials(db, id, now, { kind: 'session' });
  // What a removed worker held goes back to the queue now, not when its leases lapse.
  if (change.status === 'removed')
    await releaseOpenClaims(db, scope, {
      now,
      workerId: id,
      reason: 'the worker was removed from the organization',
      allStages: true,
    });
  forgetCredentials(id);
  return updated!;
}

/** A new personal token for a worker (earlier ones keep working until revoked). */
export async function newWorkerToken(db: Executor, scope: Scope, caller: Caller, id: string) {
  const self = caller.kind === 'worker' && caller.worker.id === id;
  // Annotators and reviewers see no one but themselves.
  if (!self && !hasRole(caller.roles, 'manager')) throw notFound('Worker', id);
  const worker = await requireWorker(db, scope, id);
  if (!self) checkGrant(caller, worker.roles);
  if (worker.status === 'removed')
    throw new DomainError('conflict', 'The worker was removed; reinstate them first');
  return issueToken(db, worker.id);
}

export { listWorkers };

/**
 * Signs a worker in with email and password and opens a session. The same answer for an
 * unknown email and a wrong password; the KDF runs either way so timing tells nothing.
 */
export async function signIn(
  db: Executor,
  input: { email: string; password: string; organization?: string | undefined },
  now: Date,
): Promise<{ session: string; worker: WorkerRow; expiresAt: Date }> {
  const candidates = (await findWorkersByEmail(db, input.email)).filter(
    (row) => !input.organization || row.organization_name === input.organization,
  );
  const refused = new DomainError('unauthorized', 'Wrong email or password');
  if (!candidates.some((row) => row.password_hash)) {
    await hashPassword(input.password);
    throw refused;
  }
  // Only someone who knows the password learns that the email is in several organizations.
  const matching: typeof candidates = [];
  for (const row of candidates)
    if (row.password_hash && (await verifyPassword(input.password, row.password_hash)))
      matching.push(row);
  if (matching.length > 1)
    throw new DomainError(
      'invalid',
      'organization: this email is registered in several organizations; name one',
      'organization',
    );
  const candidate = matching[0];
  if (!candidate) throw refused;
  const session = `${SESSION_PREFIX}${randomToken(40)}`;
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 24 * 3600 * 1000);
  await insertCredential(db, {
    id: newId(now),
    workerId: candidate.id,
    kind: 'session',
    secret: session,
    expiresAt,
  });
  const { organization_name: _organization, ...worker } = candidate;
  return { session, worker: worker as WorkerRow, expiresAt };
}

export async function signOut(db: Executor, workerId: string, credentialId: string, now: Date) {
  await revokeCredentials(db, workerId, now, { id: credentialId, kind: 'session' });
  forgetCredentials(workerId);
}

/**
 * The first owner: made once, on the first start of an organization without one, from the given
 * email and password or with a generated password that must be changed at first sign-in.
 */
export async function ensureOwner(
  db: Executor,
  scope: Scope,
  input: { email?: string | undefined; password?: string | undefined },
  now: Date,
): Promise<{ email: string; generatedPassword?: string } | undefined> {
  if (await hasOwner(db, scope)) return undefined;
  const email = input.email ?? 'owner@quorum.local';
  const generatedPassword = input.password ? undefined : randomToken(20);
  const row = await insertWorker(db, scope, {
    id: newId(now),
    email,
    name: 'Owner',
    roles: ['owner'],
    pool: 'internal',
    team: null,
    skills: JSON.stringify({}),
    languages: [],
    clearance: 0,
    password_hash: await hashPassword(input.password ?? generatedPassword!),
    password_change_required: generatedPassword !== undefined,
    status: 'active',
    created_at: now,
    updated_at: now,
  });
  if (!row) {
    // A worker with that email exists: make them the owner rather than fail every start.
    await promoteToOwner(db, scope, email, now);
    forgetCredentials();
    return undefined;
  }
  return generatedPassword ? { email, generatedPassword } : { email };
}

/** A worker's own password change: the current one proves it is them; other sessions end. */
export async function changeOwnPassword(
  db: Executor,
  scope: Scope,
  caller: Extract<Caller, { kind: 'worker' }>,
  input: { current: string; password: string },
  now: Date,
) {
  const { worker } = caller;
  if (!worker.password_hash || !(await verifyPassword(input.current, worker.password_hash)))
    throw new DomainError('invalid', 'current: wrong password', 'current');
  if (input.password === input.current)
    throw new DomainError(
      'invalid',
      'password: choose a password other than the current one',
      'password',
    );
  const updated = await updateWorker(db, scope, worker.id, {
    password_hash: await hashPassword(input.password),
    password_change_required: false,
    updated_at: now,
  });
  await revokeCredentials(db, worker.id, now, { kind: 'session', except: caller.credentialId });
  forgetCredentials(worker.id);
  return updated!;
}

/** A worker as the API shows it: never the password hash. */
export function presentWorker(row: WorkerRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles,
    pool: row.pool,
    team: row.team,
    skills: row.skills,
    languages: row.languages,
    clearance: row.clearance,
    status: row.status,
    has_password: row.password_hash !== null,
    created_at: row.created_at.toISOString(),
  };
}
