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
  /**
   * For the work queue's gathered statements (claims and submissions of many requests in one
   * statement, never inside a transaction). On PostgreSQL, connections of their own that plan
   * each prepared statement once, generically, and keep that plan until the statistics of its
   * tables change (`plan_cache_mode = force_generic_plan`). PostgreSQL would otherwise plan some
   * of them afresh on every execution, at a cost near that of running them, because a plan for
   * the batch's actual size looks cheaper. Elsewhere, `db` itself.
   */
  gathered: Kysely<Database>;
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
  /** Prepare statements run again and again (PostgreSQL; default true). */
  prepare?: boolean;
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
    return openPostgres(
      options.databaseUrl,
      options.poolSize ?? 10,
      options.prepare ?? true,
      options.onIdleError,
    );
  return openPglite(join(options.dataDir, 'db'));
}

function openPostgres(
  connectionString: string,
  max: number,
  prepare: boolean,
  onIdleError: (error: Error) => void = () => undefined,
): OpenDatabase {
  const pool = (size: number, options?: string) => {
    const opened = new pg.Pool({
      connectionString,
      max: size,
      ...(options ? { options } : {}),
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === INT8_OID) return parseInt8;
          if (oid === NUMERIC_OID) return parseNumeric;
          return pg.types.getTypeParser(oid, format);
        }) as typeof pg.types.getTypeParser,
      },
    });
    opened.on('error', onIdleError);
    if (prepare) opened.on('connect', prepareRepeated);
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: opened }) });
  };
  const db = pool(max);
  // At most one gathered statement of each kind is in flight per project or organization.
  // Without prepared statements (behind a transaction-mode pooler) there is no plan to keep.
  const gathered = prepare
    ? pool(Math.max(4, Math.ceil(max / 4)), '-c plan_cache_mode=force_generic_plan')
    : db;
  return {
    kind: 'postgres',
    db,
    gathered,
    connectionString,
    close: async () => {
      try {
        if (gathered !== db) await gathered.destroy();
      } finally {
        await db.destroy();
      }
    },
  };
}

/** How often a statement runs before it is prepared, and how many this process prepares. */
const PREPARE_AFTER = 3;
const MAX_PREPARED = 500;
const seen = new Map<string, number>();
const prepared = new Map<string, string>();
let names = 0;

/**
 * Prepares the statements this process runs again and again (the queue's claims and submissions,
 * task lookups): once seen a few times, a statement is parsed and planned once per connection and
 * then executed by name. When a migration has since changed what a prepared statement returns
 * ("cached plan must not change result type"), its text is prepared afresh under a new name: the
 * call is retried at once outside a transaction; inside one the error ends the transaction as any
 * error would, and the next one prepares the new name.
 */
function prepareRepeated(client: pg.PoolClient) {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    const [text, values] = args;
    if (
      typeof text !== 'string' ||
      !Array.isArray(values) ||
      values.length === 0 ||
      args.length > 2
    )
      return query(...args);
    const name = nameFor(text);
    if (!name) return query(text, values);
    return query({ name, text, values }).catch((error: { code?: string; message?: string }) => {
      const stale =
        error.code === '0A000' && /must not change result type/.test(error.message ?? '');
      if (!stale) throw error;
      if (prepared.get(text) === name) prepared.set(text, `quorum_${++names}`);
      if (client.getTransactionStatus() !== 'I') throw error;
      return query({ name: prepared.get(text), text, values });
    });
  };
}

function nameFor(text: string): string | undefined {
  const name = prepared.get(text);
  if (name) return name;
  const count = (seen.get(text) ?? 0) + 1;
  if (count < PREPARE_AFTER) {
    if (seen.size < 10 * MAX_PREPARED) seen.set(text, count);
    return undefined;
  }
  if (prepared.size >= MAX_PREPARED) return undefined;
  seen.delete(text);
  const next = `quorum_${++names}`;
  prepared.set(text, next);
  return next;
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
    gathered: db,
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
