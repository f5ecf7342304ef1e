import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import { DomainError, keyHint, notFound, type KeyEnvironment, type Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { ApiKeyRow } from '../db/schema';
import type { Caller } from './workers';
import { newId, randomToken } from '../ids';
import {
  findActiveKeyBySecret,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
} from '../repositories/api-keys';
import {
  ensureOrganization,
  findOrganizationByName,
  insertOrganization,
  listOrganizations,
} from '../repositories/organizations';

/** Who is calling: the organization and environment, and the key or worker acting in it. */
export interface Principal extends Scope {
  caller: Caller;
}

export const DEFAULT_ORGANIZATION = 'default';

/** Creates a key; the secret is returned here and never again. */
export async function createApiKey(
  db: Executor,
  organizationId: string,
  environment: KeyEnvironment,
  name: string,
): Promise<{ key: string; row: ApiKeyRow }> {
  const key = `${environment}_${randomToken(32)}`;
  const row = await insertApiKey(db, {
    id: newId(),
    organizationId,
    environment,
    name,
    key,
    hint: keyHint(key),
  });
  return { key, row };
}

export async function authenticate(db: Executor, key: string): Promise<Principal> {
  const row = key ? await findActiveKeyBySecret(db, key) : undefined;
  if (!row) throw new DomainError('unauthorized', 'Invalid or revoked API key');
  return {
    organizationId: row.organization_id,
    livemode: row.environment === 'live',
    caller: { kind: 'key', roles: ['owner'] },
  };
}

export { listApiKeys, listOrganizations };

/** A new tenant with its first (live) admin key; the secret is returned here only. */
export async function createOrganization(db: Executor, name: string) {
  const trimmed = name.trim();
  if (!/^[\w.-]{1,100}$/.test(trimmed)) {
    throw new DomainError('invalid', 'name: use 1-100 letters, digits, ".", "-" or "_"', 'name');
  }
  const organization = await insertOrganization(db, newId(), trimmed);
  if (!organization)
    throw new DomainError('conflict', `An organization named "${trimmed}" already exists`, 'name');
  const { key } = await createApiKey(db, organization.id, 'live', 'admin key');
  return { organization, key };
}

export async function revokeKey(db: Executor, organizationId: string, id: string, now: Date) {
  const row = await revokeApiKey(db, organizationId, id, now);
  if (!row) throw notFound('API key', id);
  return row;
}

export interface BootstrapResult {
  organizationId: string;
  /** Set when this start generated the admin key (print it once). */
  generatedKey?: string;
  /** Set when this start made the first owner; the password only when it was generated. */
  owner?: { email: string; generatedPassword?: string };
}

/**
 * Makes sure the `default` organization and its admin key exist. Several processes may start at
 * once against one PostgreSQL server: an advisory lock makes exactly one of them create things.
 */
export async function bootstrap(
  db: Executor,
  options: { bootstrapKey?: string; adminKeyFile: string },
): Promise<BootstrapResult> {
  await sql`select pg_advisory_xact_lock(hashtext('quorum.bootstrap'))`.execute(db);
  const existing = await findOrganizationByName(db, DEFAULT_ORGANIZATION);
  const organization = existing ?? (await ensureOrganization(db, newId(), DEFAULT_ORGANIZATION));
  if (options.bootstrapKey) {
    const key = options.bootstrapKey;
    if (key.length < 16) {
      throw new DomainError('invalid', 'QUORUM_BOOTSTRAP_KEY must be at least 16 characters long');
    }
    if (!(await findActiveKeyBySecret(db, key))) {
      await insertApiKey(db, {
        id: newId(),
        organizationId: organization.id,
        environment: key.startsWith('test_') ? 'test' : 'live',
        name: 'bootstrap admin key',
        key,
        hint: keyHint(key),
      });
    }
    return { organizationId: organization.id };
  }
  if (existing) return { organizationId: organization.id };
  const { key } = await createApiKey(db, organization.id, 'live', 'admin key');
  mkdirSync(dirname(options.adminKeyFile), { recursive: true });
  writeFileSync(options.adminKeyFile, `${key}\n`, { mode: 0o600 });
  return { organizationId: organization.id, generatedKey: key };
}
