import { parseRetryAfter, retryDelayMs } from '@quorum/core';
import { errorFromAnswer, QuorumError } from './errors';
import { REPEATABLE_ROUTES, routeOf, type HttpMethod, type RouteName } from './routes';

export interface ClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** An API key, or a worker's personal token. */
  apiKey: string;
  /** Attempts for calls that are safe to repeat (see `REPEATABLE_ROUTES`); default 3. */
  retries?: number;
  fetch?: typeof fetch;
}

/** A query value: lists repeat the key; dates are sent as ISO-8601. */
export type QueryValue = string | number | boolean | Date | readonly string[] | null | undefined;

export interface CallOptions {
  /** Values of the path's `{placeholders}`. */
  params?: Record<string, string>;
  query?: object;
  /** A JSON body. */
  json?: unknown;
  /** A body sent as it is, with `contentType` (NDJSON text or stream, multipart form, file bytes). */
  raw?: string | FormData | ReadableStream<Uint8Array> | Uint8Array | Blob;
  contentType?: string;
  headers?: Record<string, string>;
  /** Overrides the route's own rule: true when this call is safe to repeat. */
  repeatable?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Statuses that say "try again": timeouts, rate limits and server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The URL query of an object: `undefined` and `null` are left out, lists repeat the key. */
export function searchParamsOf(query: object): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as Array<[string, QueryValue]>) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value])
      params.append(key, item instanceof Date ? item.toISOString() : String(item));
  }
  return params;
}

/** Fills a path template's `{placeholders}`, each encoded as one path segment. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`${template}: missing the value of {${name}}`);
    return encodeURIComponent(value);
  });
}

/**
 * Sends requests: authentication, bodies, the error mapping, and the retries of calls that are
 * safe to repeat (408, 429, 5xx and network errors, with backoff; Retry-After obeyed).
 */
export class Transport {
  readonly #url: string;
  readonly #authorization: string;
  readonly #attempts: number;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions) {
    this.#url = options.url.replace(/\/+$/, '');
    this.#authorization = `Basic ${btoa(`${options.apiKey}:`)}`;
    this.#attempts = Math.max(1, options.retries ?? 3);
    this.#fetch = options.fetch ?? fetch;
  }

  /** Calls a route and parses its JSON answer (`undefined` for an empty one, such as 204). */
  json<T>(route: RouteName, options: CallOptions = {}): Promise<T> {
    return this.#call(route, options, readJson<T>);
  }

  /** Calls a route and answers the OK response with its body unread, for streams and files. */
  open(route: RouteName, options: CallOptions = {}): Promise<Response> {
    return this.#call(route, options, async (response) => response);
  }

  /** Calls a route and reads its answer as text (CSV). */
  text(route: RouteName, options: CallOptions = {}): Promise<string> {
    return this.#call(route, options, (r) => r.text());
  }

  #call<T>(
    route: RouteName,
    options: CallOptions,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    const { method, template } = routeOf(route);
    return this.send(
      method,
      fillPath(template, options.params),
      options,
      isRepeatable(route),
      read,
    );
  }

  /**
   * One logical call: the first attempt, and for a repeatable call the retries. `read` runs inside
   * the attempt, so a connection that breaks while the answer is read is retried too.
   */
  async send<T>(
    method: HttpMethod,
    path: string,
    options: CallOptions,
    repeatable: boolean,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    const url = new URL(this.#url + path);
    if (options.query) url.search = searchParamsOf(options.query).toString();
    const attempts = (options.repeatable ?? repeatable) ? this.#attempts : 1;
    const init = this.#init(method, options);
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.#fetch(url, init);
      } catch (error) {
        if (attempt >= attempts) throw networkError(method, path, error);
        await sleep(retryDelayMs(attempt, undefined, Math.random()));
        continue;
      }
      if (!response.ok) {
        const error = errorFromAnswer(
          response.status,
          response.statusText,
          await response.text().catch(() => ''),
        );
        if (!isRetryableStatus(response.status) || attempt >= attempts) throw error;
        const retryAfter = parseRetryAfter(
          response.headers.get('retry-after') ?? undefined,
          new Date(),
        );
        await sleep(retryDelayMs(attempt, retryAfter, Math.random()));
        continue;
      }
      try {
        return await read(response);
      } catch (error) {
        if (error instanceof QuorumError) throw error;
        if (attempt >= attempts) throw networkError(method, path, error);
        await sleep(retryDelayMs(attempt, undefined, Math.random()));
      }
    }
  }

  #init(method: HttpMethod, options: CallOptions): RequestInit {
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      ...options.headers,
    };
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      return { method, headers, body: JSON.stringify(options.json) };
    }
    if (options.raw === undefined) return { method, headers };
    // FormData sets its own multipart content type with the boundary.
    if (options.contentType) headers['content-type'] = options.contentType;
    // A stream is sent as it is produced (and so cannot be repeated: such calls are not retried).
    const streamed = options.raw instanceof ReadableStream;
    return { method, headers, body: options.raw, ...(streamed ? { duplex: 'half' } : {}) };
  }
}

function isRepeatable(route: RouteName): boolean {
  const { method } = routeOf(route);
  return (
    method === 'GET' || method === 'PUT' || method === 'DELETE' || REPEATABLE_ROUTES.has(route)
  );
}

export async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new QuorumError(
      response.status,
      'invalid_response',
      `The server's answer is not JSON: ${JSON.stringify(text.slice(0, 120))}`,
    );
  }
}

function networkError(method: string, path: string, cause: unknown): QuorumError {
  const reason = cause instanceof Error ? (cause.cause ?? cause) : cause;
  const message = reason instanceof Error ? reason.message : String(reason);
  return new QuorumError(0, 'network_error', `${method} ${path}: ${message}`, undefined, {
    cause,
  });
}
