import { lookup as dnsLookup } from 'node:dns/promises';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { DomainError } from '@quorum/core';
import {
  CappedBody,
  Deadline,
  bareHostname,
  networkError,
  send,
  tooLarge,
  type PinnedAddress,
} from './exchange';
import { createEgressPolicy, type EgressPolicy } from './policy';

/** One outbound HTTP request, after every check. */
export interface EgressRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Total time for connect, redirects and the whole body. */
  timeoutMs?: number;
  /** Bytes of response body read at most; past that the request fails. */
  maxBytes?: number;
  /**
   * Redirects followed at most (default 5); one more fails the request. 0 follows none and
   * answers with the redirect itself.
   */
  maxRedirects?: number;
}

export interface EgressResponse {
  status: number;
  headers: Record<string, string>;
  /** The URL that answered, after redirects. */
  url: string;
  /** The body, capped at maxBytes and bounded by the timeout; read it once. */
  body: Readable;
  /** Reads the whole (capped) body. */
  buffer(): Promise<Buffer>;
}

/** Every request the server makes to the outside goes through this. */
export interface EgressGuard {
  request(url: string, init?: EgressRequest): Promise<EgressResponse>;
  /** Refuses a URL the guard would not send to (bad scheme, private or unresolvable host). */
  check(url: string): Promise<void>;
}

/** Resolves a host name to every address it has (the default is the system resolver). */
export type HostLookup = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

export interface EgressOptions {
  /** QUORUM_EGRESS_ALLOW: host names and CIDRs let through although private. */
  allow: string[];
  lookup?: HostLookup;
  defaultTimeoutMs?: number;
  defaultMaxBytes?: number;
  userAgent?: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Credentials a caller meant for one origin; a redirect elsewhere must not carry them along.
const SENSITIVE_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'scale-callback-auth',
];
// Set by the guard itself: the Host must name the URL's host, and the size cap must count real
// bytes, so nothing compressed is asked for.
const GUARD_HEADERS = [
  'host',
  'accept-encoding',
  'content-length',
  'transfer-encoding',
  'connection',
];

const systemLookup: HostLookup = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/**
 * The outbound guard: http(s) only; the host resolved once and every address checked; the
 * connection pinned to the checked addresses (no second lookup to rebind); each redirect checked
 * again; one time budget for the whole exchange and a size cap on the bytes as they arrive.
 * Throws `invalid` for a malformed allow list.
 */
export function createEgressGuard(options: EgressOptions): EgressGuard {
  const policy = createEgressPolicy(options.allow);
  const lookup = options.lookup ?? systemLookup;
  const userAgent = options.userAgent ?? 'Quorum';

  async function check(rawUrl: string): Promise<void> {
    const url = parseOutboundUrl(rawUrl, 'url');
    const deadline = new Deadline(
      options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      bareHostname(url),
    );
    try {
      await checkDestination(url, policy, lookup, deadline);
    } finally {
      deadline.clear();
    }
  }

  async function request(rawUrl: string, init: EgressRequest = {}): Promise<EgressResponse> {
    let url = parseOutboundUrl(rawUrl, 'url');
    const timeoutMs = init.timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBytes = init.maxBytes ?? options.defaultMaxBytes ?? DEFAULT_MAX_BYTES;
    const maxRedirects = init.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    let headers = callerHeaders(init.headers ?? {});
    const deadline = new Deadline(timeoutMs, bareHostname(url));
    try {
      for (let redirects = 0; ; redirects++) {
        const addresses = await checkDestination(url, policy, lookup, deadline);
        const response = await send(
          { url, addresses, method, body, headers: wireHeaders(url, headers, body, userAgent) },
          deadline,
        );
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (!REDIRECTS.has(status) || location === undefined || maxRedirects === 0) {
          return respond(response, url, method, maxBytes, deadline);
        }
        // The redirect's own body is never read: it could be anything, of any size.
        response.destroy();
        if (redirects >= maxRedirects) {
          throw new DomainError(
            'unavailable',
            `Outbound request to ${bareHostname(url)} failed: more than ${maxRedirects} redirects`,
          );
        }
        const next = parseOutboundUrl(resolveLocation(location, url), 'redirect');
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          headers = without(headers, ['content-type']);
        }
        if (next.origin !== url.origin) headers = without(headers, SENSITIVE_HEADERS);
        url = next;
      }
    } catch (error) {
      deadline.clear();
      throw networkError(error, bareHostname(url), deadline);
    }
  }

  return { request, check };
}

