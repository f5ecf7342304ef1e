import type { Insertable } from 'kysely';
import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { ModelEndpointsTable } from '../db/schema';
import { tenant } from './tenant';

export async function insertModelEndpoint(
  db: Executor,
  scope: Scope,
  row: Omit<Insertable<ModelEndpointsTable>, 'organization_id' | 'livemode'>,
) {
  return db
    .insertInto('model_endpoints')
    .values({ ...tenant(scope), ...row })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'livemode', 'name'])
        .where('deleted_at', 'is', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

export async function listModelEndpoints(db: Executor, scope: Scope) {
  return db
    .selectFrom('model_endpoints')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('deleted_at', 'is', null)
    .orderBy('name')
    .execute();
}

/** An endpoint by id or name. */
export async function findModelEndpoint(db: Executor, scope: Scope, idOrName: string) {
  return db
    .selectFrom('model_endpoints')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}

export async function deleteModelEndpoint(db: Executor, scope: Scope, id: string, now: Date) {
  return db
    .updateTable('model_endpoints')
    .set({ deleted_at: now })
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Endpoints by id, removed ones included (reports still name the models they measured). */
export async function findModelEndpointsByIds(db: Executor, scope: Scope, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('model_endpoints')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', 'in', ids)
    .execute();
}
