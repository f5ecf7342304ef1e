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

const BLOOM_BITS = 1 << 25;

/**
 * Unique, safe image file names for an export: the attachment's (or stored file's) name, and
 * `name-<task id>.ext` when that may have been used already. "Used" is a 4 MiB Bloom filter, so
 * memory stays fixed however many images; a false alarm only adds the task id to a name.
 */
export class ImageNames {
  #bits = new Uint32Array(BLOOM_BITS / 32);

  /**
   * Takes `name` unless it may have been taken (all three of its bits set), and says whether it
   * did; setting the bits of a name whose bits were all set already changes nothing.
   */
  #take(name: string): boolean {
    let a = 0x811c9dc5;
    let b = 0x01000193;
    for (let index = 0; index < name.length; index++) {
      const code = name.charCodeAt(index);
      a = Math.imul(a ^ code, 0x01000193) >>> 0;
      b = Math.imul(b + code, 0x5bd1e995) >>> 0;
      b ^= b >>> 15;
    }
    const step = (b | 1) >>> 0;
    let taken = true;
    for (let k = 0; k < 3; k++) {
      // `(a + k * step) % BLOOM_BITS` in 32-bit arithmetic (2^25 divides 2^32).
      const bit = (a + Math.imul(k, step)) & (BLOOM_BITS - 1);
      const mask = 1 << (bit & 31);
      const word = this.#bits[bit >>> 5]!;
      if ((word & mask) === 0) taken = false;
      this.#bits[bit >>> 5] = word | mask;
    }
    return !taken;
  }

  /** The file name a task's image gets in the export. */
  claim(taskId: string, preferred: string): string {
    const name = safeFileName(preferred);
    if (this.#take(name)) return name;
    const dot = name.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    const withId = `${stem}-${safeFileName(taskId)}${extension}`;
    if (this.#take(withId)) return withId;
    // Both taken (or a false alarm twice): the task id alone with a counter is new.
    let attempt = 1;
    let candidate: string;
    do candidate = `${safeFileName(taskId)}-${attempt++}${extension}`;
    while (!this.#take(candidate));
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
  #last: string | null = null;

  /** The labels of a `geometries` text not read before; empty when it was. */
  labelsOf(geometries: string | null): string[] {
    // Most rows repeat the text of the row before, and comparing costs less than hashing.
    if (geometries === null || geometries === this.#last) return [];
    this.#last = geometries;
    if (this.#seen.has(geometries)) return [];
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
