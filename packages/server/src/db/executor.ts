import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

/** A database handle or an open transaction: repositories accept either. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** Runs `work` in one transaction: everything it writes commits together or not at all. */
export function inTransaction<T>(
  db: Kysely<Database>,
  work: (tx: Transaction<Database>) => Promise<T>,
) {
  return db.transaction().execute(work);
}
