import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { acquireDirectoryLock, type DirectoryLock } from './directory-lock';
import { PglitePool } from './pglite-pool';
import type { Database } from './schema';

export type DatabaseKind = 'pglite' | 'postgres';

/** An open database: the Kysely handle plus what the job queue needs to share it. */
export interface OpenDatabase {
  kind: DatabaseKind;
  db: Kysely<Database>;
  /** Set for the embedded database: pg-boss must go through the same session lease. */
  pglite?: PglitePool;
  /** Set for PostgreSQL. */
  connectionString?: string;
  close(): Promise<void>;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// Both drivers hand back the same JavaScript types: counts and sequence numbers as numbers.
const parseInt8 = (value: string): number => Number(value);
const parseNumeric = (value: string): number => Number(value);

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Upper bound of PostgreSQL connections this process opens. */
  poolSize?: number;
  /**
   * Told when an idle PostgreSQL connection fails (the server restarted, an administrator ended
   * the session). The pool drops that connection and opens another on demand; without a listener
   * the error would end the process.
   */
  onIdleError?: (error: Error) => void;
}

/** Opens PostgreSQL when a URL is given, otherwise the embedded PGlite under the data directory. */
export async function openDatabase(options: DatabaseOptions): Promise<OpenDatabase> {
  if (options.databaseUrl)
    return openPostgres(options.databaseUrl, options.poolSize ?? 10, options.onIdleError);
  return openPglite(join(options.dataDir, 'db'));
}

function openPostgres(
  connectionString: string,
  max: number,
  onIdleError: (error: Error) => void = () => undefined,
): OpenDatabase {
  const pool = new pg.Pool({
    connectionString,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8_OID) return parseInt8;
        if (oid === NUMERIC_OID) return parseNumeric;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', onIdleError);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    connectionString,
    close: () => db.destroy(),
  };
}

/** Opens (creating if needed) the embedded database in `directory`, which this process then owns. */
export async function openPglite(directory: string): Promise<OpenDatabase> {
  mkdirSync(directory, { recursive: true });
  const lock: DirectoryLock = acquireDirectoryLock(directory);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      dataDir: directory,
      parsers: { [INT8_OID]: parseInt8, [NUMERIC_OID]: parseNumeric },
    });
  } catch (error) {
    lock.release();
    throw error;
  }
  const pool = new PglitePool(pglite);
  const db = new Kysely<Database>({
    // The pool's shape is what PostgresDialect needs; the cast bridges pg's richer Pool type.
    dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }),
  });
  return {
    kind: 'pglite',
    db,
    pglite: pool,
    close: async () => {
      try {
        await db.destroy();
      } finally {
        lock.release();
      }
    },
  };
}
