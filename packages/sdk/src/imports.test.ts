import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuorumClient } from './client';
import { sendJson, startLoopback, type LoopbackServer } from './test-support';

describe('imports', () => {
  let server: LoopbackServer;
  let client: QuorumClient;
  beforeAll(async () => {
    server = await startLoopback((_request, response) =>
      sendJson(response, 200, { created: 1, skipped: 0, problems: [] }),
    );
    client = new QuorumClient({ url: server.url, apiKey: 'k', retries: 1 });
  });
  afterAll(async () => {
    await server?.close();
  });
  const last = () => server.requests[server.requests.length - 1]!;

  it('sends a file as it is, typed after its format', async () => {
    await client.projects.importTasks('p', 'attachment\nx\n', { format: 'csv', skipBadRows: true });
    expect(last().url).toBe('/api/v1/projects/p/import?format=csv&skipBadRows=true');
    expect(last().headers['content-type']).toBe('text/csv');
    expect(last().body).toBe('attachment\nx\n');
    await client.projects.importTasks('p', '[{"data":{}}]', { format: 'labelstudio' });
    expect(last().headers['content-type']).toBe('application/json');
  });

  it('sends records as JSON lines, which the jsonl and labelstudio formats read', async () => {
    const tasks = [{ data: { image: 'a.jpg' } }, { data: { image: 'b.jpg' } }];
    await client.projects.importTasks('p', tasks, { format: 'labelstudio', as: 'responses' });
    expect(last().headers['content-type']).toBe('application/x-ndjson');
    expect(last().body).toBe(`${JSON.stringify(tasks[0])}\n${JSON.stringify(tasks[1])}\n`);
  });

  it('sends an archive’s bytes as application/zip, and a labeling config as JSON', async () => {
    const bytes = Uint8Array.of(0x50, 0x4b, 5, 6);
    await client.projects.importArchive('p', bytes, { batch: 'b1' });
    expect(last().url).toBe('/api/v1/projects/p/import-archive?batch=b1');
    expect(last().headers['content-type']).toBe('application/zip');
    expect(Buffer.from(last().body, 'latin1')).toEqual(Buffer.from(bytes));
    await client.projects.fromLabelStudioConfig('street', '<View/>');
    expect(JSON.parse(last().body)).toEqual({ name: 'street', config: '<View/>' });
  });
});
