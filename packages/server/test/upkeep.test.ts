import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import {
  keepUp,
  outgrownStatistics,
  readTableActivity,
  upkeepDue,
  type TableActivity,
} from '../src/db/upkeep';
import { BACKENDS, createTestDatabase, startTestPlatform, type TestDatabase } from './harness';

const quiet: TableActivity = {
  schema: 'public',
  table: 'tasks',
  rows: 100_000,
  liveRows: 100_000,
  modifiedSinceAnalyze: 0,
  deadRows: 0,
  insertedSinceVacuum: 0,
  xidAge: 1000,
};

describe('which tables are due for upkeep', () => {
  it('follows autovacuum: analyze past 50 + 10% changed, vacuum past 50 + 20% dead', () => {
    expect(upkeepDue([quiet])).toEqual([]);
    expect(upkeepDue([{ ...quiet, modifiedSinceAnalyze: 10_050 }])).toEqual([]);
    expect(upkeepDue([{ ...quiet, modifiedSinceAnalyze: 10_051 }])).toEqual([
      { schema: 'public', table: 'tasks', vacuum: false, analyze: true, freeze: false },
    ]);
    expect(upkeepDue([{ ...quiet, deadRows: 20_051 }])).toEqual([
      { schema: 'public', table: 'tasks', vacuum: true, analyze: false, freeze: false },
    ]);
    expect(upkeepDue([{ ...quiet, insertedSinceVacuum: 21_001 }])[0]?.vacuum).toBe(true);
    expect(upkeepDue([{ ...quiet, xidAge: 200_000_001 }])).toEqual([
      { schema: 'public', table: 'tasks', vacuum: true, analyze: false, freeze: true },
    ]);
  });

  it('analyzes a never-analyzed table once it has rows', () => {
    const fresh = { ...quiet, rows: -1 };
    expect(upkeepDue([{ ...fresh, modifiedSinceAnalyze: 50 }])).toEqual([]);
    expect(upkeepDue([{ ...fresh, modifiedSinceAnalyze: 51 }])[0]?.analyze).toBe(true);
  });

  it('never asks for more upkeep of a table that changed less', () => {
    const activity = fc.record({
      rows: fc.integer({ min: -1, max: 10_000_000 }),
      modifiedSinceAnalyze: fc.nat(10_000_000),
      deadRows: fc.nat(10_000_000),
      insertedSinceVacuum: fc.nat(10_000_000),
      xidAge: fc.nat(2_000_000_000),
    });
    fc.assert(
      fc.property(activity, activity, (a, b) => {
        const more = {
          ...quiet,
          rows: Math.min(a.rows, b.rows),
          modifiedSinceAnalyze: Math.max(a.modifiedSinceAnalyze, b.modifiedSinceAnalyze),
          deadRows: Math.max(a.deadRows, b.deadRows),
          insertedSinceVacuum: Math.max(a.insertedSinceVacuum, b.insertedSinceVacuum),
          xidAge: Math.max(a.xidAge, b.xidAge),
        };
        const [less] = upkeepDue([{ ...quiet, ...a }]);
        const [most] = upkeepDue([more]);
        if (!less) return;
        expect(most).toBeDefined();
        for (const key of ['vacuum', 'analyze', 'freeze'] as const)
          if (less[key]) expect(most![key]).toBe(true);
      }),
    );
  });
});

describe('which tables outgrew their statistics (PostgreSQL)', () => {
  it('are those holding more than 1,000 rows beyond twice what the planner counted', () => {
    const analyze = {
      schema: 'public',
      table: 'tasks',
      vacuum: false,
      analyze: true,
      freeze: false,
    };
    expect(outgrownStatistics([{ ...quiet, liveRows: 201_000 }])).toEqual([]);
    expect(outgrownStatistics([{ ...quiet, liveRows: 201_001 }])).toEqual([analyze]);
    const fresh = { ...quiet, rows: -1 };
    expect(outgrownStatistics([{ ...fresh, liveRows: 1000 }])).toEqual([]);
    expect(outgrownStatistics([{ ...fresh, liveRows: 1001 }])).toEqual([analyze]);
    expect(outgrownStatistics([{ ...quiet, rows: 0, liveRows: 1001 }])).toEqual([analyze]);
  });

  it('never include a table changed but not grown, however much', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(100_000_000), (rows, changed) => {
        const churned = { ...quiet, rows, liveRows: rows, modifiedSinceAnalyze: changed };
        expect(outgrownStatistics([churned])).toEqual([]);
      }),
    );
  });
});

