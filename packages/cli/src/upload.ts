import { open, stat } from 'node:fs/promises';
import { InputError } from './csv';

/** Bytes read per chunk of an upload. */
const CHUNK = 256 * 1024;

/** The size of the regular file at `path`; InputError naming it if it cannot be read. */
export async function fileSize(path: string): Promise<number> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      error.code === 'ENOENT' ? `no such file "${path}"` : `cannot read "${path}" (${error.code})`,
    );
  });
  if (!info.isFile()) throw new InputError(`"${path}" is not a file`);
  return info.size;
}

/**
 * A file as a request body, read a chunk at a time as the request is sent (so memory holds one
 * chunk however large the file), with `onRead` told of each chunk and of the end: what fetch has
 * taken is, give or take the socket's buffer, what has gone to the server.
 */
export function fileBody(
  path: string,
  onRead: (bytes: number, done: boolean) => void,
): ReadableStream<Uint8Array> {
  let file: Awaited<ReturnType<typeof open>> | undefined;
  return new ReadableStream<Uint8Array>({
    async start() {
      file = await open(path, 'r');
    },
    async pull(controller) {
      const buffer = new Uint8Array(CHUNK);
      const { bytesRead } = await file!.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) {
        await file!.close();
        file = undefined;
        controller.close();
        onRead(0, true);
        return;
      }
      controller.enqueue(buffer.subarray(0, bytesRead));
      onRead(bytesRead, false);
    },
    async cancel() {
      await file?.close();
      file = undefined;
    },
  });
}
