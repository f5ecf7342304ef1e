import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

describe.each(BACKENDS)('API keys and authentication on %s', (backend) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers /healthz without a key once ready', async () => {
    const response = await fetch(`${t.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses a request without a key with Scale’s error body', async () => {
    const response = await fetch(`${t.url}/api/v1/keys`);
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status_code: 401, code: 'unauthorized' });
    expect(typeof body.error).toBe('string');
  });

  it('refuses an unknown key', async () => {
    const res = await client(t.url, 'live_nosuchkey0000000000000000').get('/api/v1/keys');
    expect(res.status).toBe(401);
  });

  it('accepts the key as HTTP Basic user name and as a Bearer token', async () => {
    expect((await client(t.url, t.key).get('/api/v1/keys')).status).toBe(200);
    const bearer = await fetch(`${t.url}/api/v1/keys`, {
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(bearer.status).toBe(200);
  });

  it('creates a key shown once, lists it without the secret, and revokes it', async () => {
    const admin = client(t.url, t.key);
    const created = await admin.post('/api/v1/keys', { name: 'ci', environment: 'test' });
    expect(created.status).toBe(200);
    expect(created.body.key).toMatch(/^test_[A-Za-z0-9]{32}$/);
    expect(created.body.environment).toBe('test');

    const listed = await admin.get('/api/v1/keys');
    const entry = listed.body.docs.find((k: { id: string }) => k.id === created.body.id);
    expect(entry).toBeDefined();
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    const own = client(t.url, created.body.key);
    expect((await own.get('/api/v1/keys')).status).toBe(200);

    const revoked = await admin.delete(`/api/v1/keys/${created.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect((await own.get('/api/v1/keys')).status).toBe(401);
  });

  it('names the field when a body is invalid and rejects unknown fields', async () => {
    const admin = client(t.url, t.key);
    const wrongType = await admin.post('/api/v1/keys', { name: 5 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ status_code: 400, code: 'invalid', field: 'name' });
    const unknown = await admin.post('/api/v1/keys', { name: 'x', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('colour');
    expect(unknown.body.error).toContain('colour');
  });

  it('rejects malformed JSON and __proto__ keys without a stack trace', async () => {
    const admin = client(t.url, t.key);
    const malformed = await admin.raw('POST', '/api/v1/keys', '{"name": ', {
      'content-type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ status_code: 400, code: 'invalid', field: 'body' });
    expect(JSON.stringify(malformed.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    const proto = await admin.raw(
      'POST',
      '/api/v1/keys',
      '{"name":"x","__proto__":{"admin":true}}',
      {
        'content-type': 'application/json',
      },
    );
    expect(proto.status).toBe(400);
    expect(proto.body.error).toContain('__proto__');
  });

  it('refuses a NUL character anywhere in a request, naming where, and stores nothing', async () => {
    const admin = client(t.url, t.key);
    const json = { 'content-type': 'application/json' };
    const names = async () =>
      (await admin.get('/api/v1/keys?limit=100')).body.docs.map((k: { name: string }) => k.name);
    const before = await names();
    const named = await admin.raw('POST', '/api/v1/keys', '{"name":"a\\u0000b"}', json);
    expect(named.status).toBe(400);
    expect(named.body).toMatchObject({ code: 'invalid', field: 'name' });
    const deep = await admin.raw('POST', '/api/v1/keys', '{"x":{"y":["ok","\\u0000"]}}', json);
    expect(deep.body).toMatchObject({ code: 'invalid', field: 'x.y.1' });
    const key = await admin.raw('POST', '/api/v1/keys', '{"x":{"a\\u0000":1}}', json);
    expect(key.body.code).toBe('invalid');
    expect(key.body.field).toMatch(/^x\.a/);
    // An escaped backslash before "u0000" is text, not a NUL.
    const text = await admin.raw('POST', '/api/v1/keys', '{"name":"\\\\u0000"}', json);
    expect(text.status).toBe(200);
    expect((await names()).sort()).toEqual([...before, '\\u0000'].sort());
    const param = await admin.delete('/api/v1/keys/a%00b');
    expect(param.status).toBe(400);
    expect(param.body.field).toBe('id');
    const query = await admin.get('/api/v1/keys?limit=%00');
    expect(query.status).toBe(400);
    expect(query.body.field).toBe('limit');
  });

  it('answers 404 with the error body for an unknown endpoint and for a foreign id', async () => {
    const admin = client(t.url, t.key);
    expect((await admin.get('/v1/nope')).body).toMatchObject({
      status_code: 404,
      code: 'not_found',
    });
    expect((await admin.delete('/api/v1/keys/000000000000000000000000')).status).toBe(404);
  });

  it('serves an OpenAPI document generated from the request schemas', async () => {
    const response = await fetch(`${t.url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, any> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/keys'].post.requestBody).toBeDefined();
  });
});
