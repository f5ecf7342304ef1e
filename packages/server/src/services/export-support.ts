import { fileNameOf, imageLabels } from '@quorum/formats';

/** How many skipped tasks an export names as examples; the counts cover all of them. */
const EXAMPLES = 20;

/**
 * What an export left out because its format cannot hold it: counts by reason ("task without
 * image size", "line", "overlapping span"…) and the first few tasks as examples, so the report
 * stays small however much is skipped.
 */
export class SkipReport {
  #counts = new Map<string, number>();
  #examples: Array<{ task_id: string; skipped: string; count: number }> = [];
  #total = 0;

  add(taskId: string, reason: string, count = 1): void {
    if (count <= 0) return;
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + count);
    this.#total += count;
    if (this.#examples.length < EXAMPLES)
      this.#examples.push({ task_id: taskId, skipped: reason, count });
  }

  /** Adds a writer's per-type counts for one task (`{ line: 2 }`). */
  addCounts(taskId: string, counts: Readonly<Record<string, number>>): void {
    for (const [reason, count] of Object.entries(counts)) this.add(taskId, reason, count);
  }

  get total(): number {
    return this.#total;
  }

  /** The counts only: short enough for a trailer. */
  summary(): { total: number; counts: Record<string, number> } {
    return { total: this.#total, counts: Object.fromEntries(this.#counts) };
  }

  toJSON() {
    return { ...this.summary(), examples: this.#examples };
  }
}

/**
 * The `seq` of every task a first pass wrote, as variable-length deltas (a byte or two per task),
 * so a second pass writes exactly those tasks even if others completed in between.
 */
export class SeqLog {
  #bytes = new Uint8Array(1024);
  #length = 0;
  #last = 0;
  #count = 0;

  append(seq: number): void {
    let delta = seq - this.#last;
    if (!(delta > 0)) throw new Error('SeqLog takes increasing sequence numbers');
    this.#last = seq;
    this.#count++;
    do {
      if (this.#length === this.#bytes.length) {
        const grown = new Uint8Array(this.#bytes.length * 2);
        grown.set(this.#bytes);
        this.#bytes = grown;
      }
      const low = delta % 128;
      delta = Math.floor(delta / 128);
      this.#bytes[this.#length++] = delta > 0 ? low | 128 : low;
    } while (delta > 0);
  }

  get count(): number {
    return this.#count;
  }

  /** The last sequence number appended (0 when none was). */
  get last(): number {
    return this.#last;
  }

  /** A cursor over the logged numbers in order. */
  cursor(): { peek(): number | undefined; next(): void } {
    let at = 0;
    let current = 0;
    let upcoming: number | undefined;
    const read = () => {
      if (at >= this.#length) return undefined;
      let delta = 0;
      let scale = 1;
      for (;;) {
        const byte = this.#bytes[at++]!;
        delta += (byte & 127) * scale;
        if (byte < 128) break;
        scale *= 128;
      }
      current += delta;
      return current;
    };
    upcoming = read();
    return {
      peek: () => upcoming,
      next: () => {
        upcoming = read();
      },
    };
  }
}

const BLOOM_BITS = 1 << 25;

/**
 * Unique, safe image file names for an export: the attachment's (or stored file's) name, and
 * `name-<task id>.ext` when that may have been used already. "Used" is a 4 MiB Bloom filter, so
 * memory stays fixed however many images; a false alarm only adds the task id to a name.
 */
export class ImageNames {
  #bits = new Uint32Array(BLOOM_BITS / 32);

  /** Whether all three bits of `name` are set; with `set`, sets them and says whether they were. */
  #test(name: string, set: boolean): boolean {
    let a = 0x811c9dc5;
    let b = 0x01000193;
    for (let index = 0; index < name.length; index++) {
      const code = name.charCodeAt(index);
      a = Math.imul(a ^ code, 0x01000193) >>> 0;
      b = Math.imul(b + code, 0x5bd1e995) >>> 0;
      b ^= b >>> 15;
    }
    const step = (b | 1) >>> 0;
    let all = true;
    for (let k = 0; k < 3; k++) {
      const bit = (a + k * step) % BLOOM_BITS;
      const mask = 1 << (bit & 31);
      const word = this.#bits[bit >>> 5]!;
      if ((word & mask) === 0) all = false;
      if (set) this.#bits[bit >>> 5] = word | mask;
    }
    return all;
  }

  #mayHave(name: string): boolean {
    return this.#test(name, false);
  }

  #remember(name: string): void {
    this.#test(name, true);
  }

  /** The file name a task's image gets in the export. */
  claim(taskId: string, preferred: string): string {
    const name = safeFileName(preferred);
    const dot = name.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (const candidate of [name, `${stem}-${safeFileName(taskId)}${extension}`]) {
      if (this.#mayHave(candidate)) continue;
      this.#remember(candidate);
      return candidate;
    }
    // Both taken (or a false alarm twice): the task id alone with a counter is new.
    let attempt = 1;
    let candidate: string;
    do candidate = `${safeFileName(taskId)}-${attempt++}${extension}`;
    while (this.#mayHave(candidate));
    this.#remember(candidate);
    return candidate;
  }
}

/** A name that is one path segment everywhere: no separators, control or reserved characters. */
export function safeFileName(name: string): string {
  // The common case, checked without building a new string.
  if (/^[\w][\w .-]{0,199}$/.test(name) && !name.endsWith(' ')) return name;
  const cleaned = name
    .replace(/[\\/:*?"<>|\p{Cc}]/gu, '_')
    .trim()
    .slice(0, 200);
  return cleaned === '' || /^\.+$/.test(cleaned) ? 'image' : cleaned;
}

/** `name` with its extension (if any) replaced by `extension` (`a.jpg` → `a.xml`). */
export function withExtension(name: string, extension: string): string {
  const dot = name.lastIndexOf('.');
  return `${dot > 0 ? name.slice(0, dot) : name}${extension}`;
}

/** The file name an attachment suggests (see `fileNameOf`), made safe. */
export function attachmentFileName(attachment: string): string {
  // A plain http(s) URL's last segment is its name as it stands; anything else goes through
  // URL parsing and percent-decoding.
  const plain = /^https?:\/\/[^/?#%\\\s]+(?:\/[^/?#%\\\s]*)*\/([\w][\w.-]*)$/.exec(attachment);
  if (plain && !/^\.+$/.test(plain[1]!)) return safeFileName(plain[1]!);
  return safeFileName(fileNameOf(attachment));
}

/**
 * The labels tasks offer, from each task's `geometries` text: most projects repeat one
 * `geometries`, so a text already read is not parsed again (up to a few hundred distinct ones).
 */
export class GeometryLabels {
  #seen = new Set<string>();

  /** The labels of a `geometries` text not read before; empty when it was. */
  labelsOf(geometries: string | null): string[] {
    if (geometries === null || this.#seen.has(geometries)) return [];
    if (this.#seen.size >= 512) this.#seen.clear();
    this.#seen.add(geometries);
    const parsed = JSON.parse(geometries) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [];
    return imageLabels({ geometries: parsed as Record<string, never> });
  }
}

/** The project's own image labels (its default params), first in every category list. */
export function projectImageLabels(params: Record<string, unknown>): string[] {
  const geometries = params.geometries;
  if (typeof geometries !== 'object' || geometries === null || Array.isArray(geometries)) return [];
  return imageLabels({ geometries: geometries as Record<string, never> });
}
