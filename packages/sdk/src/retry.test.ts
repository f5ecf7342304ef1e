import { afterEach, describe, expect, it } from 'vitest';
import { CLAIM_PATH } from '@quorum/core';
import { QuorumClient } from './client';
import { QuorumError } from './errors';
import {
  dropConnection,
  sendJson,
  startLoopback,
  type LoopbackServer,
  type SeenRequest,
} from './test-support';
import type { ServerResponse } from 'node:http';

const TASK = { task_id: 't1', status: 'pending' };
const unavailable = (response: ServerResponse) =>
  sendJson(
    response,
    503,
    { status_code: 503, error: 'Try later', code: 'unavailable' },
    { 'retry-after': '0' },
  );

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that fails the first `failures` requests with `fail`, then answers `body`. */
async function failingFirst(
  failures: number,
  fail: (response: ServerResponse, request: SeenRequest) => void,
  body: unknown = TASK,
) {
  server = await startLoopback((request, response, index) =>
    index < failures ? fail(response, request) : sendJson(response, 200, body),
  );
  return new QuorumClient({ url: server.url, apiKey: 'live_key', retries: 3 });
}

describe('retries of calls that are safe to repeat', () => {
  it('retries a GET answered 503 until it succeeds', async () => {
    const client = await failingFirst(2, unavailable);
    expect(await client.tasks.get('t1')).toEqual(TASK);
    expect(server!.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /v1/task/t1',
      'GET /v1/task/t1',
      'GET /v1/task/t1',
    ]);
  });

  it('retries 408, 429 and 500 as well', async () => {
    const statuses = [408, 429, 500];
    server = await startLoopback((_request, response, index) => {
      const status = statuses[index];
      if (status) sendJson(response, status, { error: 'again', code: 'x' }, { 'retry-after': '0' });
      else sendJson(response, 200, TASK);
    });
    const client = new QuorumClient({ url: server.url, apiKey: 'k', retries: 4 });
    expect(await client.batches.get('b')).toEqual(TASK);
    expect(server.requests).toHaveLength(4);
  });

  it('gives up after the configured attempts with the last error as a QuorumError', async () => {
    const client = await failingFirst(10, unavailable);
    const error = await client.projects.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuorumError);
    expect(error).toMatchObject({ status: 503, code: 'unavailable', message: 'Try later' });
    expect(server!.requests).toHaveLength(3);
  });

  it('does not retry a client error, and reports its code and field', async () => {
    const client = await failingFirst(1, (response) =>
      sendJson(response, 400, {
        status_code: 400,
        error: 'attachment: expected string',
        code: 'invalid',
        field: 'attachment',
      }),
    );
    await expect(client.tasks.get('t1')).rejects.toMatchObject({
      status: 400,
      code: 'invalid',
      field: 'attachment',
      message: 'attachment: expected string',
    });
    expect(server!.requests).toHaveLength(1);
  });

  it('does not retry a POST that is not safe to repeat', async () => {
    const client = await failingFirst(1, unavailable);
    await expect(client.tasks.complete('t1', { category: 'a' })).rejects.toMatchObject({
      status: 503,
    });
    await expect(client.work.claim({ project: 'p' })).resolves.toBeUndefined();
    // The claim went once and got the OK answer, which has no assignment.
    expect(server!.requests.map((r) => r.url)).toEqual(['/api/v1/tasks/t1/response', CLAIM_PATH]);
  });

  it('retries a create only when its unique_id makes it safe', async () => {
    const client = await failingFirst(1, unavailable);
    await expect(
      client.tasks.create('categorization', { project: 'p', attachment: 'x' }),
    ).rejects.toMatchObject({ status: 503 });
    expect(server!.requests).toHaveLength(1);

    const again = await failingFirst(1, unavailable);
    expect(
      await again.tasks.create('categorization', { project: 'p', attachment: 'x', unique_id: 'u' }),
    ).toEqual(TASK);
    expect(server!.requests).toHaveLength(2);
    expect(JSON.parse(server!.requests[1]!.body)).toMatchObject({ unique_id: 'u' });
  });

  it('answers the existing task when a retried create finds its unique_id taken', async () => {
    server = await startLoopback((request, response, index) => {
      if (index === 0) return dropConnection(response);
      if (request.method === 'POST')
        return sendJson(response, 409, { error: 'unique_id taken', code: 'conflict' });
      sendJson(response, 200, { docs: [TASK], has_more: false });
    });
    const client = new QuorumClient({ url: server.url, apiKey: 'k' });
    expect(
      await client.tasks.create('categorization', {
        project: 'p',
        attachment: 'x',
        unique_id: 'u',
      }),
    ).toEqual(TASK);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v1/task/categorization',
      'POST /v1/task/categorization',
      'GET /v1/tasks?unique_id=u&limit=1',
    ]);
  });

  it('sends one Idempotency-Key on every attempt of a submit, and a new one per submit', async () => {
    const client = await failingFirst(2, unavailable, { assignment: { id: 'a1' } });
    await client.work.submit('a1', { category: 'yes' });
    await client.work.submit('a1', { category: 'yes' });
    const keys = server!.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(4);
    expect(keys[0]).toBeTruthy();
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(keys[3]).not.toBe(keys[0]);
    await client.work.submit('a1', {}, 'chosen-key');
    expect(server!.requests.at(-1)!.headers['idempotency-key']).toBe('chosen-key');
  });

  it('retries the PATCH and PUT operations that set state', async () => {
    const client = await failingFirst(1, unavailable, { pay: { attempt: 5 } });
    await client.projects.changeSettings('p', { pay: { attempt: 5 } });
    const tags = await failingFirst(1, unavailable);
    await tags.tasks.addTags('t1', ['a']);
    expect(server!.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);
  });

  it('waits as long as Retry-After says before trying again', async () => {
    const client = await failingFirst(1, (response) =>
      sendJson(response, 429, { error: 'slow down', code: 'rate_limited' }, { 'retry-after': '1' }),
    );
    await client.tasks.get('t1');
    const [first, second] = server!.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries a GET whose connection is cut, and reports a cut POST as a network error', async () => {
    const client = await failingFirst(1, dropConnection);
    expect(await client.tasks.get('t1')).toEqual(TASK);
    expect(server!.requests).toHaveLength(2);

    const post = await failingFirst(1, dropConnection);
    const error = await post.tasks.complete('t1', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuorumError);
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
    expect(server!.requests).toHaveLength(1);
  });

  it('describes an error answer that is not JSON by its status', async () => {
    server = await startLoopback((_request, response) => {
      response.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
      response.end('<html>proxy error</html>');
    });
    const client = new QuorumClient({ url: server.url, apiKey: 'k', retries: 2 });
    await expect(client.tasks.get('t1')).rejects.toMatchObject({
      status: 502,
      code: 'error',
      message: 'Bad Gateway',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('authenticates with the key as the Basic user name', async () => {
    const client = await failingFirst(0, unavailable);
    await client.tasks.get('t/1');
    const [request] = server!.requests;
    expect(request!.headers.authorization).toBe(`Basic ${btoa('live_key:')}`);
    // Path values are one segment each.
    expect(request!.url).toBe('/v1/task/t%2F1');
  });
});
