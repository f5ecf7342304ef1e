import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { QuorumClient } from './client';
import { QuorumError } from './errors';
import { sendJson, startLoopback, type LoopbackServer } from './test-support';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Writes `bytes` in pieces of `size` bytes, each its own write. */
async function writeInPieces(response: ServerResponse, bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) {
    response.write(bytes.subarray(i, i + size));
    await tick();
  }
}

async function serve(handle: Parameters<typeof startLoopback>[0]) {
  server = await startLoopback(handle);
  return new QuorumClient({ url: server.url, apiKey: 'k' });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('streamed exports', () => {
  it('parses JSON lines split anywhere, even inside a character', async () => {
    const records = [{ prompt: 'café ☕', chosen: 'a' }, { prompt: '', chosen: 'b\nc' }, { n: 3 }];
    const text = `${records.map((r) => JSON.stringify(r)).join('\n')}\n\n`;
    const client = await serve(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      await writeInPieces(response, Buffer.from(text.slice(0, -2)), 3);
      response.end();
    });
    expect(await collect(client.generations.export('g1', { format: 'trl' }))).toEqual(records);
    expect(server!.requests[0]!.url).toBe('/api/v1/generations/g1/export?format=trl');
  });

  it('yields each record as it arrives, before the answer is complete', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const client = await serve(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write('{"n":1}\n');
      // Nothing more until the client has the first record: a buffering reader would wait forever.
      await released;
      response.end('{"n":2}\n');
    });
    const seen: unknown[] = [];
    for await (const record of client.redteam.export('c1', { format: 'trl' })) {
      seen.push(record);
      release();
    }
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  }, 10_000);

  it('closes the connection when the caller stops early', async () => {
    let closed!: () => void;
    const wasClosed = new Promise<void>((resolve) => (closed = resolve));
    const client = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      let n = 0;
      const timer = setInterval(() => response.write(`{"n":${n++}}\n`), 2);
      response.on('close', () => {
        clearInterval(timer);
        closed();
      });
    });
    const seen: unknown[] = [];
    for await (const record of client.generations.export('g1', { format: 'arena' })) {
      seen.push(record);
      if (seen.length === 3) break;
    }
    await wasClosed;
    expect(seen).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
  }, 10_000);

  it('reads a JSON-array export element by element, whatever its strings hold', async () => {
    const tasks = [
      { task_id: 'a', params: { text: 'a, b ] } [ {', quote: 'he said "x, ]" \\ ok' } },
      { task_id: 'b', params: { nested: [[1, 2], { x: [] }] } },
      { task_id: 'c', params: {} },
    ];
    const text = `[\n${tasks.map((t) => JSON.stringify(t)).join(',\n')}\n]\n`;
    const client = await serve(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      await writeInPieces(response, Buffer.from(text), 1);
      response.end();
    });
    const got = await collect(client.projects.export('p', { format: 'scale', answers: true }));
    expect(got).toEqual(tasks);
    expect(server!.requests[0]!.url).toBe('/api/v1/projects/p/export?format=scale&answers=true');
  });

  it('reads an empty array and JSON lines by the content type', async () => {
    const client = await serve((request, response) => {
      if (request.url.includes('scale')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('[\n]\n');
      } else {
        response.writeHead(200, { 'content-type': 'application/x-ndjson' });
        response.end('{"task_id":"x"}\n');
      }
    });
    expect(await collect(client.projects.export('p', { format: 'scale' }))).toEqual([]);
    expect(await collect(client.projects.export('p', { format: 'jsonl' }))).toEqual([
      { task_id: 'x' },
    ]);
  });

  it('refuses a line that is not JSON, naming it', async () => {
    const client = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.end('{"ok":1}\n<html>\n');
    });
    const error = await collect(client.generations.export('g1', { format: 'sft' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QuorumError);
    expect(error).toMatchObject({
      code: 'invalid_response',
      message: 'line 2 of the answer is not JSON',
    });
  });

  it('raises a stream cut midway as a network error, after the records that came', async () => {
    const client = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write('{"n":1}\n{"n":');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const record of client.generations.export('g1', { format: 'trl' }))
        seen.push(record);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ n: 1 }]);
    expect(error).toBeInstanceOf(QuorumError);
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
  });

  it('answers an error before the stream as a QuorumError', async () => {
    const client = await serve((_request, response) =>
      sendJson(response, 404, { error: 'Generation "g9" was not found', code: 'not_found' }),
    );
    await expect(collect(client.generations.export('g9', { format: 'kto' }))).rejects.toMatchObject(
      { status: 404, code: 'not_found' },
    );
  });

  it('offers the raw bytes with the type and file name', async () => {
    const client = await serve((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': 'attachment; filename="p-jsonl.jsonl"',
      });
      response.end('{"task_id":"x"}\n');
    });
    const download = await client.projects.exportStream('p', { format: 'jsonl' });
    expect(download.filename).toBe('p-jsonl.jsonl');
    expect(download.contentType).toMatch(/x-ndjson/);
    expect(await new Response(download.body).text()).toBe('{"task_id":"x"}\n');
  });

  it('hands a ZIP export over as the bytes that came', async () => {
    const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x80, 0xfe]);
    const client = await serve((request, response) => {
      expect(request.url).toBe('/api/v1/projects/p/export?format=yolo&status=all');
      response.writeHead(200, {
        'content-type': 'application/zip',
        'content-disposition': 'attachment; filename="p-yolo.zip"',
      });
      response.end(bytes);
    });
    const download = await client.projects.exportStream('p', { format: 'yolo', status: 'all' });
    expect(download).toMatchObject({ contentType: 'application/zip', filename: 'p-yolo.zip' });
    expect(Buffer.from(await new Response(download.body).arrayBuffer())).toEqual(bytes);
  });
});

