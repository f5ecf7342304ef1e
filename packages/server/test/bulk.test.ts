import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

const line = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    project: 'bulk',
    attachment: `text ${i}`,
    attachment_type: 'text',
    categories: ['a', 'b'],
    unique_id: `u${i}`,
    ...extra,
  });

describe.each(BACKENDS)('bulk NDJSON ingest on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  const ndjson = (body: string, query = '?type=categorization') =>
    api.raw('POST', `/api/v1/tasks/bulk${query}`, body, { 'content-type': 'application/x-ndjson' });
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    api = client(t.url, t.key);
    await api.post('/v1/projects', { type: 'categorization', name: 'bulk' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates every task of the stream, in order, across several inserts', async () => {
    const lines = Array.from({ length: 2100 }, (_, i) => line(i)).join('\n');
    const res = await ndjson(`${lines}\n`);
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2100);
    expect(res.body.task_ids).toHaveLength(2100);
    const listed = await api.get('/v1/tasks?project=bulk&limit=1');
    expect(listed.body.total).toBe(2100);
    expect(listed.body.docs[0].task_id).toBe(res.body.task_ids[2099]);
    expect(listed.body.docs[0].unique_id).toBe('u2099');
  });

  it('keeps nothing when one line is bad, and names the line and field', async () => {
    const before = (await api.get('/v1/tasks?project=bulk&limit=1')).body.total;
    const lines = [line(5000), line(5001), line(5002, { categories: 'oops' }), line(5003)].join(
      '\n',
    );
    const res = await ndjson(lines);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('line 3');
    expect(res.body.field).toBe('line 3: categories');
    const malformed = await ndjson(`${line(6000)}\n{"project": `);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toContain('line 2');
    const nul = await ndjson(
      [line(6100), line(6101, { metadata: { note: 'a\u0000b' } })].join('\n'),
    );
    expect(nul.status).toBe(400);
    expect(nul.body.field).toBe('line 2: metadata.note');
    expect((await api.get('/v1/tasks?project=bulk&limit=1')).body.total).toBe(before);
  });

  it('refuses a unique_id already stored or repeated in the request with 409', async () => {
    const stored = await ndjson(line(0));
    expect(stored.status).toBe(409);
    const repeated = await ndjson([line(7000), line(7000)].join('\n'));
    expect(repeated.status).toBe(409);
    expect(repeated.body.error).toContain('line 2');
  });

  it('asks for NDJSON and for a type', async () => {
    expect((await api.post('/api/v1/tasks/bulk', { project: 'bulk' })).status).toBe(415);
    const untyped = await ndjson(line(8000), '');
    expect(untyped.status).toBe(400);
    expect(untyped.body.field).toBe('line 1: type');
    expect((await ndjson('\n\n')).status).toBe(400);
  });
});
