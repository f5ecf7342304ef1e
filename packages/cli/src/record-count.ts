/*
 * Counting an export's records (tasks) in its bytes as they stream past, so progress can say
 * "4,210/10,000 tasks" without parsing anything. The counters look only at ASCII bytes (quotes,
 * brackets, line breaks), which never occur inside a multi-byte UTF-8 character, so chunks may
 * split characters anywhere.
 */

/** Counts records in a byte stream: `push` returns how many the chunk started or completed. */
export interface RecordCounter {
  push(chunk: Uint8Array): number;
  /** False once the bytes turn out not to be countable (a JSON document that is no array). */
  readonly isCounting: boolean;
  /** Records completed by the end of the stream (a last line without its line break). */
  end(): number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === LF || byte === CR;

/** JSON lines: one record per non-blank line. */
export class LineCounter implements RecordCounter {
  readonly isCounting = true;
  #blank = true;

  push(chunk: Uint8Array): number {
    let count = 0;
    for (const byte of chunk) {
      if (byte === LF) {
        if (!this.#blank) count++;
        this.#blank = true;
      } else if (!isSpace(byte)) this.#blank = false;
    }
    return count;
  }

  end(): number {
    const count = this.#blank ? 0 : 1;
    this.#blank = true;
    return count;
  }
}

/** CSV (RFC 4180): records are line breaks outside quotes; the header is not a record. */
export class CsvRecordCounter implements RecordCounter {
  readonly isCounting = true;
  #inQuotes = false;
  #blank = true;
  #header = true;

  push(chunk: Uint8Array): number {
    let count = 0;
    for (const byte of chunk) {
      // An escaped quote ("") toggles twice, which leaves the state as it was.
      if (byte === QUOTE) this.#inQuotes = !this.#inQuotes;
      if (byte === LF && !this.#inQuotes) {
        if (!this.#blank) {
          if (this.#header) this.#header = false;
          else count++;
        }
        this.#blank = true;
      } else if (!isSpace(byte)) this.#blank = false;
    }
    return count;
  }

  end(): number {
    const count = this.#blank || this.#header ? 0 : 1;
    this.#blank = true;
    return count;
  }
}

/**
 * A document that is one JSON array: each element counts as it begins. A document that is not
 * an array (COCO's single object) counts nothing.
 */
export class JsonArrayCounter implements RecordCounter {
  #depth = 0;
  #inString = false;
  #escaped = false;
  #expecting = false;
  #notArray = false;

  get isCounting(): boolean {
    return !this.#notArray;
  }

  push(chunk: Uint8Array): number {
    if (this.#notArray) return 0;
    let count = 0;
    for (const byte of chunk) {
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === BACKSLASH) this.#escaped = true;
        else if (byte === QUOTE) this.#inString = false;
        continue;
      }
      if (isSpace(byte)) continue;
      if (this.#depth === 0) {
        if (byte !== 0x5b /* [ */) {
          this.#notArray = true;
          return count;
        }
        this.#depth = 1;
        this.#expecting = true;
        continue;
      }
      if (this.#depth === 1 && this.#expecting && byte !== 0x5d /* ] */) {
        count++;
        this.#expecting = false;
      }
      if (byte === QUOTE) this.#inString = true;
      else if (byte === 0x5b || byte === 0x7b /* { */) this.#depth++;
      else if (byte === 0x5d || byte === 0x7d /* } */) this.#depth--;
      else if (byte === 0x2c /* , */ && this.#depth === 1) this.#expecting = true;
    }
    return count;
  }

  end(): number {
    return 0;
  }
}

/** CoNLL: one document per `-DOCSTART-` line. */
export class ConllDocumentCounter implements RecordCounter {
  readonly isCounting = true;
  static readonly #MARK = new TextEncoder().encode('-DOCSTART-');
  /** How much of the mark the current line has matched so far; -1 once it cannot match. */
  #matched = 0;

  push(chunk: Uint8Array): number {
    const mark = ConllDocumentCounter.#MARK;
    let count = 0;
    for (const byte of chunk) {
      if (byte === LF) {
        this.#matched = 0;
        continue;
      }
      if (this.#matched < 0 || this.#matched >= mark.length) continue;
      if (byte === mark[this.#matched]) {
        this.#matched++;
        if (this.#matched === mark.length) count++;
      } else this.#matched = -1;
    }
    return count;
  }

  end(): number {
    return 0;
  }
}

/**
 * The counter for an export of `format` answered with `contentType`, or undefined when its
 * records cannot be told from its bytes (ZIP archives, COCO's single document).
 */
export function recordCounterFor(format: string, contentType: string): RecordCounter | undefined {
  if (format === 'coco') return undefined;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (/^application\/(x-ndjson|jsonl|jsonlines|x-jsonlines)$/.test(type)) return new LineCounter();
  if (type === 'text/csv') return new CsvRecordCounter();
  if (type === 'application/json') return new JsonArrayCounter();
  if (format === 'conll') return new ConllDocumentCounter();
  return undefined;
}
