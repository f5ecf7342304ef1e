import { sql, type Kysely } from 'kysely';

/**
 * What a submission under an Idempotency-Key said (a hash of its response), so that the key
 * reused for a different response is refused instead of answered as a retry. Submissions stored
 * before it have none, and their retries are answered as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table assignments add column idempotency_fingerprint text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table assignments drop column idempotency_fingerprint`.execute(db);
}
