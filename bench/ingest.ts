import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { sql } from 'kysely';
import { loadConfig, openDatabase, startPlatform, type OpenDatabase } from '@quorum/server';
import { createBenchDatabase } from './databases';

const KEY = 'live_benchadminkey0000000000000000';

/** The same logical task for the API and for the raw INSERT reference. */
function taskBody(i: number) {
  return {
    project: 'bench',
    attachment: `Review number ${i}: the product arrived on time and works as described.`,
    attachment_type: 'text',
    categories: ['positive', 'negative', 'neutral'],
    metadata: { row: i, source: 'bench' },
    unique_id: `bench-${i}`,
  };
}

async function* ndjson(count: number, progress: (sent: number) => void) {
  const encoder = new TextEncoder();
  const perChunk = 500;
  for (let start = 0; start < count; start += perChunk) {
    let text = '';
    for (let i = start; i < Math.min(count, start + perChunk); i++)
      text += `${JSON.stringify(taskBody(i))}\n`;
    progress(Math.min(count, start + perChunk));
    yield encoder.encode(text);
  }
}

interface Backend {
  name: 'postgres' | 'pglite';
  open(): Promise<{ database: OpenDatabase; url?: string; dataDir: string; drop(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'postgres',
    async open() {
      const created = await createBenchDatabase('ingest');
      const dataDir = mkdtempSync(join(tmpdir(), 'quorum-bench-'));
      const database = await openDatabase({ databaseUrl: created.url, dataDir });
      return {
        database,
        url: created.url,
        dataDir,
        drop: async () => {
          await database.close().catch(() => undefined);
          await created.drop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'pglite',
    async open() {
      const dataDir = mkdtempSync(join(tmpdir(), 'quorum-bench-'));
      const database = await openDatabase({ dataDir });
      return {
        database,
        dataDir,
        drop: async () => {
          await database.close().catch(() => undefined);
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** The reference: the same rows straight into the table, 1,000 per multi-row INSERT, one transaction. */
async function rawInsert(
  database: OpenDatabase,
  organizationId: string,
  projectId: string,
  count: number,
) {
  const started = performance.now();
  await database.db.transaction().execute(async (tx) => {
    for (let start = 0; start < count; start += 1000) {
      const rows = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const body = taskBody(i);
        rows.push({
          id: `raw${String(i).padStart(21, '0')}`,
          organization_id: organizationId,
          livemode: true,
          kind: 'task' as const,
          type: 'categorization',
          status: 'pending' as const,
          project_id: projectId,
          batch_id: null,
          params: JSON.stringify({
            attachment: body.attachment,
            attachment_type: body.attachment_type,
            categories: body.categories,
            allow_multiple: false,
          }),
          instruction: null,
          callback_url: null,
          metadata: JSON.stringify(body.metadata),
          unique_id: `raw-${i}`,
          tags: [],
          priority: 30,
        });
      }
      await tx.insertInto('tasks').values(rows).execute();
    }
  });
  return (performance.now() - started) / 1000;
}

export async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { tasks: { type: 'string', default: '100000' }, only: { type: 'string' } },
  });
  const count = Number(values.tasks);
  console.log(
    `ingest: ${count.toLocaleString('en')} categorization tasks through POST /api/v1/tasks/bulk (NDJSON)\n`,
  );
  for (const backend of BACKENDS.filter((b) => !values.only || b.name === values.only)) {
    const opened = await backend.open();
    const config = loadConfig({
      QUORUM_DATA_DIR: opened.dataDir,
      QUORUM_BOOTSTRAP_KEY: KEY,
      QUORUM_LOG_LEVEL: 'silent',
      ...(opened.url ? { DATABASE_URL: opened.url } : {}),
    });
    const platform = await startPlatform(config, {
      port: 0,
      database: opened.database,
      logger: pino({ level: 'silent' }),
    });
    try {
      const auth = { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` };
      const created = await fetch(`${platform.url}/v1/projects`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'categorization', name: 'bench' }),
      });
      const project = (await created.json()) as { id: string };

      global.gc?.();
      const baseline = process.memoryUsage().rss;
      const baselineHeap = process.memoryUsage().heapUsed;
      const samples: string[] = [];
      let peak = baseline;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      let nextMark = count / 4;
      // Heap after a collection at each quarter: what the ingest actually keeps alive.
      const progress = (sent: number) => {
        if (sent >= nextMark) {
          global.gc?.();
          samples.push(`${(sent / 1000).toFixed(0)}k: ${mb(process.memoryUsage().heapUsed)}`);
          nextMark += count / 4;
        }
      };
      const started = performance.now();
      const response = await fetch(`${platform.url}/api/v1/tasks/bulk?type=categorization`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/x-ndjson' },
        body: ReadableStream.from(ndjson(count, progress)),
        duplex: 'half',
      } as RequestInit);
      const result = (await response.json()) as { created: number };
      const apiSeconds = (performance.now() - started) / 1000;
      clearInterval(timer);
      if (response.status !== 200 || result.created !== count) {
        throw new Error(
          `bulk ingest failed: ${response.status} ${JSON.stringify(result).slice(0, 300)}`,
        );
      }

      const organization = await sql<{
        organization_id: string;
      }>`select organization_id from projects where id = ${project.id}`.execute(opened.database.db);
      const rawSeconds = await rawInsert(
        opened.database,
        organization.rows[0]!.organization_id,
        project.id,
        count,
      );

      const apiRate = count / apiSeconds;
      const rawRate = count / rawSeconds;
      console.log(`${backend.name}`);
      console.log(
        `  API bulk ingest   ${apiRate.toFixed(0).padStart(8)} tasks/s  (${apiSeconds.toFixed(2)} s)`,
      );
      console.log(
        `  raw INSERT (ref)  ${rawRate.toFixed(0).padStart(8)} tasks/s  (${rawSeconds.toFixed(2)} s)`,
      );
      console.log(
        `  ratio API/raw     ${(apiRate / rawRate).toFixed(3)}${backend.name === 'postgres' ? '   (target >= 0.25)' : ''}`,
      );
      console.log(`  heap after GC     start ${mb(baselineHeap)}, ${samples.join(', ')}`);
      console.log(`  RSS               start ${mb(baseline)}, peak ${mb(peak)}\n`);
    } finally {
      await platform.close();
      await opened.drop();
    }
  }
}
