import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, Zip, ZipDeflate, ZipPassThrough, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { entryPath, extractZipStream, UnsafeArchive } from './unzip';

const root = mkdtempSync(join(tmpdir(), 'quorum-unzip-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
async function freshFolder(): Promise<string> {
  const folder = join(root, `out-${folders++}`);
  await mkdir(folder);
  return folder;
}

/** The bytes as a stream of chunks of `size`. */
async function* chunks(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

/** An archive written the way a server streams one (data descriptors, no sizes up front). */
function streamedZip(entries: Array<[string, string, 'deflate' | 'store']>): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((error, data) => {
    if (error) throw error;
    parts.push(data);
  });
  for (const [name, text, method] of entries) {
    const file =
      method === 'deflate' ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    zip.add(file);
    file.push(strToU8(text), true);
  }
  zip.end();
  return Buffer.concat(parts);
}

/** Every file under `folder`, by relative path, with its text. */
function filesIn(folder: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      found[path.slice(folder.length + 1)] = readFileSync(path, 'utf8');
    }
  return found;
}

describe('extractZipStream', () => {
  it('writes a streamed archive’s files and folders as the chunks arrive', async () => {
    const folder = await freshFolder();
    const labels = 'label 0 0.5 0.5 0.1 0.1\n'.repeat(500);
    const archive = streamedZip([
      ['labels/a.txt', labels, 'deflate'],
      ['classes.txt', 'cat\ndog\n', 'store'],
      ['empty.txt', '', 'store'],
      ['data.yaml', 'names: [cat, dog]\n', 'deflate'],
    ]);
    const seen = { bytes: 0, files: 0 };
    const result = await extractZipStream(chunks(archive), folder, {
      onChunk: (bytes, files) => {
        seen.bytes += bytes;
        seen.files += files;
      },
    });
    expect(filesIn(folder)).toEqual({
      'labels/a.txt': labels,
      'classes.txt': 'cat\ndog\n',
      'empty.txt': '',
      'data.yaml': 'names: [cat, dog]\n',
    });
    expect(result).toEqual({ files: 4, bytes: labels.length + 8 + 18 });
    expect(seen).toEqual({ bytes: archive.length, files: 4 });
  });

  it('reads archives with sizes in their headers and directory entries', async () => {
    const folder = await freshFolder();
    const archive = zipSync({ 'images/': new Uint8Array(0), 'images/x.txt': strToU8('x') });
    await extractZipStream(chunks(archive, 1000), folder);
    expect(filesIn(folder)).toEqual({ 'images/x.txt': 'x' });
  });

  it.each([
    ['../evil.txt', 'climbs out of the archive'],
    ['labels/../../evil.txt', 'climbs out of the archive'],
    ['/etc/evil', 'absolute path'],
    ['C:/evil.txt', 'drive letter'],
    ['..\\evil.txt', 'climbs out of the archive'],
  ])('refuses the entry %s and writes nothing outside the folder', async (name, reason) => {
    const folder = await freshFolder();
    const archive = streamedZip([
      ['ok.txt', 'fine', 'deflate'],
      [name, 'evil', 'deflate'],
    ]);
    const error = await extractZipStream(chunks(archive), folder).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeArchive);
    expect((error as Error).message).toContain(reason);
    expect(readdirSync(root).filter((entry) => entry.includes('evil'))).toEqual([]);
  });

  it('refuses an entry that appears twice instead of overwriting the first', async () => {
    const folder = await freshFolder();
    const archive = streamedZip([
      ['a.txt', 'first', 'store'],
      ['a.txt', 'second', 'store'],
    ]);
    await expect(extractZipStream(chunks(archive), folder)).rejects.toThrow(
      /"a.txt" appears twice/,
    );
    expect(readFileSync(join(folder, 'a.txt'), 'utf8')).toBe('first');
  });

  it('refuses an archive that expands far beyond what was downloaded', async () => {
    const folder = await freshFolder();
    const archive = streamedZip([['zeros.txt', '0'.repeat(4 * 1024 * 1024), 'deflate']]);
    expect(archive.length).toBeLessThan(40_000);
    await expect(
      extractZipStream(chunks(archive, 4096), folder, {
        maxRatio: 50,
        ratioFromBytes: 1024 * 1024,
      }),
    ).rejects.toThrow(/expands more than 50-fold/);
  });

  it('refuses more entries than allowed', async () => {
    const folder = await freshFolder();
    const archive = streamedZip([
      ['a', 'a', 'store'],
      ['b', 'b', 'store'],
      ['c', 'c', 'store'],
    ]);
    await expect(extractZipStream(chunks(archive), folder, { maxEntries: 2 })).rejects.toThrow(
      /more than 2 entries/,
    );
  });

  it('notices a download cut off between two entries or inside one', async () => {
    const archive = streamedZip([
      ['a.txt', 'a'.repeat(1000), 'deflate'],
      ['b.txt', 'b'.repeat(1000), 'deflate'],
    ]);
    for (const end of [archive.length - 30, Math.floor(archive.length / 2)]) {
      const folder = await freshFolder();
      await expect(extractZipStream(chunks(archive.subarray(0, end)), folder)).rejects.toThrow(
        /cut off/,
      );
    }
  });

  it('refuses bytes that are not a ZIP archive', async () => {
    const folder = await freshFolder();
    await expect(
      extractZipStream(chunks(strToU8('{"not": "a zip"}\n')), folder),
    ).rejects.toBeInstanceOf(UnsafeArchive);
  });
});

describe('entryPath', () => {
  it('keeps every entry inside the folder', () => {
    expect(entryPath('/x/out', 'a/b.txt')).toBe('/x/out/a/b.txt');
    expect(entryPath('/x/out', './a//b.txt')).toBe('/x/out/a/b.txt');
    expect(() => entryPath('/x/out', '.')).toThrow(UnsafeArchive);
    expect(() => entryPath('/x/out', 'a\0b')).toThrow(/NUL/);
  });
});
