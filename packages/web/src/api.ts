/** The app's one way to the API: same-origin cookie, the CSRF token on writes, errors as `ApiError`. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

/** Set from sign-in and the current session; sent on every write. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is, with the content type given in `headers`. */
  rawBody?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Sends a request and hands back the answer unread, for callers that read it themselves (a
 * stream); an answer that is not OK is read here and thrown as `ApiError`.
 */
export async function requestResponse(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined && options.rawBody === undefined)
    headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body)),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'The server could not be reached; check your connection and retry');
  }
  if (!response.ok) {
    const body = ((await readJson(response)) ?? {}) as {
      error?: unknown;
      field?: unknown;
      code?: unknown;
    };
    throw new ApiError(
      response.status,
      typeof body.error === 'string' ? body.error : `Request failed (${response.status})`,
      typeof body.field === 'string' ? body.field : undefined,
      typeof body.code === 'string' ? body.code : undefined,
    );
  }
  return response;
}

/** The answer's body as JSON, or as text when it is not JSON. */
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/** JSON in, JSON out; 204 gives `undefined`. */
export async function request<T>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const response = await requestResponse(method, path, options);
  if (response.status === 204) return undefined as T;
  return (await readJson(response)) as T;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body: unknown = {}, options?: RequestOptions) =>
    request<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};

/** A path segment, encoded. */
export const seg = (value: string) => encodeURIComponent(value);

/** A task's media address the browser can load: files stored here are served by id. */
export function mediaUrl(url: string): string {
  const stored = /^scaledata:\/\/[^/]+\/([^/?#]+)$/.exec(url);
  return stored ? `/v1/files/${encodeURIComponent(stored[1]!)}/content` : url;
}

/** Posts NDJSON (one JSON object per line), as the bulk endpoint takes it. */
export function postNdjson<T>(path: string, lines: string): Promise<T> {
  return request<T>('POST', path, {
    headers: { 'content-type': 'application/x-ndjson' },
    rawBody: lines,
  });
}
