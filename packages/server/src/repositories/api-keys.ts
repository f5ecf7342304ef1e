import { createHash } from 'node:crypto';
import type { KeyEnvironment } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { ApiKeyRow } from '../db/schema';

/** Keys are stored only as SHA-256: they are long random strings, so a fast hash is enough. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function insertApiKey(
  db: Executor,
  row: {
    id: string;
    organizationId: string;
    environment: KeyEnvironment;
    name: string;
    key: string;
    hint: string;
  },
): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({
      id: row.id,
      organization_id: row.organizationId,
      environment: row.environment,
      name: row.name,
      key_hash: hashKey(row.key),
      key_hint: row.hint,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The active key with this secret, if any. Unscoped on purpose: this is how a scope is found. */
export async function findActiveKeyBySecret(
  db: Executor,
  key: string,
): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', hashKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function listApiKeys(db: Executor, organizationId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function revokeApiKey(
  db: Executor,
  organizationId: string,
  id: string,
  now: Date,
): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
