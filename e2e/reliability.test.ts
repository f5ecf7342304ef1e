import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../packages/server/src/db/schema';
import {
  ADMIN_KEY,
  BACKENDS,
  createTestDatabase,
  startTestPlatform,
  type TestDatabase,
  type TestPlatform,
} from '../packages/server/test/harness';
import { checkInvariants, simulate, type Annotator, type StoredWork } from './support/annotators';

const BIN = new URL('../packages/cli/bin/quorum.js', import.meta.url).pathname;
const CONSENSUS = 3;
const ANNOTATORS = 64;
const auth = { authorization: `Bearer ${ADMIN_KEY}` };

async function post(url: string, path: string, body: unknown) {
  const response = await fetch(`${url}${path}`, {
    method: path.includes('settings') ? 'PATCH' : 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, string>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A categorization project with consensus 3 and short leases, its tasks and 64 annotators. */
async function prepare(url: string, tasks: number): Promise<Annotator[]> {
  await post(url, '/v1/projects', { type: 'categorization', name: 'sim' });
  await post(url, '/api/v1/projects/sim/settings', {
    consensus: { min: CONSENSUS, max: CONSENSUS },
    aggregation: { method: 'mv' },
    leaseSeconds: 5,
    maxOpenClaims: 1,
  });
  const lines = Array.from({ length: tasks }, (_, i) =>
    JSON.stringify({
      project: 'sim',
      attachment: `item ${i}`,
      attachment_type: 'text',
      categories: ['a', 'b', 'c'],
    }),
  ).join('\n');
  const bulk = await fetch(`${url}/api/v1/tasks/bulk?type=categorization`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-ndjson' },
    body: lines,
  });
  expect(bulk.status).toBe(200);
  const annotators: Annotator[] = [];
  for (let i = 0; i < ANNOTATORS; i++) {
    const created = await post(url, '/api/v1/workers', {
      email: `sim${i}@example.test`,
      name: `sim ${i}`,
      roles: ['annotator'],
    });
    annotators.push({ id: created.id!, token: created.token! });
  }
  return annotators;
}

async function pendingTasks(db: Kysely<Database>) {
  const row = await sql<{ n: number }>`
    select count(*)::int as n from tasks where kind = 'task' and status = 'pending'
  `.execute(db);
  return row.rows[0]!.n;
}

async function storedWork(db: Kysely<Database>): Promise<StoredWork> {
  return {
    tasks: await db
      .selectFrom('tasks')
      .select(['id', 'status'])
      .where('kind', '=', 'task')
      .execute(),
    answers: await db.selectFrom('task_answers').select(['task_id', 'worker']).execute(),
    assignments: await db
      .selectFrom('assignments')
      .select(['id', 'task_id', 'worker_id', 'status', 'stage'])
      .execute(),
  };
}

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** `quorum serve` as its own process on the shared PostgreSQL database. */
function serve(databaseUrl: string, port: number): Promise<ChildProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'quorum-sim-'));
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      QUORUM_DATA_DIR: dataDir,
      QUORUM_PORT: String(port),
      QUORUM_BOOTSTRAP_KEY: ADMIN_KEY,
      QUORUM_LOG_LEVEL: 'warn',
      QUORUM_LEASE_SWEEP_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      if (text.includes('Quorum is running')) {
        clearInterval(check);
        resolve(child);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`quorum serve exited with ${code}:\n${text}`));
    });
  });
}

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
    children.push(await serve(database.url!, portA), await serve(database.url!, portB));
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
      done: async () => (await pendingTasks(db)) === 0,
      onAck: (count) => {
        if (killed || count < (tasks * CONSENSUS) / 3) return;
        killed = true;
        children[0]!.kill('SIGKILL');
        restarted = new Promise((resolve) => setTimeout(resolve, 500)).then(async () => {
          children[0] = await serve(database!.url!, portA);
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
  });
});
