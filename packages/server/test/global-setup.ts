import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPglite } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresAdminUrl: string;
  }
}

/**
 * Prepares what storage tests share: a migrated PGlite directory each test file copies (opening
 * a copy takes a fraction of creating one) and a check that PostgreSQL answers.
 */
export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'quorum-test-'));
  const template = join(root, 'pglite-template');
  const database = await openPglite(template);
  await migrateToLatest(database.db);
  await database.close();

  const adminUrl =
    process.env.QUORUM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${adminUrl} (${(error as Error).message}). Storage tests run on ` +
        'PGlite and on PostgreSQL; start the server (.ci/run does) or set QUORUM_TEST_DATABASE_URL.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }

  project.provide('pgliteTemplate', template);
  project.provide('postgresAdminUrl', adminUrl);
  return () => rmSync(root, { recursive: true, force: true });
}
