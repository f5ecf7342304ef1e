import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  BACKENDS,
  createTestDatabase,
  startTestPlatform,
  type TestDatabase,
  type TestPlatform,
} from '../packages/server/test/harness';
import { checkInvariants, simulate } from './support/annotators';
import {
  freePort,
  lostClaimsReopened,
  serverErrors,
  pendingTasks,
  prepareSimulation,
  serve,
  storedWork,
} from './support/queue-run';

const CONSENSUS = 3;
const ANNOTATORS = 64;

const prepare = (url: string, tasks: number) =>
  prepareSimulation({
    url,
    key: ADMIN_KEY,
    project: 'sim',
    tasks,
    consensus: CONSENSUS,
    annotators: ANNOTATORS,
    leaseSeconds: 5,
  });

describe.each(BACKENDS)('64 annotators on one server with %s', (backend) => {
  let t: TestPlatform | undefined;
  afterAll(async () => {
    await t?.close();
  });

  it('gives every task exactly its annotators and stores every acknowledged answer once', async () => {
    t = await startTestPlatform(backend, { QUORUM_LEASE_SWEEP_MS: '200' });
    const tasks = backend === 'pglite' ? 80 : 150;
    const annotators = await prepare(t.url, tasks);
    const db = t.testDatabase.database.db;
    const run = await simulate({
      urls: [t.url],
      annotators,
      project: 'sim',
      labels: ['a', 'b', 'c'],
      seed: 1,
      abandonRate: 0.02,
      releaseRate: 0.03,
      duplicateRate: 0.1,
      // Each way of asking: a claim per task here, a submission that claims the next there.
      chained: backend === 'postgres',
      done: async () => (await pendingTasks(db)) === 0,
    });
    const problems = checkInvariants(await storedWork(db), run, CONSENSUS);
    expect(problems).toEqual([]);
    expect(run.acknowledged).toHaveLength(tasks * CONSENSUS);
    expect(run.abandoned).toBeGreaterThan(0);
    expect(run.released).toBeGreaterThan(0);
    expect(run.duplicatesReplayed).toBeGreaterThan(0);
  });
});

/** `quorum serve` as its own process on the shared PostgreSQL database. */
const serveOn = (databaseUrl: string, port: number) =>
  serve({ databaseUrl, port, key: ADMIN_KEY, env: { QUORUM_LEASE_SWEEP_MS: '200' } });

describe('two server processes on one PostgreSQL, one killed with SIGKILL mid-run', () => {
  let database: TestDatabase | undefined;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await database?.drop();
  });

  it('loses nothing acknowledged, doubles nothing, and returns the lapsed claims', async () => {
    database = await createTestDatabase('postgres');
    const [portA, portB] = [await freePort(), await freePort()];
    const urls = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    children.push(await serveOn(database.url!, portA), await serveOn(database.url!, portB));
    const served = [...children];
    const tasks = 150;
    const annotators = await prepare(urls[0]!, tasks);
    const db = database.database.db;
    let killed = false;
    let restarted: Promise<void> | undefined;
    const run = await simulate({
      urls,
      annotators,
      project: 'sim',
      labels: ['a', 'b', 'c'],
      seed: 2,
      abandonRate: 0.01,
      releaseRate: 0.02,
      duplicateRate: 0.1,
      chained: true,
      done: async () => (await pendingTasks(db)) === 0,
      onAck: (count) => {
        if (killed || count < (tasks * CONSENSUS) / 3) return;
        killed = true;
        children[0]!.kill('SIGKILL');
        restarted = new Promise((resolve) => setTimeout(resolve, 500)).then(async () => {
          children[0] = await serveOn(database!.url!, portA);
          served.push(children[0]);
        });
      },
    });
    await restarted;
    expect(killed).toBe(true);
    expect(run.networkErrors).toBeGreaterThan(0);
    const stored = await storedWork(db);
    expect(checkInvariants(stored, run, CONSENSUS)).toEqual([]);
    expect(run.acknowledged).toHaveLength(tasks * CONSENSUS);
    // Claims cut off by the kill lapsed and went back to the queue.
    expect(stored.assignments.filter((row) => row.status === 'expired').length).toBeGreaterThan(0);
    // The sweepers never had to reopen a claim the queue lost, and nothing failed on the servers.
    expect(lostClaimsReopened(served)).toBe(0);
    expect(serverErrors(served)).toEqual([]);
  });
});
