import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { sql } from 'kysely';
import { loadConfig, openDatabase, startPlatform, type OpenDatabase } from '@quorum/server';
import { createBenchDatabase } from './databases';

const KEY = 'live_benchadminkey0000000000000000';
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/**
 * Completed box tasks written straight into the tables (the export is what is measured, not
 * how the tasks got there): three boxes per image, sizes in the metadata as imports record them.
 */
async function seed(
  database: OpenDatabase,
  organizationId: string,
  projectId: string,
  count: number,
) {
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
    `.execute(database.db);
  }
  await sql`analyze tasks`.execute(database.db);
}

/** The reference: the same rows and columns read with plain keyset pages, nothing converted. */
async function rawRead(database: OpenDatabase, projectId: string) {
  const started = performance.now();
  let after = 0;
  let rows = 0;
  let bytes = 0;
  for (;;) {
    const page = await sql<{ seq: number; params: unknown; response: unknown; metadata: unknown }>`
      select seq, params, response, metadata, consensus from tasks
      where project_id = ${projectId} and kind = 'task' and status = 'completed' and seq > ${after}
      order by seq limit 500
    `.execute(database.db);
    if (page.rows.length === 0) break;
    rows += page.rows.length;
    for (const row of page.rows)
      bytes += (row.response as { annotations: unknown[] }).annotations.length;
    after = Number(page.rows[page.rows.length - 1]!.seq);
  }
  return { rows, seconds: (performance.now() - started) / 1000, bytes };
}

/**
 * Downloads in a separate process, as a real client would: the export's server work is what
 * shares this process's event loop with nothing else.
 */
async function download(url: string, headers: Record<string, string>) {
  const script = `
    const started = performance.now();
    const response = await fetch(${JSON.stringify(url)}, { headers: ${JSON.stringify(headers)} });
    if (!response.ok) { console.error(response.status, await response.text()); process.exit(1); }
    let bytes = 0;
    for await (const chunk of response.body) bytes += chunk.byteLength;
    console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, bytes }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the download of ${url} failed`);
  return JSON.parse(out) as { seconds: number; bytes: number };
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
    `export: ${count.toLocaleString('en')} completed box tasks (3 boxes each) on PostgreSQL, through GET /api/v1/projects/{p}/export\n`,
  );
  const created = await createBenchDatabase('export');
  const dataDir = mkdtempSync(join(tmpdir(), 'quorum-bench-'));
  const database = await openDatabase({ databaseUrl: created.url, dataDir });
  const config = loadConfig({
    QUORUM_DATA_DIR: dataDir,
    QUORUM_BOOTSTRAP_KEY: KEY,
    QUORUM_LOG_LEVEL: 'silent',
    DATABASE_URL: created.url,
  });
  const platform = await startPlatform(config, {
    port: 0,
    database,
    logger: pino({ level: 'silent' }),
  });
  try {
    const auth = { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` };
    const made = await fetch(`${platform.url}/v1/projects`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'imageannotation', name: 'boxes' }),
    });
    const project = (await made.json()) as { id: string };
    const organization = await sql<{ organization_id: string }>`
      select organization_id from projects where id = ${project.id}`.execute(database.db);
    const seeding = performance.now();
    await seed(database, organization.rows[0]!.organization_id, project.id, count);
    console.log(`  seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`);

    // Warm the cache the same way for both sides, then the reference, then each format.
    await rawRead(database, project.id);
    const raw = await rawRead(database, project.id);
    const rawRate = raw.rows / raw.seconds;
    console.log(
      `  raw read (ref)  ${rawRate.toFixed(0).padStart(8)} rows/s  (${raw.seconds.toFixed(2)} s, ${raw.rows.toLocaleString('en')} rows)`,
    );
    for (const format of formats) {
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const result = await download(
        `${platform.url}/api/v1/projects/boxes/export?format=${format}`,
        auth,
      );
      clearInterval(timer);
      const rate = count / result.seconds;
      console.log(
        `  ${format.padEnd(14)}  ${rate.toFixed(0).padStart(8)} rows/s  (${result.seconds.toFixed(2)} s, ${mb(result.bytes)} out)  ` +
          `ratio ${(rate / rawRate).toFixed(2)}× raw read (target ≥ 0.5×)  peak RSS ${mb(peak)} (+${mb(peak - baseline)} over the start)`,
      );
    }
  } finally {
    await platform.close();
    await database.close().catch(() => undefined);
    await created.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
