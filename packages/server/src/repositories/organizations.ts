import type { Executor } from '../db/executor';

export async function findOrganizationByName(db: Executor, name: string) {
  return db.selectFrom('organizations').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function findOrganization(db: Executor, id: string) {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts an organization; undefined when the name is taken. */
export async function insertOrganization(db: Executor, id: string, name: string) {
  return db
    .insertInto('organizations')
    .values({ id, name })
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function listOrganizations(db: Executor) {
  return db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('id').execute();
}

/** Creates the organization unless one of that name exists; returns whichever is stored. */
export async function ensureOrganization(db: Executor, id: string, name: string) {
  await db
    .insertInto('organizations')
    .values({ id, name })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return db
    .selectFrom('organizations')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
}

export async function setCallbackSecrets(
  db: Executor,
  id: string,
  secrets: { callbackAuthKey: string; webhookSecret: string },
) {
  return db
    .updateTable('organizations')
    .set({ callback_auth_key: secrets.callbackAuthKey, webhook_secret: secrets.webhookSecret })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The organization row locked, so secrets are generated once under concurrency. */
export async function lockOrganization(db: Executor, id: string) {
  return db
    .selectFrom('organizations')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}
