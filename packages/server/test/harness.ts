import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { inject } from 'vitest';
import { openDatabase, openPglite, type OpenDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { loadConfig, type Config } from '../src/env';
import { startPlatform, type Platform } from '../src/platform';
import { randomToken } from '../src/ids';

export const BACKENDS = ['pglite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface TestDatabase {
  database: OpenDatabase;
  /** Set for PostgreSQL: the URL of this test's own database. */
  url?: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of the given kind, private to the caller. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'quorum-data-'));
  if (backend === 'pglite') {
    cpSync(inject('pgliteTemplate'), join(dataDir, 'db'), { recursive: true });
    const database = await openPglite(join(dataDir, 'db'));
    return {
      database,
      dataDir,
      drop: async () => {
        await database.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = inject('postgresAdminUrl');
  const name = `quorum_test_${randomToken(10).toLowerCase()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir, poolSize: 10 });
  await migrateToLatest(database.db);
  return {
    database,
    url: url.toString(),
    dataDir,
    drop: async () => {
      await database.close();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const ADMIN_KEY = 'live_testadminkey000000000000000000';

export interface TestPlatform {
  platform: Platform;
  url: string;
  key: string;
  testDatabase: TestDatabase;
  close(): Promise<void>;
}

/** The real server on an ephemeral port over a fresh database of the given kind. */
export async function startTestPlatform(
  backend: Backend,
  env: Record<string, string> = {},
): Promise<TestPlatform> {
  const testDatabase = await createTestDatabase(backend);
  const config: Config = loadConfig({
    QUORUM_DATA_DIR: testDatabase.dataDir,
    QUORUM_BOOTSTRAP_KEY: ADMIN_KEY,
    QUORUM_LOG_LEVEL: 'silent',
    ...(testDatabase.url ? { DATABASE_URL: testDatabase.url } : {}),
    ...env,
  });
  const platform = await startPlatform(config, {
    port: 0,
    database: testDatabase.database,
    logger: pino({ level: process.env.QUORUM_TEST_LOG ?? 'silent' }),
  });
  return {
    platform,
    url: platform.url,
    key: ADMIN_KEY,
    testDatabase,
    close: async () => {
      await platform.close();
      await testDatabase.drop();
    },
  };
}

/** A small JSON client for tests: Basic auth with the key, like Scale's clients. */
export function client(baseUrl: string, key: string) {
  const authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: any; // test convenience: bodies are asserted field by field
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: response.status, body: json, headers: response.headers };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      call('POST', path, body ?? {}, headers),
    delete: (path: string) => call('DELETE', path),
    raw: call,
  };
}
