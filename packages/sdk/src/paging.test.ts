import { afterEach, describe, expect, it } from 'vitest';
import { QuorumClient } from './client';
import { sendJson, startLoopback, type LoopbackServer } from './test-support';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ids = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Collects an async iterator, stopping after `max` items. */
async function take<T>(items: AsyncIterable<T>, max = Infinity): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
    if (out.length >= max) break;
  }
  return out;
}

async function serve(answer: (url: URL) => unknown) {
  server = await startLoopback((request, response) =>
    sendJson(response, 200, answer(new URL(request.url, 'http://x'))),
  );
  return new QuorumClient({ url: server.url, apiKey: 'k' });
}

describe('paging helpers', () => {
  it('follows next_token through every page of v1 tasks, keeping the query', async () => {
    const all = ids(7);
    const client = await serve((url) => {
      const from = Number(url.searchParams.get('next_token') ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      const docs = all.slice(from, from + limit).map((task_id) => ({ task_id }));
      const more = from + limit < all.length;
      return { docs, has_more: more, ...(more ? { next_token: String(from + limit) } : {}) };
    });
    const tasks = await take(client.tasks.iterate({ project: 'p', limit: 3 }));
    expect(tasks.map((t) => t.task_id)).toEqual(all);
    expect(server!.requests.map((r) => r.url)).toEqual([
      '/v1/tasks?project=p&limit=3',
      '/v1/tasks?project=p&limit=3&next_token=3',
      '/v1/tasks?project=p&limit=3&next_token=6',
    ]);
    // The group is also callable, as the first release's `client.tasks(query)` was.
    expect((await take(client.tasks({ limit: 3 }))).length).toBe(7);
  });

  it('fetches a page only when the caller reaches it', async () => {
    const client = await serve(() => ({
      docs: ids(3).map((task_id) => ({ task_id })),
      has_more: true,
      next_token: 'more',
    }));
    expect(await take(client.tasks.iterate({ limit: 3 }), 2)).toHaveLength(2);
    expect(server!.requests).toHaveLength(1);
  });

  it('pages batches by offset', async () => {
    const all = ids(5, 'b');
    const client = await serve((url) => {
      const offset = Number(url.searchParams.get('offset'));
      const docs = all.slice(offset, offset + 2).map((name) => ({ name }));
      return { docs, has_more: offset + docs.length < all.length, total: all.length };
    });
    expect((await take(client.batches.iterate({ limit: 2 }))).map((b) => b.name)).toEqual(all);
    expect(
      server!.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('offset')),
    ).toEqual(['0', '2', '4']);
  });

  it('pages workers and generation responses with `after`, and deliveries with next_token', async () => {
    const all = ids(5, 'w');
    const byAfter = (url: URL) => {
      const after = url.searchParams.get('after');
      const from = after ? all.indexOf(after) + 1 : 0;
      const limit = Number(url.searchParams.get('limit'));
      const docs = all.slice(from, from + limit).map((id) => ({ id }));
      return { docs, next: docs.length === limit ? docs.at(-1)!.id : null };
    };
    const client = await serve((url) => {
      if (url.pathname === '/api/v1/deliveries') {
        const from = Number(url.searchParams.get('next_token') ?? 0);
        const docs = all.slice(from, from + 4).map((id) => ({ id }));
        const more = from + 4 < all.length;
        return { docs, has_more: more, ...(more ? { next_token: String(from + 4) } : {}) };
      }
      return byAfter(url);
    });
    expect((await take(client.workers.iterate({ limit: 2 }))).map((w) => w.id)).toEqual(all);
    expect(
      (await take(client.generations.iterateResponses('g1', { limit: 5 }))).map((r) => r.id),
    ).toEqual(all);
    expect((await take(client.deliveries.iterate({ limit: 4 }))).map((d) => d.id)).toEqual(all);
    // An exactly full last page costs one more, empty request, which ends the list.
    expect(server!.requests.filter((r) => r.url.startsWith('/api/v1/generations'))).toHaveLength(2);
  });

  it('ends a list whose page is empty although it claims more', async () => {
    const client = await serve(() => ({ docs: [], has_more: true, next_token: 'again' }));
    expect(await take(client.tasks.iterate())).toEqual([]);
    expect(server!.requests).toHaveLength(1);
  });
});
