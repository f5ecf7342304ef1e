import { sql, type Kysely } from 'kysely';

/** A worker whose password was handed out (the first owner's) must choose a new one. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table workers add column password_change_required boolean not null default false
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table workers drop column password_change_required`.execute(db);
}
