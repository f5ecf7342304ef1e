/**
 * `npm run bench -- export`: 1M completed box tasks exported through the HTTP API by `quorum
 * serve` running as its own process on PostgreSQL, each format's rate beside a plain keyset read
 * of the same rows in the same run, and the server process's own memory while it exports.
 *
 * Options: --tasks 1000000  --formats jsonl,coco
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { freePort, serve, stop } from '../e2e/support/queue-run';
import { createBenchDatabase } from './databases';

const KEY = 'live_benchadminkey0000000000000000';
/** The server's peak resident memory while it exports, at most. */
const RSS_TARGET_MB = 300;
const SAMPLE_MS = 50;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

// `any`: the bench's own connection only runs the raw SQL below, which no schema type describes.
type AnyDatabase = Kysely<any>;

/**
 * Completed box tasks written straight into the tables (the export is what is measured, not
 * how the tasks got there): three boxes per image, sizes in the metadata as imports record them.
 */
async function seed(db: AnyDatabase, organizationId: string, projectId: string, count: number) {
  const chunk = 50_000;
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    await sql`
      insert into tasks (id, organization_id, livemode, kind, type, status, project_id, params,
                         metadata, unique_id, tags, priority, response, consensus, completed_at)
      select 'exp' || lpad(i::text, 21, '0'), ${organizationId}, true, 'task', 'imageannotation',
             'completed', ${projectId},
             jsonb_build_object(
               'attachment', 'https://images.example/' || i || '.jpg',
               'attachment_type', 'image',
               'geometries', jsonb_build_object('box', jsonb_build_object(
                 'objects_to_annotate', jsonb_build_array('car', 'person', 'bicycle'),
                 'min_height', 0, 'min_width', 0, 'can_rotate', false)),
               'with_labels', true, 'padding', 0),
             jsonb_build_object('image_width', 1280, 'image_height', 720, 'row', i),
             'img-' || i, '{}', 30,
             jsonb_build_object('annotations', jsonb_build_array(
               jsonb_build_object('type', 'box', 'label', 'car', 'left', (i % 500) + 10.5,
                                  'top', 40, 'width', 120, 'height', 80),
               jsonb_build_object('type', 'box', 'label', 'person', 'left', 300, 'top',
                                  (i % 300) + 5, 'width', 40, 'height', 110),
               jsonb_build_object('type', 'box', 'label', 'bicycle', 'left', 700, 'top', 400,
                                  'width', 90.25, 'height', 60))),
             jsonb_build_object('method', 'fuse', 'confidence', 0.9),
             now()
      from generate_series(${start}::int, ${end - 1}::int) as i
    `.execute(db);
  }
  await sql`analyze tasks`.execute(db);
}

/** The reference: the same rows and columns read with plain keyset pages, nothing converted. */
async function rawRead(db: AnyDatabase, projectId: string) {
  const started = performance.now();
  let after = 0;
  let rows = 0;
  let bytes = 0;
  for (;;) {
    const page = await sql<{ seq: number; params: unknown; response: unknown; metadata: unknown }>`
      select seq, params, response, metadata, consensus from tasks
      where project_id = ${projectId} and kind = 'task' and status = 'completed' and seq > ${after}
      order by seq limit 500
    `.execute(db);
    if (page.rows.length === 0) break;
    rows += page.rows.length;
    for (const row of page.rows)
      bytes += (row.response as { annotations: unknown[] }).annotations.length;
    after = Number(page.rows[page.rows.length - 1]!.seq);
  }
  return { rows, seconds: (performance.now() - started) / 1000, bytes };
}

/** A process's resident memory now, from the kernel (`VmRSS` in /proc/<pid>/status). */
function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kilobytes === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kilobytes) * 1024;
}

/** Downloads `url` to nowhere, as a client would, while sampling the server's memory. */
async function download(url: string, headers: Record<string, string>, server: number) {
  const before = residentBytes(server);
  let peak = before;
  const sample = setInterval(() => {
    try {
      peak = Math.max(peak, residentBytes(server));
    } catch {
      // The server is gone; the download fails and says so.
    }
  }, SAMPLE_MS);
  try {
    const started = performance.now();
    const response = await fetch(url, { headers });
    if (!response.ok || !response.body)
      throw new Error(`${url}: ${response.status} ${await response.text()}`);
    let bytes = 0;
    for await (const chunk of response.body) bytes += chunk.byteLength;
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, residentBytes(server));
    return { seconds, bytes, before, peak };
  } finally {
    clearInterval(sample);
  }
}

export async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      tasks: { type: 'string', default: '1000000' },
      formats: { type: 'string', default: 'jsonl,coco' },
    },
  });
  const count = Number(values.tasks);
  const formats = values.formats!.split(',');
  console.log(
    `export: ${count.toLocaleString('en')} completed box tasks (3 boxes each) on PostgreSQL, through GET /api/v1/projects/{p}/export of \`quorum serve\` in its own process\n`,
  );
  const created = await createBenchDatabase('export');
  const db: AnyDatabase = new Kysely({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: created.url, max: 2 }),
    }),
  });
  let server: ChildProcess | undefined;
  try {
    const port = await freePort();
    server = await serve({ port, key: KEY, databaseUrl: created.url });
    const url = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` };
    const made = await fetch(`${url}/v1/projects`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'imageannotation', name: 'boxes' }),
    });
    if (!made.ok) throw new Error(`creating the project: ${made.status} ${await made.text()}`);
    const project = (await made.json()) as { id: string };
    const organization = await sql<{ organization_id: string }>`
      select organization_id from projects where id = ${project.id}`.execute(db);
    const seeding = performance.now();
    await seed(db, organization.rows[0]!.organization_id, project.id, count);
    console.log(`  seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`);

    // Warm the cache the same way for both sides, then the reference, then each format.
    await rawRead(db, project.id);
    const raw = await rawRead(db, project.id);
    const rawRate = raw.rows / raw.seconds;
    console.log(
      `  raw read (ref)  ${rawRate.toFixed(0).padStart(8)} rows/s  (${raw.seconds.toFixed(2)} s, ${raw.rows.toLocaleString('en')} rows)`,
    );
    for (const format of formats) {
      const result = await download(
        `${url}/api/v1/projects/boxes/export?format=${format}`,
        auth,
        server.pid!,
      );
      const rate = count / result.seconds;
      const underTarget = result.peak < RSS_TARGET_MB * 1024 * 1024;
      console.log(
        `  ${format.padEnd(14)}  ${rate.toFixed(0).padStart(8)} rows/s  (${result.seconds.toFixed(2)} s, ${mb(result.bytes)} out)  ` +
          `ratio ${(rate / rawRate).toFixed(2)}× raw read (target ≥ 0.5×)  ` +
          `server RSS ${mb(result.before)} before, peak ${mb(result.peak)} (target < ${RSS_TARGET_MB} MB${underTarget ? '' : ', over'})`,
      );
    }
  } finally {
    if (server) await stop(server);
    await db.destroy().catch(() => undefined);
    await created.drop();
  }
}