describe.each(BACKENDS)('table upkeep on %s', (backend) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(backend);
  });
  afterAll(() => test.drop());

  /** The statistics views are written when a session reports; wait until they show `ready`. */
  async function activityOf(table: string, ready: (activity: TableActivity) => boolean) {
    for (let attempt = 0; ; attempt++) {
      const activity = (await readTableActivity(test.database.db)).find(
        (row) => row.table === table,
      );
      if (activity && ready(activity)) return activity;
      if (attempt > 100) throw new Error(`${table}: ${JSON.stringify(activity)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('analyzes a table that filled and vacuums one that churned, then leaves both alone', async () => {
    const { db } = test.database;
    await sql`create table upkeep_queue (id int primary key, slots int not null)
      with (autovacuum_enabled = false)`.execute(db);
    await sql`insert into upkeep_queue select g, 3 from generate_series(1, 5000) g`.execute(db);
    const filled = await activityOf('upkeep_queue', (row) => row.modifiedSinceAnalyze >= 5000);
    expect(filled.rows).toBeLessThan(5000);

    const first = (await keepUp(db)).find((step) => step.table === 'upkeep_queue');
    expect(first).toMatchObject({ analyze: true, vacuum: true });
    const analyzed = await activityOf('upkeep_queue', (row) => row.modifiedSinceAnalyze === 0);
    expect(analyzed.rows).toBe(5000);

    // (PostgreSQL's autovacuum is off for this table so that only `keepUp` tends it.)
    // Each claim takes a slot: every row is rewritten, the old versions are dead.
    await sql`update upkeep_queue set slots = slots - 1`.execute(db);
    await activityOf('upkeep_queue', (row) => row.deadRows >= 5000);
    const second = (await keepUp(db)).find((step) => step.table === 'upkeep_queue');
    expect(second).toMatchObject({ vacuum: true, analyze: true });
    const vacuumed = await activityOf(
      'upkeep_queue',
      (row) => row.deadRows === 0 && row.modifiedSinceAnalyze === 0,
    );
    expect(vacuumed.rows).toBe(5000);

    expect((await keepUp(db)).find((step) => step.table === 'upkeep_queue')).toBeUndefined();
  });

  it('analyzes a table that outgrew its statistics, then leaves it alone', async () => {
    const { db } = test.database;
    await sql`create table upkeep_grown (id int primary key)
      with (autovacuum_enabled = false)`.execute(db);
    await sql`insert into upkeep_grown select g from generate_series(1, 1500) g`.execute(db);
    await activityOf('upkeep_grown', (row) => row.liveRows >= 1500);
    expect((await keepUp(db, outgrownStatistics)).map((step) => step.table)).toContain(
      'upkeep_grown',
    );
    const analyzed = await activityOf('upkeep_grown', (row) => row.rows === 1500);
    expect(analyzed.liveRows).toBe(1500);
    expect((await keepUp(db, outgrownStatistics)).map((step) => step.table)).not.toContain(
      'upkeep_grown',
    );
  });

  it('tends the partitions of a partitioned table, never the table itself', async () => {
    const { db } = test.database;
    await sql`create table upkeep_log (day date not null, n int) partition by range (day)`.execute(
      db,
    );
    await sql`create table upkeep_log_2026 partition of upkeep_log
      for values from ('2026-01-01') to ('2027-01-01') with (autovacuum_enabled = false)`.execute(
      db,
    );
    await sql`insert into upkeep_log select '2026-03-01', g from generate_series(1, 200) g`.execute(
      db,
    );
    await activityOf('upkeep_log_2026', (row) => row.modifiedSinceAnalyze >= 200);
    const steps = await keepUp(db);
    expect(steps.find((step) => step.table === 'upkeep_log')).toBeUndefined();
    expect(steps.find((step) => step.table === 'upkeep_log_2026')).toMatchObject({
      analyze: true,
      freeze: false,
    });
    expect((await keepUp(db)).filter((step) => step.table.startsWith('upkeep_log'))).toEqual([]);
  });
});

describe.each([
  ['postgres', 'QUORUM_DB_STATISTICS_MS', 'before autovacuum comes by'],
  ['pglite', 'QUORUM_DB_UPKEEP_MS', 'as autovacuum would'],
] as const)('the running server on %s', (backend, interval, how) => {
  it(`analyzes a table that filled by itself, ${how}`, async () => {
    const test = await startTestPlatform(backend, { [interval]: '200' });
    try {
      const { db } = test.testDatabase.database;
      // (PostgreSQL's autovacuum is off for this table so that only the server tends it.)
      await sql`create table upkeep_filled (id int primary key)
        with (autovacuum_enabled = false)`.execute(db);
      await sql`insert into upkeep_filled select g from generate_series(1, 2000) g`.execute(db);
      for (let attempt = 0; ; attempt++) {
        const { rows } = await sql<{ rows: number }>`
          select reltuples::float8 as rows from pg_class where relname = 'upkeep_filled'`.execute(
          db,
        );
        if (Number(rows[0]?.rows) === 2000) break;
        if (attempt > 100) throw new Error(`never analyzed: ${JSON.stringify(rows)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await test.close();
    }
  });
});

describe('PostgreSQL opened for the server', () => {
  it('runs the gathered queue statements on connections that keep generic plans', async () => {
    const test = await createTestDatabase('postgres');
    try {
      const { database } = test;
      const mode = async (db: typeof database.db) =>
        (await sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode`.execute(db))
          .rows[0]!.mode;
      expect(await mode(database.gathered)).toBe('force_generic_plan');
      expect(await mode(database.db)).toBe('auto');
    } finally {
      await test.drop();
    }
  });
});
