import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeS3, type FakeS3 } from '../src/assets/fake-s3';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(600, 7),
]);

function upload(t: TestPlatform, key: string, parts: Record<string, string | Blob>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (value instanceof Blob) form.append(name, value, name === 'file' ? 'kitten.png' : undefined);
    else form.append(name, value);
  }
  return fetch(`${t.url}/v1/files/upload`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
    body: form,
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
}

/** Every file under the platform's asset directory, half-written ones under .partial included. */
function storedAssets(t: TestPlatform): string[] {
  const root = join(t.testDatabase.dataDir, 'assets');
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).filter((p) =>
    statSync(join(root, p)).isFile(),
  );
}

/** Every file row, of every organization and mode. */
async function fileRows(t: TestPlatform): Promise<number> {
  return (await t.testDatabase.database.db.selectFrom('files').select('id').execute()).length;
}

let origin: Server;
let originUrl: string;
beforeAll(async () => {
  origin = createServer((req, res) => {
    if (req.url === '/photo.png' || req.url === '/odd%E0%A4%A') return res.end(PNG);
    if (req.url === '/large.bin') return res.end(Buffer.alloc(10_000, 1));
    if (req.url === '/page.html') {
      res.setHeader('content-type', 'text/html');
      return res.end('<html><script>alert(1)</script></html>');
    }
    res.statusCode = 404;
    res.end('missing');
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => origin.close(() => resolve())));

describe.each(BACKENDS)('files on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    t = await startTestPlatform(backend, {
      QUORUM_EGRESS_ALLOW: '127.0.0.1',
      QUORUM_FILE_LIMIT: '2048',
    });
    api = client(t.url, t.key);
    await api.post('/v1/projects', { type: 'imageannotation', name: 'kittens' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('uploads a file and serves the same bytes with the type the server decided', async () => {
    const res = await upload(t, t.key, {
      project_name: 'kittens',
      display_name: 'A kitten',
      metadata: JSON.stringify({ camera: 'x100' }),
      file: new Blob([PNG], { type: 'text/html' }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mime_type: 'image/png',
      size: PNG.length,
      sha256: createHash('sha256').update(PNG).digest('hex'),
      project_names: ['kittens'],
      display_name: 'A kitten',
      metadata: { camera: 'x100' },
    });
    expect(res.body.attachment_url).toBe(
      `scaledata://${res.body.attachment_url.split('/')[2]}/${res.body.id}`,
    );
    const content = await fetch(`${t.url}/v1/files/${res.body.id}/content`, {
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(content.status).toBe(200);
    expect(content.headers.get('content-type')).toBe('image/png');
    expect(content.headers.get('x-content-type-options')).toBe('nosniff');
    expect(content.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await content.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await api.get(`/v1/files/${res.body.id}`)).body.id).toBe(res.body.id);
  });

  it('serves uploaded markup as a plain-text download', async () => {
    const res = await upload(t, t.key, {
      file: new Blob(['<html><script>alert(1)</script></html>'], { type: 'text/html' }),
    });
    const content = await fetch(`${t.url}/v1/files/${res.body.id}/content`, {
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(content.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(content.headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('serves files to their own organization and mode only', async () => {
    const res = await upload(t, t.key, { file: new Blob([PNG]) });
    const testKey = (await api.post('/api/v1/keys', { name: 'test', environment: 'test' })).body
      .key;
    const other = client(t.url, testKey);
    expect((await other.get(`/v1/files/${res.body.id}`)).status).toBe(404);
    expect((await other.get(`/v1/files/${res.body.id}/content`)).status).toBe(404);
    expect((await fetch(`${t.url}/v1/files/${res.body.id}/content`)).status).toBe(401);
  });

  it('refuses a reused reference_id, a missing file part, an unknown project and an oversize file, keeping nothing', async () => {
    const before = storedAssets(t).length;
    const rowsBefore = await fileRows(t);
    expect((await upload(t, t.key, { reference_id: 'ref-1', file: new Blob([PNG]) })).status).toBe(
      200,
    );
    const reused = await upload(t, t.key, { reference_id: 'ref-1', file: new Blob([PNG]) });
    expect(reused.status).toBe(409);
    expect(reused.body.field).toBe('reference_id');
    const reusedAfter = await upload(t, t.key, { file: new Blob([PNG]), reference_id: 'ref-1' });
    expect(reusedAfter.status).toBe(409);
    const missing = await upload(t, t.key, { project_name: 'kittens' });
    expect(missing.status).toBe(400);
    expect(missing.body.field).toBe('file');
    const unknownProject = await upload(t, t.key, { file: new Blob([PNG]), project_name: 'nope' });
    expect(unknownProject.status).toBe(404);
    expect(unknownProject.body.field).toBe('project_name');
    const tooBig = await upload(t, t.key, { file: new Blob([Buffer.alloc(10_000, 1)]) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ status_code: 413, field: 'file' });
    const justOver = await upload(t, t.key, { file: new Blob([Buffer.alloc(2049, 1)]) });
    expect(justOver.status).toBe(413);
    expect(storedAssets(t).length).toBe(before + 1);
    expect(await fileRows(t)).toBe(rowsBefore + 1);
  });

  it('takes a file of exactly the limit', async () => {
    const res = await upload(t, t.key, { file: new Blob([Buffer.alloc(2048, 1)]) });
    expect(res.status).toBe(200);
    expect(res.body.size).toBe(2048);
    expect(res.body.mime_type).toBe('text/plain; charset=utf-8');
  });

  it('refuses a second file part with 400 naming file, keeping nothing', async () => {
    const before = storedAssets(t).length;
    const rowsBefore = await fileRows(t);
    const form = new FormData();
    form.append('file', new Blob([PNG]), 'a.png');
    form.append('file', new Blob([PNG]), 'b.png');
    const res = await fetch(`${t.url}/v1/files/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}` },
      body: form,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { field?: string }).field).toBe('file');
    expect(storedAssets(t).length).toBe(before);
    expect(await fileRows(t)).toBe(rowsBefore);
  });

  it('ignores metadata that is not a JSON object, as Scale does', async () => {
    const res = await upload(t, t.key, { metadata: 'camera', file: new Blob([PNG]) });
    expect(res.status).toBe(200);
    expect(res.body.metadata).toEqual({});
  });

  it('imports by URL through the egress guard', async () => {
    const res = await api.post('/v1/files/import', {
      file_url: `${originUrl}/photo.png`,
      project_name: 'kittens',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mime_type: 'image/png',
      size: PNG.length,
      filename: 'photo.png',
    });
    const html = await api.post('/v1/files/import', { file_url: `${originUrl}/page.html` });
    expect(html.body.mime_type).toBe('text/plain; charset=utf-8');
    const missing = await api.post('/v1/files/import', { file_url: `${originUrl}/nothing` });
    expect(missing.status).toBe(400);
    expect(missing.body.field).toBe('file_url');
    const scheme = await api.post('/v1/files/import', { file_url: 'file:///etc/passwd' });
    expect(scheme.status).toBe(400);
  });

  it('imports with a reference_id once, and metadata given as a JSON string', async () => {
    const first = await api.post('/v1/files/import', {
      file_url: `${originUrl}/photo.png`,
      reference_id: 'import-1',
      metadata: JSON.stringify({ source: 'crawl' }),
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ reference_id: 'import-1', metadata: { source: 'crawl' } });
    const again = await api.post('/v1/files/import', {
      file_url: `${originUrl}/photo.png`,
      reference_id: 'import-1',
    });
    expect(again.status).toBe(409);
    expect(again.body.field).toBe('reference_id');
  });

  it('names an import whose URL has broken percent-encoding without failing', async () => {
    const before = storedAssets(t).length;
    const res = await api.post('/v1/files/import', { file_url: `${originUrl}/odd%E0%A4%A` });
    expect(res.status).toBe(200);
    expect(res.body.filename).toBe('odd%E0%A4%A');
    expect(storedAssets(t).length).toBe(before + 1);
  });

  it('refuses a remote file over the limit with 413, keeping nothing', async () => {
    const before = storedAssets(t).length;
    const rowsBefore = await fileRows(t);
    const res = await api.post('/v1/files/import', { file_url: `${originUrl}/large.bin` });
    expect(res.status).toBe(413);
    expect(storedAssets(t).length).toBe(before);
    expect(await fileRows(t)).toBe(rowsBefore);
  });
});

describe.each(BACKENDS)('file import without an allow list on %s', (backend) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses private addresses with 403 and stores nothing', async () => {
    const res = await client(t.url, t.key).post('/v1/files/import', {
      file_url: `${originUrl}/photo.png`,
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toContain('QUORUM_EGRESS_ALLOW');
    expect(storedAssets(t)).toEqual([]);
    expect(await fileRows(t)).toBe(0);
  });
});

describe('files in an S3-compatible store', () => {
  let t: TestPlatform;
  let s3: FakeS3;
  beforeAll(async () => {
    const credentials = {
      bucket: 'assets',
      region: 'eu-west-1',
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'secret/key+1',
    };
    s3 = await startFakeS3(credentials);
    t = await startTestPlatform('pglite', {
      QUORUM_S3_BUCKET: credentials.bucket,
      QUORUM_S3_REGION: credentials.region,
      QUORUM_S3_ENDPOINT: s3.endpoint,
      QUORUM_S3_ACCESS_KEY_ID: credentials.accessKeyId,
      QUORUM_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('stores uploads in the bucket and serves them back', async () => {
    const res = await upload(t, t.key, { file: new Blob([PNG]) });
    expect(res.status).toBe(200);
    expect([...s3.objects.values()].some((o) => o.body.equals(PNG))).toBe(true);
    expect(storedAssets(t)).toEqual([]);
    const content = await fetch(`${t.url}/v1/files/${res.body.id}/content`, {
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(Buffer.from(await content.arrayBuffer()).equals(PNG)).toBe(true);
  });
});
