import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * Table upkeep for the embedded database. PostgreSQL's autovacuum keeps each table's planner
 * statistics current and clears the row versions updates and deletes leave behind; PGlite runs
 * no autovacuum, so without this its statistics would never be gathered (plans chosen as if the
 * queue's tables were empty) and its tables would only grow. The rule is autovacuum's, with its
 * default thresholds (`upkeepDue`). On PostgreSQL the server only analyzes the tables that outgrew
 * their statistics before autovacuum comes by (`outgrownStatistics`).
 */

/** What the statistics views say about one table. */
export interface TableActivity {
  schema: string;
  table: string;
  /** The planner's row count; negative when the table was never analyzed. */
  rows: number;
  /** The rows the table holds now, as the statistics views count them. */
  liveRows: number;
  modifiedSinceAnalyze: number;
  deadRows: number;
  insertedSinceVacuum: number;
  /** Transactions since the table's oldest unfrozen row version. */
  xidAge: number;
}

export interface UpkeepStep {
  schema: string;
  table: string;
  vacuum: boolean;
  analyze: boolean;
  /** Freeze every row version: the table nears transaction-id wraparound. */
  freeze: boolean;
}

/** autovacuum's defaults: base thresholds, scale factors and the freeze age. */
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;
const VACUUM_BASE = 50;
const VACUUM_SCALE = 0.2;
const INSERT_VACUUM_BASE = 1000;
const INSERT_VACUUM_SCALE = 0.2;
const FREEZE_AGE = 200_000_000;

/** The tables that are due for analyzing, vacuuming or freezing, and what each needs. */
export function upkeepDue(tables: readonly TableActivity[]): UpkeepStep[] {
  const steps: UpkeepStep[] = [];
  for (const table of tables) {
    const rows = Math.max(0, table.rows);
    const freeze = table.xidAge > FREEZE_AGE;
    const vacuum =
      freeze ||
      table.deadRows > VACUUM_BASE + VACUUM_SCALE * rows ||
      table.insertedSinceVacuum > INSERT_VACUUM_BASE + INSERT_VACUUM_SCALE * rows;
    const analyze = table.modifiedSinceAnalyze > ANALYZE_BASE + ANALYZE_SCALE * rows;
    if (vacuum || analyze)
      steps.push({ schema: table.schema, table: table.table, vacuum, analyze, freeze });
  }
  return steps;
}

/**
 * On PostgreSQL autovacuum does the upkeep, but it visits a database once a minute
 * (`autovacuum_naptime`). A table that grows from nothing within that minute is planned as if it
 * were nearly empty, and a statement prepared then keeps its plan, which scans the whole table,
 * until the table is analyzed: reading submissions scanned every assignment when work started on
 * a new database. So the server itself analyzes the tables that hold more than twice the rows the
 * planner counted, and 1,000 more; autovacuum's finer rule (10% changed) takes over from there.
 */
const OUTGROWN_BASE = 1000;
const OUTGROWN_FACTOR = 2;

/** The tables that outgrew their planner statistics, to analyze now. */
export function outgrownStatistics(tables: readonly TableActivity[]): UpkeepStep[] {
  return tables
    .filter((table) => table.liveRows > OUTGROWN_BASE + OUTGROWN_FACTOR * Math.max(0, table.rows))
    .map((table) => ({
      schema: table.schema,
      table: table.table,
      vacuum: false,
      analyze: true,
      freeze: false,
    }));
}

export async function readTableActivity(db: Kysely<Database>): Promise<TableActivity[]> {
  const { rows } = await sql<{
    schema: string;
    table: string;
    rows: number;
    live: string;
    modified: string;
    dead: string;
    inserted: string;
    xid_age: number;
  }>`
    select s.schemaname as schema, s.relname as table, c.reltuples::float8 as rows,
      s.n_live_tup as live, s.n_mod_since_analyze as modified, s.n_dead_tup as dead,
      s.n_ins_since_vacuum as inserted, age(c.relfrozenxid) as xid_age
    from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    -- A partitioned table holds no rows (its partitions are listed themselves).
    where c.relkind in ('r', 'm')
    order by s.schemaname, s.relname`.execute(db);
  return rows.map((row) => ({
    schema: row.schema,
    table: row.table,
    rows: Number(row.rows),
    liveRows: Number(row.live),
    modifiedSinceAnalyze: Number(row.modified),
    deadRows: Number(row.dead),
    insertedSinceVacuum: Number(row.inserted),
    xidAge: Number(row.xid_age),
  }));
}

/**
 * Runs one upkeep step (outside any transaction: VACUUM cannot run inside one). A table another
 * session is analyzing or vacuuming (autovacuum, another server process) is skipped.
 */
export async function runUpkeepStep(db: Kysely<Database>, step: UpkeepStep): Promise<void> {
  const table = sql.table(`${step.schema}.${step.table}`);
  if (!step.vacuum) {
    await sql`analyze (skip_locked) ${table}`.execute(db);
    return;
  }
  const options = ['skip_locked', step.freeze && 'freeze', step.analyze && 'analyze'].filter(
    Boolean,
  );
  await sql`vacuum ${sql.raw(`(${options.join(', ')}) `)}${table}`.execute(db);
}

/** The rule that says which tables need what: `upkeepDue` or `outgrownStatistics`. */
export type UpkeepRule = (tables: readonly TableActivity[]) => UpkeepStep[];

/**
 * Reads the tables' activity and runs what `due` says (by default autovacuum's rule for the
 * embedded database); returns the steps it ran.
 */
export async function keepUp(
  db: Kysely<Database>,
  due: UpkeepRule = upkeepDue,
): Promise<UpkeepStep[]> {
  const steps = due(await readTableActivity(db));
  for (const step of steps) await runUpkeepStep(db, step);
  return steps;
}