/** Only absolute http(s) URLs without credentials; `source` says whose URL it was. */
function parseOutboundUrl(raw: string, source: 'url' | 'redirect'): URL {
  const what = source === 'url' ? 'Outbound URL' : 'Redirect target';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError('invalid', `${what} is not a valid absolute URL`, source);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError(
      'invalid',
      `${what} must use http or https, not ${url.protocol.slice(0, 20)}`,
      source,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new DomainError(
      'invalid',
      `${what} must not contain credentials (user:password@); send them in a header`,
      source,
    );
  }
  return url;
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw new DomainError('invalid', 'Redirect target is not a valid URL', 'redirect');
  }
}

/**
 * Resolves the URL's host once and checks every address (the WHATWG parser has already turned
 * `0x7f.1` and `2130706433` into `127.0.0.1`). Returns the addresses to pin the connection to.
 */
async function checkDestination(
  url: URL,
  policy: EgressPolicy,
  lookup: HostLookup,
  deadline: Deadline,
): Promise<PinnedAddress[]> {
  const host = bareHostname(url);
  const family = isIP(host);
  if (family !== 0) {
    const reason = policy.refuseAddress(host);
    if (reason !== undefined) throw refused(host, reason);
    return [{ address: host, family: family === 6 ? 6 : 4 }];
  }
  const hostReason = policy.refuseHost(host);
  if (hostReason !== undefined) throw refused(host, hostReason);
  let found: Array<{ address: string; family: number }>;
  try {
    found = await deadline.race(lookup(host));
  } catch (error) {
    if (error instanceof DomainError) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'DNS error';
    throw new DomainError(
      'unavailable',
      `Outbound request to ${host} failed: cannot resolve the host (${code})`,
    );
  }
  if (found.length === 0) {
    throw new DomainError(
      'unavailable',
      `Outbound request to ${host} failed: the host has no address`,
    );
  }
  const isHostAllowed = policy.isHostAllowed(host);
  const pinned: PinnedAddress[] = [];
  for (const { address } of found) {
    const addressFamily = isIP(address);
    if (!isHostAllowed) {
      const reason = addressFamily === 0 ? 'not an IP address' : policy.refuseAddress(address);
      if (reason !== undefined) throw refused(host, `it resolves to ${address} (${reason})`);
    }
    if (addressFamily === 0) {
      throw new DomainError('unavailable', `Outbound request to ${host} failed: bad DNS answer`);
    }
    pinned.push({ address, family: addressFamily === 6 ? 6 : 4 });
  }
  return pinned;
}

function refused(host: string, reason: string): DomainError {
  return new DomainError(
    'forbidden',
    `Outbound request to ${host} refused: ${reason}; allow it with QUORUM_EGRESS_ALLOW`,
  );
}

function respond(
  response: IncomingMessage,
  url: URL,
  method: string,
  maxBytes: number,
  deadline: Deadline,
): EgressResponse {
  const host = bareHostname(url);
  const declared = Number(response.headers['content-length']);
  const hasBody = method !== 'HEAD' && response.statusCode !== 204 && response.statusCode !== 304;
  if (hasBody && Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge(host, maxBytes, declared);
  }
  const body = new CappedBody(response, maxBytes, host, deadline);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    status: response.statusCode ?? 0,
    headers,
    url: url.href,
    body,
    async buffer() {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

function callerHeaders(headers: Record<string, string>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return without(lower, GUARD_HEADERS);
}

function wireHeaders(
  url: URL,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  userAgent: string,
): OutgoingHttpHeaders {
  return {
    'user-agent': userAgent,
    ...headers,
    host: url.host,
    'accept-encoding': 'identity',
    ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
  };
}

function without(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}
