/**
 * What the work queue's reliability tests and its benchmark share: a project with its tasks and
 * annotators prepared over HTTP, `quorum serve` as a separate process, and what the database
 * holds after a run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../packages/server/src/db/schema';
import { LOST_CLAIMS_REOPENED } from '../../packages/server/src/services/work';
import type { Annotator, StoredWork } from './annotators';

const BIN = new URL('../../packages/cli/bin/quorum.js', import.meta.url).pathname;

export interface Preparation {
  url: string;
  key: string;
  project: string;
  tasks: number;
  consensus: number;
  annotators: number;
  leaseSeconds: number;
}

async function call(url: string, key: string, method: string, path: string, body: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, string>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * A categorization project (majority vote, fixed consensus, one open claim per annotator), its
 * tasks sent in bulk and its annotators with their tokens.
 */
export async function prepareSimulation(options: Preparation): Promise<Annotator[]> {
  const { url, key, project, consensus } = options;
  await call(url, key, 'POST', '/v1/projects', { type: 'categorization', name: project });
  await call(url, key, 'PATCH', `/api/v1/projects/${project}/settings`, {
    consensus: { min: consensus, max: consensus },
    aggregation: { method: 'mv' },
    leaseSeconds: options.leaseSeconds,
    maxOpenClaims: 1,
  });
  for (let start = 0; start < options.tasks; start += 5000) {
    const lines = [];
    for (let i = start; i < Math.min(options.tasks, start + 5000); i++)
      lines.push(
        JSON.stringify({
          project,
          attachment: `item ${i}`,
          attachment_type: 'text',
          categories: ['a', 'b', 'c'],
        }),
      );
    const bulk = await fetch(`${url}/api/v1/tasks/bulk?type=categorization`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: lines.join('\n'),
    });
    if (bulk.status !== 200) throw new Error(`bulk: ${bulk.status} ${await bulk.text()}`);
  }
  const annotators: Annotator[] = [];
  for (let i = 0; i < options.annotators; i++) {
    const created = await call(url, key, 'POST', '/api/v1/workers', {
      email: `${project}${i}@example.test`,
      name: `${project} ${i}`,
      roles: ['annotator'],
    });
    annotators.push({ id: created.id!, token: created.token! });
  }
  return annotators;
}

export async function pendingTasks(db: Kysely<Database>) {
  const row = await sql<{ n: number }>`
    select count(*)::int as n from tasks where kind = 'task' and status = 'pending'
  `.execute(db);
  return row.rows[0]!.n;
}

export async function storedWork(db: Kysely<Database>): Promise<StoredWork> {
  return {
    tasks: await db
      .selectFrom('tasks')
      .select(['id', 'status', 'answer_count'])
      .where('kind', '=', 'task')
      .execute(),
    answers: await db.selectFrom('task_answers').select(['task_id', 'worker']).execute(),
    assignments: await db
      .selectFrom('assignments')
      .select(['id', 'task_id', 'worker_id', 'status', 'stage'])
      .execute(),
  };
}

export async function freePort(): Promise<number> {
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

/** What each served process printed, kept after it exits (a killed one's too). */
const printed = new WeakMap<ChildProcess, { text: string }>();

/** A line the servers logged (pino's JSON). */
interface LogEntry {
  level?: number;
  msg?: string;
  err?: { message?: string };
  reopened?: unknown[];
}

/**
 * What `children` logged, line by line, skipping what is not a log entry (a killed process can
 * leave its last line cut short).
 */
function logged(children: readonly ChildProcess[]): LogEntry[] {
  return children.flatMap((child) =>
    (printed.get(child)?.text ?? '').split('\n').flatMap((line) => {
      try {
        return line.startsWith('{') ? [JSON.parse(line) as LogEntry] : [];
      } catch {
        return [];
      }
    }),
  );
}

/**
 * The errors `children` logged (pino's error level and above), as their messages: a request
 * answered 500, or background work that failed. A run of the queue should log none.
 */
export function serverErrors(children: readonly ChildProcess[]): string[] {
  return logged(children)
    .filter((entry) => (entry.level ?? 0) >= 50)
    .map((entry) => entry.err?.message ?? entry.msg ?? JSON.stringify(entry));
}

/**
 * How many queue items the lease sweepers of `children` reopened because their claims were lost
 * (each sweep that reopens any logs one warning listing them).
 */
export function lostClaimsReopened(children: readonly ChildProcess[]): number {
  return logged(children)
    .filter((entry) => entry.msg === LOST_CLAIMS_REOPENED)
    .reduce((items, entry) => items + (entry.reopened?.length ?? 0), 0);
}

/**
 * `quorum serve` as its own process: on PostgreSQL when `databaseUrl` is given, else on the
 * embedded database in `dataDir`. Resolves once it is listening.
 */
export function serve(options: {
  port: number;
  key: string;
  databaseUrl?: string;
  dataDir?: string;
  env?: Record<string, string>;
}): Promise<ChildProcess> {
  const ownDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'quorum-serve-'));
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...process.env,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      QUORUM_DATA_DIR: options.dataDir ?? ownDir!,
      QUORUM_PORT: String(options.port),
      QUORUM_BOOTSTRAP_KEY: options.key,
      QUORUM_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (ownDir) child.once('exit', () => rmSync(ownDir, { recursive: true, force: true }));
  const output = { text: '' };
  printed.set(child, output);
  child.stdout!.on('data', (chunk) => (output.text += chunk));
  child.stderr!.on('data', (chunk) => (output.text += chunk));
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      if (output.text.includes('Quorum is running')) {
        clearInterval(check);
        resolve(child);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`quorum serve exited with ${code}:\n${output.text}`));
    });
  });
}

/** Stops a server process and waits for it to be gone. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await gone;
}
