import { deflateSync } from 'fflate';
import { FormatError } from './errors';
import { crc32 } from './zip';

export interface ZipWriteOptions {
  /** The entries' modification time (default 1980-01-01, the earliest ZIP can say). */
  modified?: Date;
  /** Raw DEFLATE of an entry; the server passes zlib's, which is faster than the default. */
  deflate?: (data: Uint8Array) => Uint8Array;
  /** Entries smaller than this are stored as they are: compressing them saves next to nothing. */
  deflateFromBytes?: number;
}

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const UTF8_NAMES = 0x0800;
/** Regular file, rw-r--r--, in the high half of the external attributes (made by UNIX). */
const FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;
const BLOCK = 1 << 20;

const encoder = new TextEncoder();

/** Bytes appended to 1 MiB blocks: the central directory, a few dozen bytes per entry. */
class Blocks {
  #blocks: Uint8Array[] = [];
  #block = new Uint8Array(BLOCK);
  #used = 0;
  size = 0;

  append(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      if (this.#used === BLOCK) {
        this.#blocks.push(this.#block);
        this.#block = new Uint8Array(BLOCK);
        this.#used = 0;
      }
      const take = Math.min(BLOCK - this.#used, bytes.length - from);
      this.#block.set(bytes.subarray(from, from + take), this.#used);
      this.#used += take;
      from += take;
    }
    this.size += bytes.length;
  }

  take(): Uint8Array[] {
    const blocks = [...this.#blocks, this.#block.subarray(0, this.#used)];
    this.#blocks = [];
    this.#block = new Uint8Array(0);
    return blocks;
  }
}

function setUint64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

function dosDateTime(date: Date): { time: number; date: number } {
  const year = date.getUTCFullYear();
  if (year < 1980) return { time: 0, date: (1 << 5) | 1 };
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: (Math.min(year - 1980, 127) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

function checkName(name: string): Uint8Array {
  const parts = name.split('/');
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    parts.some((part) => part === '' || part === '.' || part === '..')
  )
    throw new FormatError(`${JSON.stringify(name)} cannot be the name of a ZIP entry`);
  const bytes = encoder.encode(name);
  if (bytes.length > MAX16) throw new FormatError(`the ZIP entry name ${name} is too long`);
  return bytes;
}

/**
 * A ZIP archive written one whole entry at a time, for exports of many small files (YOLO label
 * files, VOC XML): each `add` returns the entry's bytes, `end` the central directory. Memory
 * holds the central directory only (46 bytes plus the name per entry); past 65,535 entries or
 * 4 GiB the archive gets ZIP64 records, which unzip, Python and fflate read. Names are the
 * caller's to keep unique; entries are deflated when that makes them smaller.
 */
export class ZipWriter {
  #central = new Blocks();
  #offset = 0;
  #count = 0;
  #ended = false;
  readonly #time: number;
  readonly #date: number;
  readonly #deflate: (data: Uint8Array) => Uint8Array;
  readonly #deflateFrom: number;

  constructor(options: ZipWriteOptions = {}) {
    const stamp = dosDateTime(options.modified ?? new Date(Date.UTC(1980, 0, 1)));
    this.#time = stamp.time;
    this.#date = stamp.date;
    this.#deflate = options.deflate ?? ((data) => deflateSync(data));
    this.#deflateFrom = options.deflateFromBytes ?? 200;
  }

  /** How many entries were added. */
  get entryCount(): number {
    return this.#count;
  }

  /** The local header and the (possibly deflated) bytes of one entry. */
  add(name: string, content: string | Uint8Array): Uint8Array[] {
    if (this.#ended) throw new FormatError('ZipWriter.add() called after end()');
    const nameBytes = checkName(name);
    const data = typeof content === 'string' ? encoder.encode(content) : content;
    if (data.length >= MAX32) throw new FormatError(`the ZIP entry ${name} is 4 GiB or more`);
    const crc = crc32(data);
    let stored = data;
    let method = 0;
    if (data.length >= this.#deflateFrom) {
      const deflated = this.#deflate(data);
      if (deflated.length < data.length) {
        stored = deflated;
        method = 8;
      }
    }
    const local = new Uint8Array(30 + nameBytes.length);
    const view = new DataView(local.buffer);
    view.setUint32(0, 0x04034b50, true);
    view.setUint16(4, 20, true);
    view.setUint16(6, UTF8_NAMES, true);
    view.setUint16(8, method, true);
    view.setUint16(10, this.#time, true);
    view.setUint16(12, this.#date, true);
    view.setUint32(14, crc, true);
    view.setUint32(18, stored.length, true);
    view.setUint32(22, data.length, true);
    view.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    this.#record(nameBytes, method, crc, stored.length, data.length, this.#offset);
    this.#offset += local.length + stored.length;
    this.#count++;
    return [local, stored];
  }

  #record(
    name: Uint8Array,
    method: number,
    crc: number,
    compressedSize: number,
    size: number,
    offset: number,
  ): void {
    const isFar = offset >= MAX32;
    const extra = isFar ? 12 : 0;
    const record = new Uint8Array(46 + name.length + extra);
    const view = new DataView(record.buffer);
    view.setUint32(0, 0x02014b50, true);
    view.setUint16(4, (3 << 8) | 45, true);
    view.setUint16(6, isFar ? 45 : 20, true);
    view.setUint16(8, UTF8_NAMES, true);
    view.setUint16(10, method, true);
    view.setUint16(12, this.#time, true);
    view.setUint16(14, this.#date, true);
    view.setUint32(16, crc, true);
    view.setUint32(20, compressedSize, true);
    view.setUint32(24, size, true);
    view.setUint16(28, name.length, true);
    view.setUint16(30, extra, true);
    view.setUint32(38, FILE_ATTRIBUTES, true);
    view.setUint32(42, isFar ? MAX32 : offset, true);
    record.set(name, 46);
    if (isFar) {
      const at = 46 + name.length;
      view.setUint16(at, 0x0001, true);
      view.setUint16(at + 2, 8, true);
      setUint64(view, at + 4, offset);
    }
    this.#central.append(record);
  }

  /** The central directory and the end records; the archive is complete after these bytes. */
  end(): Uint8Array[] {
    if (this.#ended) throw new FormatError('ZipWriter.end() called twice');
    this.#ended = true;
    const start = this.#offset;
    const size = this.#central.size;
    const chunks = this.#central.take();
    const needs64 = this.#count >= MAX16 || start >= MAX32 || size >= MAX32;
    if (needs64) {
      const records = new Uint8Array(56 + 20);
      const view = new DataView(records.buffer);
      view.setUint32(0, 0x06064b50, true);
      setUint64(view, 4, 44);
      view.setUint16(12, 45, true);
      view.setUint16(14, 45, true);
      setUint64(view, 24, this.#count);
      setUint64(view, 32, this.#count);
      setUint64(view, 40, size);
      setUint64(view, 48, start);
      view.setUint32(56, 0x07064b50, true);
      setUint64(view, 64, start + size);
      view.setUint32(72, 1, true);
      chunks.push(records);
    }
    const last = new Uint8Array(22);
    const view = new DataView(last.buffer);
    view.setUint32(0, 0x06054b50, true);
    view.setUint16(8, Math.min(this.#count, MAX16), true);
    view.setUint16(10, Math.min(this.#count, MAX16), true);
    view.setUint32(12, Math.min(size, MAX32), true);
    view.setUint32(16, Math.min(start, MAX32), true);
    chunks.push(last);
    return chunks;
  }
}
