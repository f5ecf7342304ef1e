import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../src/services/api-keys';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai';

describe.each(BACKENDS)('model endpoints on %s', (backend) => {
  let t: TestPlatform;
  let fake: FakeOpenAi;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    t = await startTestPlatform(backend, { QUORUM_EGRESS_ALLOW: '127.0.0.1' });
    api = client(t.url, t.key);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const register = (name: string, model: string, extra: Record<string, unknown> = {}) =>
    api.post('/api/v1/models', { name, baseUrl: fake.url, model, ...extra });
  const call = (name: string, content = 'hello there') =>
    api.post(`/api/v1/models/${name}/call`, { messages: [{ role: 'user', content }] });

  it('registers an endpoint, keeps its key encrypted, and answers a chat through it', async () => {
    const created = await register('echo', 'echo', {
      apiKey: 'sk-test-secret-key-1234',
      parameters: { temperature: 0.2, max_tokens: 64 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'echo',
      hasApiKey: true,
      apiKeyHint: '1234',
      concurrency: 4,
    });
    expect(JSON.stringify(created.body)).not.toContain('sk-test-secret');
    const stored = await t.testDatabase.database.db
      .selectFrom('model_endpoints')
      .select('api_key_encrypted')
      .where('name', '=', 'echo')
      .executeTakeFirstOrThrow();
    expect(stored.api_key_encrypted).not.toContain('sk-test');

    const reply = await call('echo', 'What is the capital of France?');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      content: 'echo: What is the capital of France?',
      finishReason: 'stop',
      usage: { promptTokens: 6, completionTokens: 7 },
      attempts: 1,
    });
    const seen = fake.requests.at(-1)!;
    expect(seen.authorization).toBe('Bearer sk-test-secret-key-1234');
    expect(seen.body).toMatchObject({
      model: 'echo',
      temperature: 0.2,
      max_tokens: 64,
      stream: false,
    });
    expect(
      (await api.get('/api/v1/models')).body.docs.map((m: { name: string }) => m.name),
    ).toContain('echo');
  });

  it('refuses private and unresolvable addresses when registering, naming the field', async () => {
    const privateHost = await api.post('/api/v1/models', {
      name: 'inside',
      baseUrl: 'http://10.1.2.3/v1',
      model: 'x',
    });
    expect(privateHost.status).toBe(400);
    expect(privateHost.body.field).toBe('baseUrl');
    expect(privateHost.body.error).toMatch(/refused/);
    const nowhere = await api.post('/api/v1/models', {
      name: 'nowhere',
      baseUrl: 'http://no-such-host.invalid/v1',
      model: 'x',
    });
    expect(nowhere.status).toBe(400);
    expect(nowhere.body.error).toMatch(/cannot resolve/);
    const badParameter = await api.post('/api/v1/models', {
      name: 'p',
      baseUrl: fake.url,
      model: 'x',
      parameters: { temperature: 9 },
    });
    expect(badParameter.status).toBe(400);
    expect(badParameter.body.field).toMatch(/parameters\.temperature/);
    expect((await register('echo', 'echo')).status).toBe(409);
  });

  it('retries 429 with Retry-After and 500 with backoff, then fails with the reason', async () => {
    await register('flaky', 'flaky-429');
    const flaky = await call('flaky', 'retry me');
    expect(flaky.status).toBe(200);
    expect(flaky.body.attempts).toBe(3);
    await register('broken', 'error-500', { maxRetries: 1 });
    const before = fake.requests.length;
    const broken = await call('broken');
    expect(broken.status).toBe(503);
    expect(broken.body.error).toMatch(/failed after 2 attempts: HTTP 500/);
    expect(fake.requests.length - before).toBe(2);
  });

  it('marks garbage and empty replies as failures with the reason, never as answers', async () => {
    await register('garbage', 'garbage');
    const before = fake.requests.length;
    const garbage = await call('garbage');
    expect(garbage.status).toBe(503);
    expect(garbage.body.error).toMatch(/not a completion.*not JSON/);
    expect(fake.requests.length - before).toBe(1);
    await register('empty', 'empty');
    expect((await call('empty')).body.error).toMatch(/no choices/);
  });

  it('times out a slow reply and a trickling stream', async () => {
    await register('slow', 'slow', { timeoutMs: 1000, maxRetries: 0 });
    const slow = await call('slow');
    expect(slow.status).toBe(503);
    expect(slow.body.error).toMatch(/timed out|time/i);
    await register('trickle', 'trickle', { timeoutMs: 1000, maxRetries: 0 });
    const trickle = await call('trickle');
    expect(trickle.status).toBe(503);
    expect(trickle.body.error).toMatch(/timed out|time/i);
  });

  it('keeps at most `concurrency` requests in flight per endpoint', async () => {
    await register('busy', 'busy', { concurrency: 2 });
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => call('busy', `q${i}`)));
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    expect(fake.maxInFlight('busy')).toBe(2);
  });

  it('removes an endpoint and keeps other organizations out', async () => {
    const acme = await t.testDatabase.database.db
      .transaction()
      .execute((tx) => createOrganization(tx, `acme-models-${backend}`));
    const other = client(t.url, acme.key);
    expect((await other.get('/api/v1/models')).body.docs).toEqual([]);
    expect(
      (await other.post('/api/v1/models/echo/call', { messages: [{ role: 'user', content: 'x' }] }))
        .status,
    ).toBe(404);
    expect((await api.delete('/api/v1/models/garbage')).status).toBe(200);
    expect((await call('garbage')).status).toBe(404);
  });
});