describe('streamed chat turns', () => {
  const transcript = {
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there' },
    ],
    turnsLeft: 1,
    reply: { content: 'Hello there', finishReason: 'stop', latencyMs: 12 },
  };

  it('yields the reply piece by piece, then the recorded transcript', async () => {
    const events = [
      ': a comment\r\n',
      'event: delta\r\ndata: {"content":"Hello"}\r\n\r\n',
      'event: delta\ndata: {"content":" there"}\n\n',
      `event: done\ndata: ${JSON.stringify(transcript)}\n\n`,
    ].join('');
    const client = await serve(async (request, response) => {
      expect(request.headers.accept).toBe('text/event-stream');
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      await writeInPieces(response, Buffer.from(events), 7);
      response.end();
    });
    const got = await collect(client.work.streamTurn('a1', 'Hi'));
    expect(got).toEqual([
      { type: 'delta', content: 'Hello' },
      { type: 'delta', content: ' there' },
      { type: 'done', transcript },
    ]);
    expect(JSON.parse(server!.requests[0]!.body)).toEqual({ content: 'Hi' });
  });

  it('raises the failure the stream reports midway as a 503', async () => {
    const client = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(
        'event: delta\ndata: {"content":"Hel"}\n\nevent: error\ndata: {"error":"The model stalled"}\n\n',
      );
    });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const event of client.work.streamTurn('a1', 'Hi')) seen.push(event);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ type: 'delta', content: 'Hel' }]);
    expect(error).toMatchObject({ status: 503, code: 'unavailable', message: 'The model stalled' });
  });

  it('raises a stream that ends without its transcript', async () => {
    const client = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('event: delta\ndata: {"content":"Hel"}\n\n');
    });
    await expect(collect(client.work.streamTurn('a1', 'Hi'))).rejects.toMatchObject({
      status: 503,
    });
  });

  it('takes a transcript answered at once as one piece and the end', async () => {
    const client = await serve((_request, response) => sendJson(response, 200, transcript));
    expect(await collect(client.work.streamTurn('a1', 'Hi'))).toEqual([
      { type: 'delta', content: 'Hello there' },
      { type: 'done', transcript },
    ]);
  });
});

describe('streamed uploads', () => {
  it('streams bulk tasks from an async iterable as JSON lines', async () => {
    const client = await serve((request, response) =>
      sendJson(response, 200, { created: request.body.trim().split('\n').length, task_ids: [] }),
    );
    async function* tasks() {
      for (let i = 0; i < 2000; i++) yield { project: 'p', attachment: `t${i}` };
    }
    expect((await client.tasks.bulkCreate(tasks(), { type: 'categorization' })).created).toBe(2000);
    const [request] = server!.requests;
    expect(request!.url).toBe('/api/v1/tasks/bulk?type=categorization');
    expect(request!.headers['content-type']).toBe('application/x-ndjson');
    expect(request!.body.split('\n')[1]).toBe('{"project":"p","attachment":"t1"}');
  });

  it('uploads a file as multipart with its fields before the bytes', async () => {
    const client = await serve((_request, response) => sendJson(response, 200, { id: 'f1' }));
    await client.files.upload(new Uint8Array([1, 2, 3]), {
      filename: 'x.bin',
      project_name: 'p',
      metadata: { a: 1 },
    });
    const [request] = server!.requests;
    expect(request!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const body = request!.body;
    expect(body.indexOf('name="project_name"')).toBeLessThan(body.indexOf('name="file"'));
    expect(body).toContain('{"a":1}');
    expect(body).toContain('filename="x.bin"');
  });
});
