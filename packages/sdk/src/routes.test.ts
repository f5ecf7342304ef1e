import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuorumClient } from './client';
import { SDK_ROUTES, routeOf, type RouteName } from './routes';
import { sendJson, startLoopback, type LoopbackServer } from './test-support';

type Method = (...args: unknown[]) => unknown;

function methodOf(client: QuorumClient, name: RouteName): Method | undefined {
  const [group, method] = name.split('.') as [string, string];
  const owner = (client as unknown as Record<string, Record<string, unknown>>)[group];
  const value = owner?.[method];
  return typeof value === 'function' ? (value as Method).bind(owner) : undefined;
}

describe('the route table', () => {
  let server: LoopbackServer;
  let client: QuorumClient;
  beforeAll(async () => {
    server = await startLoopback((_request, response) => sendJson(response, 200, {}));
    client = new QuorumClient({ url: server.url, apiKey: 'k', retries: 1 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('names a method of the client for every entry', () => {
    const missing = (Object.keys(SDK_ROUTES) as RouteName[]).filter(
      (name) => !methodOf(client, name),
    );
    expect(missing).toEqual([]);
  });

  it('is what each method sends: its HTTP method and path', async () => {
    const wrong: string[] = [];
    for (const name of Object.keys(SDK_ROUTES) as RouteName[]) {
      const before = server.requests.length;
      // Path values first; a method whose first argument is a body sends that instead.
      const result = methodOf(client, name)!('p1', 'p2', {});
      const settled =
        result && typeof (result as AsyncGenerator).next === 'function'
          ? (result as AsyncGenerator).next()
          : result;
      await Promise.resolve(settled).catch(() => undefined);
      const sent = server.requests.slice(before);
      const { method, template } = routeOf(name);
      const path = new RegExp(`^${template.replace(/\{\w+\}/g, 'p[12]')}(\\?|$)`);
      if (sent.length !== 1 || sent[0]!.method !== method || !path.test(sent[0]!.url))
        wrong.push(
          `${name}: sent ${sent.map((r) => `${r.method} ${r.url}`).join(', ') || 'nothing'}`,
        );
    }
    expect(wrong).toEqual([]);
  });
});
