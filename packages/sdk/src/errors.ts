/**
 * An error answer from the server: its status and the body's `code`, `error` and `field`. A
 * request that got no answer (the connection failed, after any retries) has status 0 and code
 * `network_error`, with the failure as its `cause`.
 */
export class QuorumError extends Error {
  override readonly name = 'QuorumError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The QuorumError for an answer that was not OK. The body is the server's `{error, code, field}`
 * when it is JSON; a proxy's HTML page or an empty body still gives the status and its text.
 */
export function errorFromAnswer(status: number, statusText: string, text: string): QuorumError {
  let body: { code?: unknown; error?: unknown; field?: unknown } = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') body = parsed as typeof body;
  } catch {
    // Not JSON: described by the status alone.
  }
  return new QuorumError(
    status,
    typeof body.code === 'string' ? body.code : 'error',
    typeof body.error === 'string' ? body.error : statusText || `HTTP ${status}`,
    typeof body.field === 'string' ? body.field : undefined,
  );
}
