import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startTestPlatform, type TestPlatform } from '../packages/server/test/harness';

const BIN = new URL('../packages/cli/bin/quorum.js', import.meta.url).pathname;

describe('quorum reaggregate', () => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    // On PostgreSQL, so the command and the running server share the database.
    t = await startTestPlatform('postgres');
    api = client(t.url, t.key);
  });
  afterAll(async () => {
    await t?.close();
  });

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'reaggregate', ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        DATABASE_URL: t.testDatabase.url!,
        QUORUM_DATA_DIR: t.testDatabase.dataDir,
        QUORUM_LOG_LEVEL: 'silent',
      },
    });

  it('recomputes responses with another method, as the API does', async () => {
    await api.post('/v1/projects', { type: 'categorization', name: 'cli' });
    await api.raw('PATCH', '/api/v1/projects/cli/settings', {
      consensus: { min: 2, max: 2 },
      aggregation: { method: 'mv' },
    });
    const task = async (text: string, answers: Array<[string, string]>) => {
      const id = (
        await api.post('/v1/task/categorization', {
          project: 'cli',
          attachment: text,
          categories: ['cat', 'dog'],
        })
      ).body.task_id as string;
      for (const [worker, category] of answers)
        await api.post(`/api/v1/tasks/${id}/answers`, { worker, response: { category } });
      return id;
    };
    const truth = (i: number) => (i % 2 ? 'dog' : 'cat');
    const flip = (label: string) => (label === 'cat' ? 'dog' : 'cat');
    for (let i = 0; i < 8; i++)
      await task(`pair ${i}`, [
        ['w1', truth(i)],
        ['w3', truth(i)],
      ]);
    for (let i = 0; i < 8; i++)
      await task(`split ${i}`, [
        ['w3', truth(i)],
        ['w2', flip(truth(i))],
      ]);
    const tie = await task('tie', [
      ['w1', 'dog'],
      ['w2', 'cat'],
    ]);
    expect((await api.get(`/v1/task/${tie}`)).body.response).toEqual({ category: 'cat' });

    const run = cli('--project', 'cli', '--method', 'ds');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /Re-aggregated 17 completed tasks of "cli" with ds: \d+ responses changed/,
    );
    expect((await api.get(`/v1/task/${tie}`)).body.response).toEqual({ category: 'dog' });
    expect((await api.get(`/api/v1/tasks/${tie}/answers`)).body.docs).toHaveLength(2);
  });

  it('refuses bad flags with exit code 2', () => {
    const run = cli('--project', 'cli', '--method', 'kos');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--method must be one of');
    expect(cli('--method', 'ds').stderr).toContain('--project is required');
  });
});
