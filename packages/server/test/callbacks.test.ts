import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A callback receiver on loopback whose answer per path the test decides. */
async function startReceiver() {
  const received: Received[] = [];
  const answers = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body });
      const queue = answers.get(path);
      res.statusCode = queue && queue.length > 0 ? queue.shift()! : 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    answer: (path: string, statuses: number[]) => answers.set(path, statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until `check` returns a value (bounded; no timing assertion). */
async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const categorization = (callback_url: string, extra: Record<string, unknown> = {}) => ({
  project: 'hooks',
  attachment: 'callback me',
  categories: ['yes', 'no'],
  callback_url,
  ...extra,
});

describe.each(BACKENDS)('callbacks on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestPlatform(backend, {
      QUORUM_EGRESS_ALLOW: '127.0.0.1',
      QUORUM_CALLBACK_RETRY_SCALE: '0.0001',
      QUORUM_CALLBACK_MAX_ATTEMPTS: '3',
    });
    api = client(t.url, t.key);
    await api.post('/v1/projects', { type: 'categorization', name: 'hooks' });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const complete = async (body: Record<string, unknown>) => {
    const task = (await api.post('/v1/task/categorization', body)).body;
    const done = await api.post(`/api/v1/tasks/${task.task_id}/response`, {
      response: { category: 'yes' },
    });
    expect(done.status).toBe(200);
    return task.task_id as string;
  };

  it('posts Scale’s body with the callback auth key and a verifiable Standard Webhooks signature', async () => {
    const taskId = await complete(categorization(`${receiver.url}/ok`));
    const hit = await eventually(
      async () => receiver.received.find((r) => r.body.includes(taskId)),
      'the callback',
    );
    const body = JSON.parse(hit.body);
    expect(body).toMatchObject({
      task_id: taskId,
      status: 'completed',
      response: { category: 'yes' },
    });
    expect(body.task).toMatchObject({
      task_id: taskId,
      status: 'completed',
      callback_url: `${receiver.url}/ok`,
    });

    const keys = (await api.get('/api/v1/callback-keys')).body;
    expect(hit.headers['scale-callback-auth']).toBe(keys.callback_auth_key);
    const verified = new Webhook(keys.webhook_secret).verify(hit.body, {
      'webhook-id': String(hit.headers['webhook-id']),
      'webhook-timestamp': String(hit.headers['webhook-timestamp']),
      'webhook-signature': String(hit.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ task_id: taskId });

    const task = await eventually(async () => {
      const res = await api.get(`/v1/task/${taskId}`);
      return res.body.callback_succeeded === true ? res.body : undefined;
    }, 'callback_succeeded');
    expect(task.callback_succeeded).toBe(true);
  });

  it('retries a failing receiver until it acknowledges, logging every attempt', async () => {
    receiver.answer('/flaky', [500, 503]);
    const taskId = await complete(categorization(`${receiver.url}/flaky`));
    const delivery = await eventually(async () => {
      const page = await api.get(`/api/v1/deliveries?task_id=${taskId}`);
      const d = page.body.docs[0];
      return d?.status === 'succeeded' ? d : undefined;
    }, 'the third attempt');
    expect(delivery.attempts).toBe(3);
    const detail = (await api.get(`/api/v1/deliveries/${delivery.id}`)).body;
    expect(detail.attempt_log.map((a: { status_code: number }) => a.status_code)).toEqual([
      500, 503, 200,
    ]);
    expect(detail.payload.task_id).toBe(taskId);
    const hits = receiver.received.filter((r) => r.path === '/flaky');
    expect(new Set(hits.map((h) => h.headers['webhook-id'])).size).toBe(1);
  });

  it('gives up after the last attempt, marks the task, and redelivers on request', async () => {
    receiver.answer('/down', [500, 500, 500]);
    const taskId = await complete(categorization(`${receiver.url}/down`));
    const failed = await eventually(async () => {
      const d = (await api.get(`/api/v1/deliveries?task_id=${taskId}&status=failed`)).body.docs[0];
      return d;
    }, 'the delivery to fail');
    expect(failed.attempts).toBe(3);
    expect(failed.last_status_code).toBe(500);
    expect((await api.get(`/v1/task/${taskId}`)).body.callback_succeeded).toBe(false);

    const again = await api.post(`/api/v1/deliveries/${failed.id}/redeliver`);
    expect(again.body.status).toBe('pending');
    await eventually(async () => {
      const res = await api.get(`/v1/task/${taskId}`);
      return res.body.callback_succeeded === true ? true : undefined;
    }, 'the redelivery');
    const detail = (await api.get(`/api/v1/deliveries/${failed.id}`)).body;
    expect(detail.status).toBe('succeeded');
    expect(detail.attempt_log.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('announces a completed batch to its callback', async () => {
    await api.post('/v1/batches', {
      project: 'hooks',
      name: 'announced',
      callback: `${receiver.url}/batch`,
    });
    await complete({ batch: 'announced', attachment: 'one', categories: ['yes', 'no'] });
    const hit = await eventually(
      async () => receiver.received.find((r) => r.path === '/batch'),
      'the batch callback',
    );
    expect(JSON.parse(hit.body)).toMatchObject({
      status: 'completed',
      batch: { name: 'announced', status: 'completed' },
    });
  });

  it('sends the audit result as a callback too', async () => {
    const taskId = await complete(categorization(`${receiver.url}/audit`));
    await api.post(`/v1/task/${taskId}/audit`, { accepted: true });
    await eventually(async () => {
      const bodies = receiver.received
        .filter((r) => r.path === '/audit')
        .map((r) => JSON.parse(r.body));
      return bodies.some((b) => b.task.customer_review_status === 'accepted') ? true : undefined;
    }, 'the audit callback');
  });

  it('hides deliveries from other keys’ environments and answers 404 for foreign ids', async () => {
    const [any] = (await api.get('/api/v1/deliveries?limit=1')).body.docs;
    const testKey = (await api.post('/api/v1/keys', { name: 'test', environment: 'test' })).body
      .key;
    const sandbox = client(t.url, testKey);
    expect((await sandbox.get('/api/v1/deliveries')).body.docs).toEqual([]);
    expect((await sandbox.get(`/api/v1/deliveries/${any.id}`)).status).toBe(404);
    expect((await sandbox.post(`/api/v1/deliveries/${any.id}/redeliver`)).status).toBe(404);
    expect((await api.get('/api/v1/deliveries?next_token=nope')).body.field).toBe('next_token');
  });

  it('rotates the callback secrets', async () => {
    const before = (await api.get('/api/v1/callback-keys')).body;
    const after = (await api.post('/api/v1/callback-keys/rotate')).body;
    expect(after.callback_auth_key).not.toBe(before.callback_auth_key);
    expect(after.webhook_secret).toMatch(/^whsec_/);
    expect((await api.get('/api/v1/callback-keys')).body).toEqual(after);
  });
});

describe.each(BACKENDS)('callbacks to a private address without an allow list on %s', (backend) => {
  let t: TestPlatform;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestPlatform(backend, { QUORUM_CALLBACK_MAX_ATTEMPTS: '1' });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('are refused by the egress guard and recorded as failed, without reaching the receiver', async () => {
    const api = client(t.url, t.key);
    const task = (
      await api.post(
        '/v1/task/categorization',
        categorization(`${receiver.url}/private`, { project: undefined }),
      )
    ).body;
    await api.post(`/api/v1/tasks/${task.task_id}/response`, { response: { category: 'no' } });
    const failed = await eventually(async () => {
      return (await api.get(`/api/v1/deliveries?task_id=${task.task_id}&status=failed`)).body
        .docs[0];
    }, 'the refusal');
    expect(failed.last_error).toContain('refused');
    expect(failed.last_error).toContain('QUORUM_EGRESS_ALLOW');
    expect(receiver.received).toHaveLength(0);
  });
});

describe.each(BACKENDS)('a delivery still being attempted on %s', (backend) => {
  let t: TestPlatform;
  beforeAll(async () => {
    // No worker in this process: deliveries stay pending, as while an attempt is in flight.
    t = await startTestPlatform(backend, { QUORUM_WORKERS: 'off' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('cannot be redelivered until it has succeeded or failed', async () => {
    const api = client(t.url, t.key);
    const task = (
      await api.post('/v1/task/categorization', {
        attachment: 'pending',
        categories: ['a', 'b'],
        callback_url: 'https://hooks.example.com/quorum',
      })
    ).body;
    await api.post(`/api/v1/tasks/${task.task_id}/response`, { response: { category: 'a' } });
    const [delivery] = (await api.get(`/api/v1/deliveries?task_id=${task.task_id}`)).body.docs;
    expect(delivery.status).toBe('pending');
    const res = await api.post(`/api/v1/deliveries/${delivery.id}/redeliver`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
  });
});
