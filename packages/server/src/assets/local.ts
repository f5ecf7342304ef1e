import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { DomainError, isDomainError } from '@quorum/core';
import { withUploadBody } from './body';
import { sizeMismatch, storeUnavailable } from './errors';
import { assertAssetKey } from './keys';
import type { AssetStore } from './store';

/** Uploads are written here first; the dot keeps it out of the key space (see keys.ts). */
const PARTIAL_DIR = '.partial';

/**
 * Keeps assets as files under `directory`, one per key. A put streams into a partial file on the
 * same file system, fsyncs it and renames it into place, so a crash never leaves a half file under
 * a key; an interrupted upload leaves at most a stray file under `.partial`.
 */
export function createLocalAssetStore(directory: string): AssetStore {
  const root = resolve(directory);
  const partialDir = join(root, PARTIAL_DIR);

  function pathOf(key: string): string {
    assertAssetKey(key);
    const path = join(root, ...key.split('/'));
    // assertAssetKey already rules out escaping; this keeps the guarantee if it ever loosens.
    if (!path.startsWith(root + sep)) throw new DomainError('invalid', 'Invalid asset key');
    return path;
  }

  return {
    put(key, body, options) {
      return withUploadBody(body, async () => {
        const target = pathOf(key);
        const partial = join(partialDir, `${randomUUID()}.part`);
        await storeCall(() => mkdir(partialDir, { recursive: true, mode: 0o700 }));
        const handle = await storeCall(() => open(partial, 'wx', 0o600));
        let isRenamed = false;
        try {
          await writeBody(handle, body, options.size);
          await storeCall(() => handle.sync());
          await storeCall(() => handle.close());
          await storeCall(() => mkdir(dirname(target), { recursive: true, mode: 0o700 }));
          await storeCall(() => rename(partial, target));
          isRenamed = true;
          // The rename itself is only durable once its directory is synced.
          await storeCall(() => syncDirectory(dirname(target)));
        } finally {
          if (!isRenamed) {
            await handle.close().catch(() => undefined);
            await unlink(partial).catch(() => undefined);
          }
        }
      });
    },

    async get(key) {
      const path = pathOf(key);
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw storeError(error);
      }
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) {
          await handle.close();
          return undefined;
        }
        return { body: handle.createReadStream(), size: stats.size };
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw storeError(error);
      }
    },

    async delete(key) {
      const path = pathOf(key);
      try {
        await unlink(path);
      } catch (error) {
        if (!isMissing(error)) throw storeError(error);
      }
    },
  };
}

/** Copies `body` into `handle`, refusing as soon as it is known not to be `size` bytes. */
async function writeBody(handle: FileHandle, body: Readable, size: number | undefined) {
  let written = 0;
  // Errors of the body itself (a client that hung up) pass through unchanged: they are not ours.
  for await (const chunk of body) {
    const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    written += bytes.length;
    if (size !== undefined && written > size) {
      body.destroy();
      throw sizeMismatch(size);
    }
    await storeCall(() => handle.write(bytes));
  }
  if (size !== undefined && written !== size) throw sizeMismatch(size);
}

async function syncDirectory(path: string) {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw storeError(error);
  }
}

/** File system failures become `unavailable`, naming only the errno code, never the path. */
function storeError(error: unknown): DomainError {
  if (isDomainError(error)) return error;
  return storeUnavailable((error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown');
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
