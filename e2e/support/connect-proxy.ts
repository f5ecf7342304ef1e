import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

/**
 * A test-only forward proxy that lets a client with a hard-coded `https://<host>/` endpoint talk to
 * a local Quorum over plain HTTP: it accepts `CONNECT <host>:443`, terminates TLS with a
 * certificate for that host and pipes the decrypted bytes, unchanged, to the server. Any other
 * CONNECT target, and any plain proxied request, is refused with 403, so nothing it is asked for
 * ever leaves the machine.
 */

/** What one client sent through one tunnel and what the server answered, as text. */
export interface Exchange {
  /** The CONNECT target, `host:port`. */
  target: string;
  /** The server name the client asked for in its TLS hello (SNI). */
  servername: string | undefined;
  request: string;
  response: string;
}

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, the value for `HTTPS_PROXY`. */
  url: string;
  exchanges: Exchange[];
  /** CONNECT targets (and plain proxied URLs) that were answered 403. */
  refused: string[];
  close(): Promise<void>;
}

export interface SelfSignedCertificate {
  certPath: string;
  cert: string;
  key: string;
  remove(): void;
}

/** Why a certificate cannot be made here, or undefined when the `openssl` command works. */
export function opensslUnavailableReason(): string | undefined {
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (probe.error) return `the openssl command is not available (${probe.error.message})`;
  if (probe.status !== 0)
    return `\`openssl version\` exited with ${probe.status}: ${probe.stderr.trim()}`;
  return undefined;
}

/** A throwaway self-signed certificate for `host` (CN and subjectAltName), made with openssl. */
export function createSelfSignedCertificate(host: string): SelfSignedCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-proxy-cert-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=DNS:${host}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { encoding: 'utf8' },
  );
  if (made.error || made.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `openssl could not make a certificate for ${host}: ${made.error?.message ?? made.stderr}`,
    );
  }
  return {
    certPath,
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Keeps transcripts small whatever the test sends. */
const TRANSCRIPT_LIMIT = 64 * 1024;

export async function startConnectProxy(options: {
  /** The only host a CONNECT may name; port 443 is implied. */
  host: string;
  certificate: Pick<SelfSignedCertificate, 'cert' | 'key'>;
  /** Where decrypted traffic goes: Quorum's plain HTTP address, e.g. `http://127.0.0.1:4100`. */
  upstream: string;
}): Promise<ConnectProxy> {
  const allowed = `${options.host}:443`;
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:')
    throw new Error(`upstream must be http://, got ${options.upstream}`);
  const exchanges: Exchange[] = [];
  const refused: string[] = [];
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  // Never listening: sockets accepted by the HTTP server after CONNECT are handed to it.
  const tls = createTlsServer({ cert: options.certificate.cert, key: options.certificate.key });
  tls.on('tlsClientError', (_error, socket) => socket.destroy());
  tls.on('secureConnection', (client: TLSSocket) => {
    track(client);
    const exchange: Exchange = {
      target: allowed,
      servername: typeof client.servername === 'string' ? client.servername : undefined,
      request: '',
      response: '',
    };
    exchanges.push(exchange);
    const server: Socket = connectTcp(Number(upstream.port || 80), upstream.hostname);
    track(server);
    client.on('data', (chunk: Buffer) => {
      if (exchange.request.length < TRANSCRIPT_LIMIT) exchange.request += chunk.toString('utf8');
    });
    server.on('data', (chunk: Buffer) => {
      if (exchange.response.length < TRANSCRIPT_LIMIT) exchange.response += chunk.toString('utf8');
    });
    client.pipe(server).pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });

  const http = createServer((request, response) => {
    refused.push(request.url ?? '');
    response.writeHead(403, { 'content-type': 'text/plain', connection: 'close' });
    response.end('This test proxy only tunnels CONNECT to the Scale API host.\n');
  });
  http.on('connect', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    track(socket);
    socket.on('error', () => socket.destroy());
    if (request.url !== allowed) {
      refused.push(request.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    if (head.length > 0) socket.unshift(head);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    tls.emit('connection', socket);
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    refused,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The request line (`GET /v1/tasks?limit=2 HTTP/1.1`) and status line of an exchange. */
export function summarize(exchange: Exchange): { request: string; response: string } {
  const firstLine = (text: string) => text.slice(0, Math.max(0, text.indexOf('\r\n')));
  return { request: firstLine(exchange.request), response: firstLine(exchange.response) };
}
