import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '@quorum/core';
import { createLocalAssetStore } from './local';
import type { AssetStore } from './store';

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Every byte value, then random bytes, in uneven chunks. */
function binaryPayload(): Buffer {
  return Buffer.concat([
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    randomBytes(200_000),
  ]);
}

function chunked(data: Buffer, size = 7_777): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return Readable.from(chunks);
}

describe('local asset store', () => {
  let root: string;
  let directory: string;
  let store: AssetStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'quorum-assets-'));
    directory = join(root, 'store');
    store = createLocalAssetStore(directory);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('gives back exactly the binary bytes it was given, with their size', async () => {
    const data = binaryPayload();
    await store.put('org/o1/f1', chunked(data), { contentType: 'image/png', size: data.length });

    const found = await store.get('org/o1/f1');
    expect(found?.size).toBe(data.length);
    expect((await readAll(found!.body)).equals(data)).toBe(true);
  });

  it('stores a body of unknown size', async () => {
    const data = binaryPayload();
    await store.put('org/o1/unsized', chunked(data), { contentType: 'application/octet-stream' });
    const found = await store.get('org/o1/unsized');
    expect((await readAll(found!.body)).equals(data)).toBe(true);
  });

  it('keeps files private to the server user', async () => {
    await store.put('org/o1/f1', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' });
    expect((await stat(join(directory, 'org', 'o1', 'f1'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(directory, 'org', 'o1'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(directory, 'org'))).mode & 0o777).toBe(0o700);
  });

  it('answers undefined for a key that was never stored', async () => {
    expect(await store.get('org/o1/nothing')).toBeUndefined();
    await store.put('org/o1/file', Readable.from([Buffer.from('x')]), {
      contentType: 'text/plain',
    });
    // A key that runs through an existing file is missing too, not an error.
    expect(await store.get('org/o1/file/below')).toBeUndefined();
    expect(await store.get('org/o1')).toBeUndefined();
  });

  it.each([
    ['../escape'],
    ['org/../../escape'],
    ['org/..'],
    ['./org'],
    ['/etc/passwd'],
    ['org\\..\\escape'],
    ['org/a\0b'],
    ['org//f1'],
    ['org/f1/'],
    [''],
    ['C:/escape'],
    ['.partial/f1'],
  ])('refuses the key %j for put, get and delete', async (key) => {
    const put = store.put(key, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' });
    await expect(put).rejects.toMatchObject({ name: 'DomainError', code: 'invalid' });
    await expect(store.get(key)).rejects.toBeInstanceOf(DomainError);
    await expect(store.delete(key)).rejects.toMatchObject({ code: 'invalid' });
    expect(existsSync(join(root, 'escape'))).toBe(false);
  });

  it.each([
    ['fewer', 10],
    ['more', 1_000_000],
  ])(
    'refuses a body with %s bytes than declared and leaves nothing behind',
    async (_, declared) => {
      const data = binaryPayload();
      const put = store.put('org/o1/f1', chunked(data), {
        contentType: 'image/png',
        size: declared,
      });
      await expect(put).rejects.toMatchObject({ code: 'invalid', field: 'size' });

      expect(await store.get('org/o1/f1')).toBeUndefined();
      expect(await readdir(join(directory, '.partial'))).toEqual([]);
    },
  );

  it('passes on a failing body and leaves nothing behind', async () => {
    const body = new PassThrough();
    const put = store.put('org/o1/f1', body, { contentType: 'image/png' });
    body.write(Buffer.alloc(1000));
    body.destroy(new Error('client went away'));
    await expect(put).rejects.toThrow('client went away');

    expect(await store.get('org/o1/f1')).toBeUndefined();
    expect(await readdir(join(directory, '.partial'))).toEqual([]);
  });

  it('shows nothing under the key until the whole body is written', async () => {
    const body = new PassThrough();
    const put = store.put('org/o1/f1', body, { contentType: 'text/plain', size: 6 });
    await new Promise<void>((resolve) => body.write('abc', () => resolve()));
    expect(await store.get('org/o1/f1')).toBeUndefined();
    body.end('def');
    await put;
    expect((await readAll((await store.get('org/o1/f1'))!.body)).toString()).toBe('abcdef');
  });

  it('deletes a stored key, and deleting a missing key is not an error', async () => {
    await store.put('org/o1/f1', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' });
    await store.delete('org/o1/f1');
    expect(await store.get('org/o1/f1')).toBeUndefined();
    await expect(store.delete('org/o1/f1')).resolves.toBeUndefined();
  });

  it('reports a file system failure as unavailable without naming the path', async () => {
    // A file where the store's directory should be makes every write fail.
    await writeFile(directory, 'not a directory');
    const put = store.put('org/o1/f1', Readable.from([Buffer.from('x')]), {
      contentType: 'text/plain',
    });
    await expect(put).rejects.toMatchObject({
      code: 'unavailable',
      message: 'Asset store error: ENOTDIR',
    });
  });
});
