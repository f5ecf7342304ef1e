import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@quorum/core';
import { createEgressGuard, type HostLookup } from './guard';

// One real server on loopback; each test reads the requests it saw.
let server: Server;
let port: number;
let connections = 0;
const seen: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }> = [];

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const redirect =
  (status: number, location: string): Route =>
  (_req, res) => {
    res.writeHead(status, { location });
    res.end('redirect body the guard never reads');
  };

const routes: Record<string, Route> = {
  '/hello': (_req, res) => res.end('hello'),
  '/echo': (req, res, body) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
  },
  '/to-private': redirect(302, 'http://10.0.0.5/secret'),
  '/to-metadata-name': redirect(302, 'http://metadata.google.internal/computeMetadata/v1/'),
  '/to-file': redirect(302, 'file:///etc/passwd'),
  '/loop': redirect(302, '/loop'),
  '/see-other': redirect(303, '/echo'),
  '/found': redirect(302, '/echo'),
  '/temporary': redirect(307, '/echo'),
  '/to-other-origin': (_req, res) => {
    res.writeHead(302, { location: `http://other.test:${port}/echo` });
    res.end();
  },
  '/big': (_req, res) => {
    res.writeHead(200, { 'content-length': '5000' });
    res.end('x'.repeat(5000));
  },
  '/chunked': (_req, res) => {
    for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
    res.end();
  },
  // Streams without end until the client goes away: only a cap on arriving bytes stops it.
  '/endless': (_req, res) => {
    const chunk = Buffer.alloc(1000, 'z');
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  },
  '/hang': () => {},
  '/hang-after-head': (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('only part of it');
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      seen.push({ method: req.method ?? '', path, headers: req.headers });
      const route = routes[path];
      if (route) return route(req, res, Buffer.concat(chunks).toString());
      res.statusCode = 404;
      res.end();
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const local = (path: string) => `http://127.0.0.1:${port}${path}`;
/** Resolves every name to loopback, where the test server listens. */
const toLoopback: HostLookup = async () => [{ address: '127.0.0.1', family: 4 }];
const loopbackAllowed = () => createEgressGuard({ allow: ['127.0.0.1/32'], lookup: toLoopback });

/** The DomainError `work` fails with; fails the test if it succeeds or fails otherwise. */
async function failure(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

async function text(work: Promise<{ buffer(): Promise<Buffer> }>): Promise<string> {
  return (await (await work).buffer()).toString();
}

describe('destinations', () => {
  it('refuses loopback when nothing allows it, without connecting', async () => {
    const before = connections;
    const error = await failure(createEgressGuard({ allow: [] }).request(local('/hello')));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe(
      'Outbound request to 127.0.0.1 refused: loopback address; allow it with QUORUM_EGRESS_ALLOW',
    );
    expect(connections).toBe(before);
  });

  it('lets loopback through when a CIDR lists it', async () => {
    expect(
      await text(createEgressGuard({ allow: ['127.0.0.1/32'] }).request(local('/hello'))),
    ).toBe('hello');
  });

  it('lets a host through when its name is listed, resolved by the system resolver', async () => {
    const guard = createEgressGuard({ allow: ['localhost'] });
    expect(await text(guard.request(`http://localhost:${port}/hello`))).toBe('hello');
    // The name, not the address, is listed.
    expect((await failure(guard.request(local('/hello')))).code).toBe('forbidden');
  });

  it('refuses a name that resolves to any private address, without connecting', async () => {
    const before = connections;
    const guard = createEgressGuard({
      allow: [],
      lookup: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ],
    });
    const error = await failure(guard.request(`http://internal.test:${port}/hello`));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe(
      'Outbound request to internal.test refused: it resolves to 10.0.0.5 (private address); allow it with QUORUM_EGRESS_ALLOW',
    );
    expect(connections).toBe(before);
  });

  it('resolves once and connects to the checked address, so DNS cannot rebind', async () => {
    // First answer: the address that passes the check (loopback, listed, stands in for a public
    // one). Any later answer points elsewhere; had the guard looked up again, the request would
    // fail or go astray.
    const answers = [
      [{ address: '127.0.0.1', family: 4 as const }],
      [{ address: '10.0.0.5', family: 4 as const }],
    ];
    let lookups = 0;
    const guard = createEgressGuard({
      allow: ['127.0.0.1/32'],
      lookup: async () => answers[Math.min(lookups++, 1)]!,
    });
    const response = await guard.request(`http://rebind.test:${port}/echo`);
    const echoed = JSON.parse((await response.buffer()).toString());
    expect(lookups).toBe(1);
    // The Host header still names the host, as TLS SNI would.
    expect(echoed.headers.host).toBe(`rebind.test:${port}`);
  });

  it('checks the address the URL parser normalised IP literals to', async () => {
    const before = connections;
    const guard = createEgressGuard({ allow: [] });
    for (const [url, host] of [
      [`http://2130706433:${port}/`, '127.0.0.1'],
      [`http://0x7f.1:${port}/`, '127.0.0.1'],
      [`http://0177.0.0.1:${port}/`, '127.0.0.1'],
      [`http://0.0.0.0:${port}/`, '0.0.0.0'],
      [`http://[::ffff:127.0.0.1]:${port}/`, '::ffff:7f00:1'],
      [`http://[::1]:${port}/`, '::1'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ] as const) {
      const error = await failure(guard.request(url));
      expect(error.code, url).toBe('forbidden');
      expect(error.message, url).toContain(`Outbound request to ${host} refused`);
    }
    expect(connections).toBe(before);
  });

  it('refuses metadata host names before any lookup', async () => {
    let lookups = 0;
    const guard = createEgressGuard({
      allow: [],
      lookup: async () => {
        lookups++;
        return [{ address: '93.184.216.34', family: 4 }];
      },
    });
    for (const url of [
      'http://metadata.google.internal/',
      'http://METADATA.google.internal./',
      'http://metadata/',
    ]) {
      const error = await failure(guard.request(url));
      expect(error.code, url).toBe('forbidden');
      expect(error.message, url).toMatch(/cloud metadata host/);
    }
    expect(lookups).toBe(0);
  });

  it('refuses schemes other than http and https', async () => {
    const guard = createEgressGuard({ allow: [] });
    for (const url of [
      'file:///etc/passwd',
      'ftp://example.com/x',
      'gopher://example.com/',
      'data:text/plain,hi',
    ]) {
      const error = await failure(guard.request(url));
      expect(error.code, url).toBe('invalid');
      expect(error.message, url).toMatch(/^Outbound URL must use http or https, not [a-z]+:$/);
    }
    expect((await failure(guard.request('not a url'))).message).toBe(
      'Outbound URL is not a valid absolute URL',
    );
  });

  it('refuses credentials in the URL without repeating them', async () => {
    const guard = createEgressGuard({ allow: ['127.0.0.1/32'] });
    for (const url of [`http://user:s3cret@127.0.0.1:${port}/`, `http://user@127.0.0.1:${port}/`]) {
      const error = await failure(guard.request(url));
      expect(error.code).toBe('invalid');
      expect(error.message).toMatch(/must not contain credentials/);
      expect(error.message).not.toContain('s3cret');
    }
  });

  it('reports a name that does not resolve and a port that refuses as unavailable', async () => {
    const unresolvable = createEgressGuard({
      allow: [],
      lookup: () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })),
    });
    expect(await failure(unresolvable.request('http://nowhere.test/'))).toMatchObject({
      code: 'unavailable',
      message: 'Outbound request to nowhere.test failed: cannot resolve the host (ENOTFOUND)',
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(loopbackAllowed().request(`http://127.0.0.1:${closedPort}/`));
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(error.message).toMatch(/connection refused/);
  });

  it('refuses to start with an allow entry it cannot read', () => {
    expect(() => createEgressGuard({ allow: ['10.0.0.0/40'] })).toThrow(/QUORUM_EGRESS_ALLOW/);
  });
});

describe('redirects', () => {
  it('checks each hop again and refuses one to a blocked address or name', async () => {
    const guard = loopbackAllowed();
    const toPrivate = await failure(guard.request(local('/to-private')));
    expect(toPrivate.code).toBe('forbidden');
    expect(toPrivate.message).toContain('Outbound request to 10.0.0.5 refused: private address');
    expect((await failure(guard.request(local('/to-metadata-name')))).code).toBe('forbidden');
    expect(await failure(guard.request(local('/to-file')))).toMatchObject({
      code: 'invalid',
      message: 'Redirect target must use http or https, not file:',
    });
  });

  it('follows at most maxRedirects and fails past them', async () => {
    const guard = loopbackAllowed();
    const before = seen.filter((r) => r.path === '/loop').length;
    const error = await failure(guard.request(local('/loop'), { maxRedirects: 3 }));
    expect(error).toMatchObject({
      code: 'unavailable',
      message: 'Outbound request to 127.0.0.1 failed: more than 3 redirects',
    });
    expect(seen.filter((r) => r.path === '/loop').length - before).toBe(4);
  });

  it('answers with the redirect itself when maxRedirects is 0', async () => {
    const response = await loopbackAllowed().request(local('/loop'), { maxRedirects: 0 });
    response.body.resume();
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/loop');
  });

  it('turns a POST into a GET without body on 303 and 302, and keeps it on 307', async () => {
    const guard = loopbackAllowed();
    const post = {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    };
    for (const path of ['/see-other', '/found']) {
      const response = await guard.request(local(path), post);
      const echoed = JSON.parse((await response.buffer()).toString());
      expect(echoed.method, path).toBe('GET');
      expect(echoed.body, path).toBe('');
      expect(echoed.headers['content-type'], path).toBeUndefined();
      expect(response.url).toBe(local('/echo'));
    }
    const kept = JSON.parse(await text(guard.request(local('/temporary'), post)));
    expect(kept).toMatchObject({ method: 'POST', body: '{"a":1}' });
  });

  it('drops credentials on a redirect to another origin and keeps them on the same one', async () => {
    const guard = loopbackAllowed();
    const headers = {
      Authorization: 'Bearer t',
      Cookie: 'c=1',
      'Scale-Callback-Auth': 'k',
      'X-Trace': 'x',
    };
    const crossed = JSON.parse(await text(guard.request(local('/to-other-origin'), { headers })));
    expect(crossed.headers.host).toBe(`other.test:${port}`);
    expect(crossed.headers.authorization).toBeUndefined();
    expect(crossed.headers.cookie).toBeUndefined();
    expect(crossed.headers['scale-callback-auth']).toBeUndefined();
    expect(crossed.headers['x-trace']).toBe('x');
    const same = JSON.parse(await text(guard.request(local('/found'), { headers })));
    expect(same.headers.authorization).toBe('Bearer t');
  });
});

describe('caps', () => {
  it('asks for the identity encoding, so the size cap counts real bytes', async () => {
    const echoed = JSON.parse(
      await text(
        loopbackAllowed().request(local('/echo'), { headers: { 'Accept-Encoding': 'gzip' } }),
      ),
    );
    expect(echoed.headers['accept-encoding']).toBe('identity');
    expect(echoed.headers['user-agent']).toBe('Quorum');
  });

  it('refuses a body whose Content-Length is over maxBytes before reading it', async () => {
    const error = await failure(loopbackAllowed().request(local('/big'), { maxBytes: 1000 }));
    expect(error).toMatchObject({
      code: 'payload_too_large',
      message: 'Outbound response from 127.0.0.1 too large: Content-Length 5000 exceeds 1000 bytes',
    });
    expect(await text(loopbackAllowed().request(local('/big'), { maxBytes: 5000 }))).toHaveLength(
      5000,
    );
  });

  it('counts the bytes of a chunked body as they arrive', async () => {
    const guard = loopbackAllowed();
    const response = await guard.request(local('/chunked'), { maxBytes: 4000 });
    expect(response.headers['content-length']).toBeUndefined();
    expect(await failure(response.buffer())).toMatchObject({
      code: 'payload_too_large',
      message: 'Outbound response from 127.0.0.1 too large: more than 4000 bytes',
    });
    expect(await text(guard.request(local('/chunked'), { maxBytes: 10_000 }))).toHaveLength(10_000);
  });

  it('stops a body that never ends once it passes maxBytes', async () => {
    const response = await loopbackAllowed().request(local('/endless'), { maxBytes: 50_000 });
    expect((await failure(response.buffer())).message).toMatch(/too large: more than 50000 bytes/);
  });

  it('times out on a server that never answers', async () => {
    const error = await failure(loopbackAllowed().request(local('/hang'), { timeoutMs: 100 }));
    expect(error).toMatchObject({
      code: 'unavailable',
      message: 'Outbound request to 127.0.0.1 timed out after 100 ms',
    });
  });

  it('times out on a body that stops arriving, because the time cap covers the body', async () => {
    const response = await loopbackAllowed().request(local('/hang-after-head'), { timeoutMs: 300 });
    expect(response.status).toBe(200);
    expect((await failure(response.buffer())).message).toMatch(/timed out/);
  });

  it('times out on a lookup that never answers', async () => {
    const guard = createEgressGuard({ allow: [], lookup: () => new Promise(() => {}) });
    expect((await failure(guard.request('http://slow-dns.test/', { timeoutMs: 50 }))).message).toBe(
      'Outbound request to slow-dns.test timed out after 50 ms',
    );
  });
});
