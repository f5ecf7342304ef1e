import { Inflate } from 'fflate';
import { FormatError } from './errors';

/** Caps that keep a hostile archive from exhausting memory; every one is configurable. */
export interface ZipLimits {
  /** Most entries (default 10,000). */
  maxEntries?: number;
  /** Most bytes all entries may expand to together (default 1 GiB). */
  maxTotalBytes?: number;
  /** Most bytes one entry may expand to (default: maxTotalBytes). */
  maxEntryBytes?: number;
  /** Highest uncompressed ÷ compressed size of an entry (default 200)… */
  maxCompressionRatio?: number;
  /** …checked for entries that expand beyond this many bytes (default 1 MiB). */
  ratioCheckFromBytes?: number;
}

/** An entry of an archive, before it is read. */
export interface ZipEntryInfo {
  /** Its path, with `/` separators. */
  name: string;
  compressedSize: number;
  size: number;
  method: number;
  crc32: number;
  /** Where its local header starts. */
  offset: number;
}

/** A file of an archive with its bytes. */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const DEFAULTS: Required<Omit<ZipLimits, 'maxEntryBytes'>> = {
  maxEntries: 10_000,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxCompressionRatio: 200,
  ratioCheckFromBytes: 1024 * 1024,
};

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 ZIP stores of each entry. */
export function crc32(data: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let index = 0; index < data.length; index++)
    crc = CRC_TABLE[(crc ^ data[index]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

function checkName(name: string, fail: (message: string) => never): string {
  if (name.includes('\0')) fail('has a NUL character in its name');
  const path = name.replaceAll('\\', '/');
  if (path.startsWith('/')) fail('has an absolute path');
  if (/^[A-Za-z]:/.test(path)) fail('starts with a drive letter');
  if (path.split('/').includes('..')) fail('climbs out of the archive with ".."');
  return path;
}

/**
 * Reads an archive's directory and checks it before anything is decompressed: no path that is
 * absolute, has a drive letter or climbs with `..`; no symlink or other special file (Unix mode in
 * the external attributes); no encryption, ZIP64 or spanning; no two entries with one name or
 * overlapping data; entry count, declared sizes and compression ratios within `limits`. Every
 * refusal names the entry. `read` then inflates one entry at a time and stops the moment it
 * produces more than its declared size.
 */
export function openZip(
  bytes: Uint8Array,
  limits: ZipLimits = {},
  options: { file?: string } = {},
) {
  const { maxEntries, maxTotalBytes, maxCompressionRatio, ratioCheckFromBytes } = {
    ...DEFAULTS,
    ...limits,
  };
  const maxEntryBytes = limits.maxEntryBytes ?? maxTotalBytes;
  const { file } = options;
  const archiveError = (message: string): never => {
    throw new FormatError(message, { file });
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) =>
    at + 2 <= bytes.length ? view.getUint16(at, true) : archiveError('is truncated');
  const u32 = (at: number) =>
    at + 4 <= bytes.length ? view.getUint32(at, true) : archiveError('is truncated');

  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (
      view.getUint32(at, true) === 0x06054b50 &&
      at + 22 + view.getUint16(at + 20, true) === bytes.length
    ) {
      end = at;
      break;
    }
  }
  if (end < 0) archiveError('is not a ZIP archive (no end of central directory)');
  if (u16(end + 4) !== 0 || u16(end + 6) !== 0 || u16(end + 8) !== u16(end + 10))
    archiveError('spans several disks, which is not supported');
  const count = u16(end + 10);
  const directorySize = u32(end + 12);
  const directoryOffset = u32(end + 16);
  if (count === 0xffff || directoryOffset === 0xffffffff || directorySize === 0xffffffff)
    archiveError('is a ZIP64 archive, which is not supported');
  if (count > maxEntries) archiveError(`has ${count} entries; at most ${maxEntries} are accepted`);
  if (directoryOffset + directorySize > end)
    archiveError('has a central directory outside the archive');

  const decoder = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  const entries: ZipEntryInfo[] = [];
  const names = new Set<string>();
  const rawNames = new Map<ZipEntryInfo, Uint8Array>();
  let declaredTotal = 0;
  let at = directoryOffset;
  for (let index = 0; index < count; index++) {
    if (u32(at) !== 0x02014b50) archiveError(`central directory entry ${index + 1} is damaged`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    const compressedSize = u32(at + 20);
    const size = u32(at + 24);
    const nameLength = u16(at + 28);
    const next = at + 46 + nameLength + u16(at + 30) + u16(at + 32);
    const external = u32(at + 38);
    const offset = u32(at + 42);
    if (next > directoryOffset + directorySize)
      archiveError('has a central directory entry past its end');
    const rawName = bytes.subarray(at + 46, at + 46 + nameLength);
    let name: string;
    try {
      name = flags & 0x800 ? decoder.decode(rawName) : latin1.decode(rawName);
    } catch {
      name = archiveError(`entry ${index + 1} has a name that is not UTF-8`);
    }
    const fail = (message: string): never => {
      throw new FormatError(message, { file, entry: name });
    };
    const path = checkName(name, fail);
    at = next;
    const type = (external >>> 16) & S_IFMT;
    if (type === S_IFLNK) fail('is a symbolic link');
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR)
      fail('is a special file (device, pipe or socket)');
    if (path.endsWith('/') || type === S_IFDIR) {
      if (size !== 0) fail('is a directory with content');
      continue;
    }
    if (flags & 0x1) fail('is encrypted');
    if (method !== 0 && method !== 8)
      fail(`uses compression method ${method}; only stored and deflated entries are read`);
    if (compressedSize === 0xffffffff || size === 0xffffffff)
      fail('needs ZIP64, which is not supported');
    if (method === 0 && compressedSize !== size) fail('is stored with two different sizes');
    if (names.has(path)) fail('appears twice in the archive');
    names.add(path);
    if (size > maxEntryBytes)
      fail(`expands to ${size} bytes; at most ${maxEntryBytes} are accepted per entry`);
    declaredTotal += size;
    if (declaredTotal > maxTotalBytes)
      fail(`takes the archive past ${maxTotalBytes} uncompressed bytes`);
    if (size > ratioCheckFromBytes && size > maxCompressionRatio * compressedSize)
      fail(
        `expands ${Math.round(size / Math.max(1, compressedSize))}-fold; at most ${maxCompressionRatio}-fold is accepted`,
      );
    const entry = { name: path, compressedSize, size, method, crc32: crc, offset };
    entries.push(entry);
    rawNames.set(entry, rawName);
  }

  // Each entry's data must be its own: overlapping entries are how small archives explode.
  const byOffset = [...entries].sort((a, b) => a.offset - b.offset);
  const dataStart = new Map<ZipEntryInfo, number>();
  byOffset.forEach((entry, index) => {
    const fail = (message: string): never => {
      throw new FormatError(message, { file, entry: entry.name });
    };
    if (entry.offset + 30 > directoryOffset || u32(entry.offset) !== 0x04034b50)
      fail('has no local header where the directory says');
    const localNameLength = u16(entry.offset + 26);
    const start = entry.offset + 30 + localNameLength + u16(entry.offset + 28);
    const localName = bytes.subarray(entry.offset + 30, entry.offset + 30 + localNameLength);
    if (!sameBytes(localName, rawNames.get(entry)!))
      fail('has a different name in its local header');
    if (u16(entry.offset + 8) !== entry.method) fail('has a different method in its local header');
    const stop = start + entry.compressedSize;
    const following = byOffset[index + 1]?.offset ?? directoryOffset;
    if (stop > following) fail('overlaps another entry');
    dataStart.set(entry, start);
  });

  let produced = 0;
  /** One entry's bytes, inflated under the limits and checked against its CRC. */
  const read = (entry: ZipEntryInfo): Uint8Array => {
    const fail = (message: string): never => {
      throw new FormatError(message, { file, entry: entry.name });
    };
    const start = dataStart.get(entry);
    if (start === undefined) return fail('is not an entry of this archive');
    const compressed = bytes.subarray(start, start + entry.compressedSize);
    const data = entry.method === 0 ? compressed.slice() : inflate(compressed, entry.size, fail);
    if (crc32(data) !== entry.crc32) fail('is corrupt (CRC mismatch)');
    produced += data.length;
    if (produced > maxTotalBytes)
      fail(`takes the archive past ${maxTotalBytes} uncompressed bytes`);
    return data;
  };
  return { entries, read };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** Small input slices bound what one push can produce (deflate expands at most ~1032-fold). */
const SLICE = 16 * 1024;

function inflate(
  compressed: Uint8Array,
  size: number,
  fail: (message: string) => never,
): Uint8Array {
  const out = new Uint8Array(size);
  let length = 0;
  let overflow = false;
  let finished = false;
  const stream = new Inflate((chunk, final) => {
    if (length + chunk.length > size) overflow = true;
    else out.set(chunk, length);
    length += chunk.length;
    if (final) finished = true;
  });
  try {
    for (let at = 0; at < compressed.length && !overflow; at += SLICE) {
      const last = at + SLICE >= compressed.length;
      stream.push(compressed.subarray(at, at + SLICE), last);
    }
    if (compressed.length === 0) stream.push(new Uint8Array(0), true);
  } catch (error) {
    fail(`cannot be inflated (${(error as Error).message})`);
  }
  if (overflow) fail(`expands beyond its declared ${size} bytes`);
  if (!finished || length !== size) fail(`inflates to ${length} bytes, not the declared ${size}`);
  return out;
}

/** Every file of an archive with its bytes, under `limits` (see openZip). */
export function readZip(
  bytes: Uint8Array,
  limits: ZipLimits = {},
  options: { file?: string } = {},
): ZipEntry[] {
  const archive = openZip(bytes, limits, options);
  return archive.entries.map((entry) => ({ name: entry.name, data: archive.read(entry) }));
}
