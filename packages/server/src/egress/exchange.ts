import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { DomainError } from '@quorum/core';

/** An address the guard checked; the connection may go nowhere else. */
export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

/** One request/response exchange on the wire, to addresses already checked. */
export interface Hop {
  url: URL;
  addresses: PinnedAddress[];
  method: string;
  headers: OutgoingHttpHeaders;
  body?: string | Buffer;
}

/** One time budget for a whole request: lookups, every redirect and the body. */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;

  constructor(ms: number, host: string) {
    this.#timer = setTimeout(() => {
      this.#controller.abort(
        new DomainError('unavailable', `Outbound request to ${host} timed out after ${ms} ms`),
      );
    }, ms);
    // The sockets keep the process alive while they matter; the timer alone should not.
    this.#timer.unref();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The timeout error, once the deadline has passed. */
  get error(): DomainError | undefined {
    return this.signal.aborted ? (this.signal.reason as DomainError) : undefined;
  }

  clear(): void {
    clearTimeout(this.#timer);
  }

  /** Settles like `work`, or rejects with the timeout error if the deadline passes first. */
  race<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.error) return reject(this.error);
      const onAbort = () => reject(this.error);
      this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

/** Sends one request to the pinned addresses and resolves with the response head. */
export function send(hop: Hop, deadline: Deadline): Promise<IncomingMessage> {
  const host = bareHostname(hop.url);
  const transport = hop.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    if (deadline.error) return reject(deadline.error);
    let request: http.ClientRequest;
    try {
      request = transport.request({
        protocol: hop.url.protocol,
        host,
        port: hop.url.port === '' ? undefined : Number(hop.url.port),
        path: `${hop.url.pathname}${hop.url.search}`,
        method: hop.method,
        headers: hop.headers,
        // A fresh agent per request: no pooled socket outlives the check that allowed it.
        agent: false,
        lookup: pinnedLookup(hop.addresses),
        // The connection goes to the pinned address, but TLS still verifies the host name.
        servername: isIP(host) ? undefined : host,
        signal: deadline.signal,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'bad request';
      return reject(new DomainError('invalid', `Outbound request is malformed (${code})`));
    }
    request.once('response', resolve);
    // `on`, not `once`: a socket can fail again after the first error, and must not crash us.
    request.on('error', (error) => reject(networkError(error, host, deadline)));
    request.end(hop.body);
  });
}

function pinnedLookup(addresses: PinnedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family =
      options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
    const first = usable[0];
    if (!first) {
      const error: NodeJS.ErrnoException = new Error(`no checked IPv${family} address`);
      error.code = 'ENOTFOUND';
      return callback(error, '', 0);
    }
    if (options.all) callback(null, usable);
    else callback(null, first.address, first.family);
  };
}

/**
 * The response body as it arrives, failing once more than `maxBytes` came in or the deadline
 * passes. Destroying it closes the connection.
 */
export class CappedBody extends Readable {
  readonly #source: IncomingMessage;
  readonly #deadline: Deadline;
  readonly #onTimeout: () => void;
  #received = 0;
  #isComplete = false;

  constructor(source: IncomingMessage, maxBytes: number, host: string, deadline: Deadline) {
    super();
    this.#source = source;
    this.#deadline = deadline;
    this.#onTimeout = () => this.destroy(deadline.error);
    deadline.signal.addEventListener('abort', this.#onTimeout, { once: true });
    source.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      if (this.#received > maxBytes) return this.destroy(tooLarge(host, maxBytes));
      if (!this.push(chunk)) source.pause();
    });
    source.on('end', () => {
      this.#isComplete = true;
      this.push(null);
    });
    source.on('error', (error) => this.destroy(networkError(error, host, deadline)));
    source.on('close', () => {
      if (!this.#isComplete) {
        this.destroy(
          deadline.error ??
            new DomainError(
              'unavailable',
              `Outbound response from ${host} failed: connection closed before the body was complete`,
            ),
        );
      }
    });
  }

  override _read(): void {
    this.#source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#deadline.signal.removeEventListener('abort', this.#onTimeout);
    this.#deadline.clear();
    this.#source.destroy();
    callback(error);
  }
}

export function tooLarge(host: string, maxBytes: number, declared?: number): DomainError {
  const detail =
    declared === undefined
      ? `more than ${maxBytes} bytes`
      : `Content-Length ${declared} exceeds ${maxBytes} bytes`;
  return new DomainError(
    'payload_too_large',
    `Outbound response from ${host} too large: ${detail}`,
  );
}

const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  HPE_INVALID_CONSTANT: 'malformed HTTP response',
};

/** A client-safe description of a socket, DNS or TLS failure: the code, never a stack. */
export function networkError(error: unknown, host: string, deadline: Deadline): DomainError {
  if (error instanceof DomainError) return error;
  if (deadline.error) return deadline.error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const what =
    code === undefined ? 'network error' : `${NETWORK_FAILURES[code] ?? 'network error'} (${code})`;
  return new DomainError('unavailable', `Outbound request to ${host} failed: ${what}`);
}

/** The URL's host as a socket wants it: IPv6 literals without brackets. */
export function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}
