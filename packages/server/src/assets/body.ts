import type { Readable } from 'node:stream';

/**
 * Runs a put that owns `body`. An error the body emits before the store starts reading it (while
 * directories are made, say) must not go unhandled and crash the process; reading the body later
 * still fails with that error. A failed put destroys the body so its source is not left waiting.
 */
export async function withUploadBody<T>(body: Readable, put: () => Promise<T>): Promise<T> {
  body.on('error', () => undefined);
  try {
    return await put();
  } catch (error) {
    body.destroy();
    throw error;
  }
}
