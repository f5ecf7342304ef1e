import { sql, type Kysely } from 'kysely';

/**
 * When an assignment's outcome and pay were written (its task concluded), so that a payout
 * window holds each settled amount once, whenever the work was submitted. Pay settled before
 * this column existed is dated by its submission. Not indexed: a settlement stays a HOT update,
 * and only payout exports read it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table assignments add column settled_at timestamptz`.execute(db);
  await sql`update assignments set settled_at = submitted_at where currency is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table assignments drop column settled_at`.execute(db);
}
