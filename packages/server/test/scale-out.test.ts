import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '../src/env';
import { openDatabase } from '../src/db/database';
import { startPlatform, type Platform } from '../src/platform';
import { ADMIN_KEY, client, createTestDatabase, type TestDatabase } from './harness';

describe('several server processes sharing one PostgreSQL database', () => {
  let shared: TestDatabase;
  const platforms: Platform[] = [];
  beforeAll(async () => {
    shared = await createTestDatabase('postgres');
    const config = loadConfig({
      DATABASE_URL: shared.url!,
      QUORUM_DATA_DIR: shared.dataDir,
      QUORUM_BOOTSTRAP_KEY: ADMIN_KEY,
      QUORUM_LOG_LEVEL: 'silent',
    });
    // Each platform opens its own pool, as separate processes would; they start concurrently.
    const started = await Promise.all(
      [0, 1, 2].map(async () => {
        const database = await openDatabase({ databaseUrl: shared.url!, dataDir: shared.dataDir });
        return startPlatform(config, { port: 0, database, logger: pino({ level: 'silent' }) }).then(
          (platform) => ({
            platform,
            database,
          }),
        );
      }),
    );
    for (const { platform } of started) platforms.push(platform);
    shutdown = async () => {
      // Every pool is closed even when one platform fails to stop, so dropping the database
      // afterwards never ends a connection that is still in use.
      const results = await Promise.allSettled(
        started.map(async ({ platform, database }) => {
          try {
            await platform.close();
          } finally {
            await database.close();
          }
        }),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    };
  });
  let shutdown = async () => {};
  afterAll(async () => {
    await shutdown();
    await shared?.drop();
  });

  it('bootstraps one organization and one admin key however many start together', async () => {
    const keys = await client(platforms[0]!.url, ADMIN_KEY).get('/api/v1/keys');
    expect(keys.status).toBe(200);
    expect(keys.body.docs).toHaveLength(1);
  });

  it('serves the same data from every process', async () => {
    const [a, b, c] = platforms.map((p) => client(p.url, ADMIN_KEY));
    await a!.post('/v1/projects', { type: 'categorization', name: 'shared' });
    const task = await b!.post('/v1/task/categorization', {
      project: 'shared',
      attachment: 'hello',
      categories: ['x', 'y'],
      unique_id: 'once',
    });
    expect(task.status).toBe(200);
    expect((await c!.get(`/v1/task/${task.body.task_id}`)).body.task_id).toBe(task.body.task_id);
    const duplicate = await a!.post('/v1/task/categorization', {
      project: 'shared',
      attachment: 'hello',
      categories: ['x', 'y'],
      unique_id: 'once',
    });
    expect(duplicate.status).toBe(409);
  });

  it('keeps unique_id unique under concurrent creates across processes', async () => {
    const body = {
      project: 'shared',
      attachment: 'race',
      categories: ['x', 'y'],
      unique_id: 'race-1',
    };
    const results = await Promise.all(
      [...platforms, ...platforms].map((p) =>
        client(p.url, ADMIN_KEY).post('/v1/task/categorization', body),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(results.length - 1);
  });
});
