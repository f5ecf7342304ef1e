import fc from 'fast-check';
import { zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FormatError } from './errors';
import { crc32, openZip, readZip } from './zip';

const text = (value: string) => new TextEncoder().encode(value);

function errorOf(run: () => unknown): FormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}

/** Offsets of every central directory header in an archive. */
function centralHeaders(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: number[] = [];
  for (let at = 0; at + 4 <= bytes.length; at++)
    if (view.getUint32(at, true) === 0x02014b50) found.push(at);
  return found;
}

function patch(bytes: Uint8Array, edit: (view: DataView, central: number[]) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer), centralHeaders(copy));
  return copy;
}

describe('the ZIP reader', () => {
  it('reads stored and deflated entries with UTF-8 names', () => {
    const archive = zipSync({
      'données/été.txt': [text('ça va'), { level: 0 }],
      'b/🙂.json': text('{"a":1}'.repeat(100)),
    });
    expect(
      readZip(archive).map((entry) => [
        entry.name,
        new TextDecoder().decode(entry.data).slice(0, 7),
      ]),
    ).toEqual([
      ['données/été.txt', 'ça va'],
      ['b/🙂.json', '{"a":1}'],
    ]);
  });

  it('skips directory entries', () => {
    expect(
      readZip(zipSync({ 'dir/': {}, 'dir/a.txt': text('a') })).map((entry) => entry.name),
    ).toEqual(['dir/a.txt']);
  });

  it('refuses paths that climb out, are absolute or name a drive, naming the entry', () => {
    for (const [name, reason] of [
      ['../evil.sh', 'climbs out of the archive with ".."'],
      ['images/../../evil.sh', 'climbs out of the archive'],
      ['..\\evil.sh', 'climbs out of the archive'],
      ['/etc/cron.d/evil', 'has an absolute path'],
      ['C:/Windows/evil.dll', 'starts with a drive letter'],
      ['c:evil.dll', 'starts with a drive letter'],
    ]) {
      const error = errorOf(() =>
        readZip(zipSync({ [name!]: text('x') }), {}, { file: 'upload.zip' }),
      );
      expect(error.entry).toBe(name);
      expect(error.message).toContain(reason);
      expect(error.message.startsWith(`entry ${JSON.stringify(name)}: `)).toBe(true);
    }
  });

  it('refuses symbolic links and special files by their Unix mode', () => {
    const link = zipSync({
      'images/a.jpg': [text('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
    });
    expect(errorOf(() => readZip(link)).message).toBe('entry "images/a.jpg": is a symbolic link');
    const fifo = zipSync({ pipe: [text(''), { os: 3, attrs: (0o010644 << 16) >>> 0 }] });
    expect(errorOf(() => readZip(fifo)).message).toContain('is a special file');
    const regular = zipSync({ 'ok.txt': [text('fine'), { os: 3, attrs: (0o100644 << 16) >>> 0 }] });
    expect(readZip(regular)).toHaveLength(1);
  });

  it('refuses a decompression bomb before inflating it', () => {
    const bomb = zipSync({ 'zeros.bin': new Uint8Array(4 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(100_000);
    expect(errorOf(() => openZip(bomb)).message).toMatch(
      /^entry "zeros.bin": expands \d+-fold; at most 200-fold is accepted$/,
    );
    // Everything is configurable.
    expect(readZip(bomb, { maxCompressionRatio: 2000 })[0]!.data.length).toBe(4 * 1024 * 1024);
    expect(
      errorOf(() => openZip(bomb, { maxCompressionRatio: 2000, maxEntryBytes: 1024 })).message,
    ).toContain('at most 1024 are accepted per entry');
  });

  it('caps the total size and the number of entries', () => {
    const files: Zippable = {};
    for (let index = 0; index < 5; index++) files[`f${index}.txt`] = text('x'.repeat(100));
    const archive = zipSync(files);
    expect(errorOf(() => openZip(archive, { maxEntries: 4 })).message).toBe(
      'has 5 entries; at most 4 are accepted',
    );
    expect(errorOf(() => openZip(archive, { maxTotalBytes: 250 })).message).toBe(
      'entry "f2.txt": takes the archive past 250 uncompressed bytes',
    );
  });

  it('stops inflating an entry that lies about its size', () => {
    const archive = zipSync({ 'small.txt': text('y'.repeat(5000)) });
    const lying = patch(archive, (view, [central]) => view.setUint32(central! + 24, 10, true));
    expect(errorOf(() => readZip(lying)).message).toBe(
      'entry "small.txt": expands beyond its declared 10 bytes',
    );
  });

  it('refuses corrupt data, encryption, unknown methods and duplicate names', () => {
    const archive = zipSync({
      'a.txt': [text('hello'), { level: 0 }],
      'b.txt': [text('world'), { level: 0 }],
    });
    const flipped = archive.slice();
    const dataAt = 30 + 'a.txt'.length;
    flipped[dataAt] = flipped[dataAt]! ^ 0xff;
    expect(errorOf(() => readZip(flipped)).message).toBe(
      'entry "a.txt": is corrupt (CRC mismatch)',
    );
    expect(
      errorOf(() =>
        readZip(patch(archive, (view, [central]) => view.setUint16(central! + 8, 1, true))),
      ).message,
    ).toBe('entry "a.txt": is encrypted');
    expect(
      errorOf(() =>
        readZip(patch(archive, (view, [central]) => view.setUint16(central! + 10, 12, true))),
      ).message,
    ).toContain('uses compression method 12');
    const duplicate = patch(archive, (view, [, second]) => {
      view.setUint8(second! + 46, 'a'.charCodeAt(0));
      view.setUint8(view.getUint32(second! + 42, true) + 30, 'a'.charCodeAt(0));
    });
    expect(errorOf(() => readZip(duplicate)).message).toBe(
      'entry "a.txt": appears twice in the archive',
    );
  });

  it('refuses two entries sharing one local header (overlapping data)', () => {
    const archive = zipSync({
      'a.txt': [text('hello'), { level: 0 }],
      'b.txt': [text('world'), { level: 0 }],
    });
    const overlapping = patch(archive, (view, [, second]) => view.setUint32(second! + 42, 0, true));
    expect(() => readZip(overlapping)).toThrow(FormatError);
  });

  it('refuses what is not a ZIP archive', () => {
    expect(errorOf(() => readZip(text('PK not really'), {}, { file: 'x.zip' })).message).toBe(
      '"x.zip": is not a ZIP archive (no end of central directory)',
    );
    expect(() => readZip(new Uint8Array(0))).toThrow(/not a ZIP archive/);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
  });

  it('reads back any archive fflate writes', () => {
    const name = fc
      .stringMatching(/^[a-zA-Z0-9_\-. ]{1,12}(\/[a-zA-Z0-9_\-. ]{1,12}){0,2}$/)
      // fflate's writer takes names as object keys, so it cannot write one called __proto__.
      .filter((path) => !path.split('/').some((part) => ['.', '..', '__proto__'].includes(part)));
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(name, fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 9 })),
          { selector: ([path]) => path, maxLength: 6 },
        ),
        (files) => {
          const names = new Set(files.map(([path]) => path));
          // A name that is also a folder of another cannot be both in one archive.
          const usable = files.filter(
            ([path]) => ![...names].some((other) => other.startsWith(`${path}/`)),
          );
          const zippable: Zippable = Object.fromEntries(
            usable.map(([path, data, level]) => [path, [data, { level: level as 0 }]]),
          );
          const read = readZip(zipSync(zippable));
          // Objects list integer-like keys first, so compare by name.
          const byName = (a: [string, number[]], b: [string, number[]]) => (a[0] < b[0] ? -1 : 1);
          expect(
            read.map((entry): [string, number[]] => [entry.name, [...entry.data]]).sort(byName),
          ).toEqual(
            usable.map(([path, data]): [string, number[]] => [path, [...data]]).sort(byName),
          );
        },
      ),
    );
  });
});
