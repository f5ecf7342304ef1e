import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database';
import { inTransaction } from '../src/db/executor';
import { loadConfig } from '../src/env';
import { createTestDatabase, type TestDatabase } from './harness';

describe('statements run again and again are prepared (PostgreSQL)', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('postgres');
  });
  afterAll(() => test.drop());

  const prepared = async () =>
    (
      await sql<{ name: string }>`select name from pg_prepared_statements`.execute(test.database.db)
    ).rows.map((row) => row.name);

  it('prepares a repeated statement once per connection and keeps its results', async () => {
    const { db } = test.database;
    await sql`create table notes (id int primary key, body text)`.execute(db);
    await sql`insert into notes values (1, 'one'), (2, 'two')`.execute(db);
    const read = (id: number) =>
      sql<{ id: number; body: string }>`select * from notes where id = ${id}`;
    // One connection, so the statement's preparation is seen by the check below.
    await inTransaction(db, async (tx) => {
      for (let round = 0; round < 5; round++)
        expect((await read(1 + (round % 2)).execute(tx)).rows).toEqual([
          { id: 1 + (round % 2), body: round % 2 ? 'two' : 'one' },
        ]);
      const names = (
        await sql<{ name: string; statement: string }>`
          select name, statement from pg_prepared_statements`.execute(tx)
      ).rows;
      expect(names.some((row) => /select \* from notes/.test(row.statement))).toBe(true);
    });
  });

  /** A table whose `select *` is prepared on every connection of the pool, then altered. */
  async function preparedThenAltered(table: string) {
    const { db } = test.database;
    await sql`create table ${sql.table(table)} (id int primary key, label text)`.execute(db);
    await sql`insert into ${sql.table(table)} values (1, 'a')`.execute(db);
    const read = () =>
      sql<Record<string, unknown>>`select * from ${sql.table(table)} where id = ${1}`;
    // Ten transactions at once hold the pool's ten connections: each prepares the statement.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        inTransaction(db, async (tx) => {
          for (let round = 0; round < 4; round++) await read().execute(tx);
        }),
      ),
    );
    await sql`alter table ${sql.table(table)} add column extra int not null default 7`.execute(db);
    return read;
  }

  it('prepares afresh what a migration changed: retried at once outside a transaction', async () => {
    const read = await preparedThenAltered('outside');
    expect((await read().execute(test.database.db)).rows).toEqual([
      { id: 1, label: 'a', extra: 7 },
    ]);
  });

  it('prepares afresh what a migration changed: inside a transaction the error ends it, once', async () => {
    const read = await preparedThenAltered('inside');
    const { db } = test.database;
    await expect(inTransaction(db, (tx) => read().execute(tx))).rejects.toThrow(
      /must not change result type/,
    );
    const again = await Promise.all(
      Array.from({ length: 10 }, () =>
        inTransaction(db, async (tx) => (await read().execute(tx)).rows),
      ),
    );
    expect(again).toEqual(Array.from({ length: 10 }, () => [{ id: 1, label: 'a', extra: 7 }]));
  });

  it('prepares nothing when told not to (QUORUM_DB_PREPARE=off, behind a transaction pooler)', async () => {
    expect(loadConfig({ QUORUM_DB_PREPARE: 'off' }).databasePrepare).toBe(false);
    expect(loadConfig({}).databasePrepare).toBe(true);
    expect(() => loadConfig({ QUORUM_DB_PREPARE: 'maybe' })).toThrow(
      /QUORUM_DB_PREPARE must be "on" or "off"/,
    );
    const plain = await openDatabase({
      databaseUrl: test.url!,
      dataDir: test.dataDir,
      prepare: false,
    });
    try {
      const statements = await inTransaction(plain.db, async (tx) => {
        for (let round = 0; round < 5; round++)
          await sql`select count(*) from pg_class where relkind = ${'r'}`.execute(tx);
        return (
          await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(
            tx,
          )
        ).rows[0]!.n;
      });

      expect(statements).toBe(0);
    } finally {
      await plain.close();
    }
  });
});
