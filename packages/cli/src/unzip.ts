import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { Unzip, UnzipInflate, UnzipPassThrough, type UnzipFile } from 'fflate';

/*
 * Extracting a ZIP archive as it downloads. fflate's streaming `Unzip` reads each entry's local
 * header and inflates its data as the bytes arrive; every chunk it produces is written before
 * more input is pushed, so memory holds one input slice and what it inflates to, whatever the
 * size of the archive. Safety is checked per entry, before a byte of it is written.
 */

/** Caps on what an archive may expand to, against a hostile or broken server. */
export interface ExtractLimits {
  /** Most entries (default 1,000,000). */
  maxEntries?: number;
  /**
   * Most bytes written per byte received (default 200), checked once more than `ratioFromBytes`
   * have been written: a small download must not fill the disk.
   */
  maxRatio?: number;
  /** Default 1 GiB. */
  ratioFromBytes?: number;
}

export interface Extracted {
  /** Files written. */
  files: number;
  /** Bytes written. */
  bytes: number;
}

/** A refusal of the archive, naming the entry. */
export class UnsafeArchive extends Error {}

/** Small input slices bound what one push can inflate to (deflate expands at most ~1032-fold). */
const SLICE = 16 * 1024;

/**
 * The path an entry is written to under `folder`, or the reason it is refused: NUL characters,
 * absolute paths, drive letters and `..` segments are, and so is anything that would land
 * outside the folder once resolved.
 */
export function entryPath(folder: string, name: string): string {
  if (name.includes('\0')) throw new UnsafeArchive(`entry ${JSON.stringify(name)} has a NUL`);
  const path = name.replaceAll('\\', '/');
  if (path.startsWith('/') || isAbsolute(path))
    throw new UnsafeArchive(`entry "${name}" has an absolute path`);
  if (/^[A-Za-z]:/.test(path))
    throw new UnsafeArchive(`entry "${name}" starts with a drive letter`);
  const segments = path.split('/');
  if (segments.includes('..'))
    throw new UnsafeArchive(`entry "${name}" climbs out of the archive with ".."`);
  const target = resolve(folder, ...segments.filter((segment) => segment !== ''));
  const inside = relative(resolve(folder), target);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside))
    throw new UnsafeArchive(`entry "${name}" does not name a file inside the archive`);
  return target;
}

/**
 * Writes every entry of the ZIP archive streamed by `source` under `folder` (which must exist):
 * directories are created, files opened exclusively (an entry that appears twice is refused,
 * as is one that would replace a file already there). Symbolic links cannot be made: the local
 * headers a stream is read by carry no file modes, and every entry is written as a plain file.
 * `onChunk` hears, for progress, of each input chunk and the files it completed.
 */
export async function extractZipStream(
  source: AsyncIterable<Uint8Array>,
  folder: string,
  options: ExtractLimits & { onChunk?: (bytes: number, files: number) => void } = {},
): Promise<Extracted> {
  const maxEntries = options.maxEntries ?? 1_000_000;
  const maxRatio = options.maxRatio ?? 200;
  const ratioFromBytes = options.ratioFromBytes ?? 1024 * 1024 * 1024;
  const handles = new Set<FileHandle>();
  let files = 0;
  let received = 0;
  let written = 0;
  let entries = 0;
  let unfinished = 0;
  let failure: Error | undefined;
  const fail = (error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error));
  };
  // Writes happen in order on one chain; input waits for it after every slice.
  let chain: Promise<void> = Promise.resolve();
  const queue = (step: () => Promise<unknown>) => {
    chain = chain.then(async () => void (failure ? undefined : await step())).catch(fail);
  };

  const onFile = (file: UnzipFile) => {
    if (failure) return file.terminate();
    try {
      entries++;
      if (entries > maxEntries) throw new UnsafeArchive(`has more than ${maxEntries} entries`);
      const name = file.name.replaceAll('\\', '/');
      const target = entryPath(folder, name);
      if (name.endsWith('/')) {
        queue(() => mkdir(target, { recursive: true }));
        file.ondata = () => undefined;
        file.start();
        return;
      }
      let handle: FileHandle | undefined;
      unfinished++;
      queue(async () => {
        await mkdir(dirname(target), { recursive: true });
        handle = await open(target, 'wx').catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
          throw new UnsafeArchive(`entry "${name}" appears twice`);
        });
        handles.add(handle);
      });
      file.ondata = (error, data, final) => {
        if (failure) return;
        if (error)
          return fail(new UnsafeArchive(`entry "${name}" cannot be inflated (${error.message})`));
        written += data.length;
        if (written > ratioFromBytes && written > maxRatio * received)
          return fail(new UnsafeArchive(`expands more than ${maxRatio}-fold (at entry "${name}")`));
        if (data.length > 0) queue(() => handle!.write(data));
        if (final)
          queue(async () => {
            await handle!.close();
            handles.delete(handle!);
            files++;
            unfinished--;
          });
      };
      file.start();
    } catch (error) {
      fail(error);
      file.terminate();
    }
  };

  const unzip = new Unzip(onFile);
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  const push = async (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (error) {
      fail(new UnsafeArchive(`is not a readable ZIP archive (${(error as Error).message})`));
    }
    await chain;
    if (failure) throw failure;
  };
  // The end of the central directory is in the last 65,557 bytes; without it, the download
  // stopped early (perhaps between two entries, which the entries alone would not show).
  const tail = new TailBuffer(65_557);
  try {
    for await (const chunk of source) {
      const filesBefore = files;
      received += chunk.length;
      tail.push(chunk);
      for (let at = 0; at < chunk.length; at += SLICE)
        await push(chunk.subarray(at, at + SLICE), false);
      options.onChunk?.(chunk.length, files - filesBefore);
    }
    await push(new Uint8Array(0), true);
  } finally {
    await chain;
    await Promise.all([...handles].map((handle) => handle.close().catch(() => undefined)));
  }
  if (unfinished > 0 || !tail.hasEndOfDirectory())
    throw new UnsafeArchive('is cut off (no end of central directory); the download stopped early');
  return { files, bytes: written };
}

/** The last `size` bytes of a stream. */
class TailBuffer {
  #bytes = new Uint8Array(0);
  constructor(readonly size: number) {}

  push(chunk: Uint8Array): void {
    if (chunk.length >= this.size) {
      this.#bytes = chunk.slice(chunk.length - this.size);
      return;
    }
    const keep = Math.min(this.#bytes.length, this.size - chunk.length);
    const next = new Uint8Array(keep + chunk.length);
    next.set(this.#bytes.subarray(this.#bytes.length - keep));
    next.set(chunk, keep);
    this.#bytes = next;
  }

  /** Whether an end-of-central-directory record ends the bytes (its comment included). */
  hasEndOfDirectory(): boolean {
    const bytes = this.#bytes;
    for (let at = bytes.length - 22; at >= 0; at--) {
      if (
        bytes[at] !== 0x50 ||
        bytes[at + 1] !== 0x4b ||
        bytes[at + 2] !== 5 ||
        bytes[at + 3] !== 6
      )
        continue;
      const commentLength = bytes[at + 20]! | (bytes[at + 21]! << 8);
      if (at + 22 + commentLength === bytes.length) return true;
    }
    return false;
  }
}
