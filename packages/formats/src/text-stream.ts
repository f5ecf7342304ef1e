import { FormatError } from './errors';

/** A chunk of an import as it arrives: text, or UTF-8 bytes. */
export type Chunk = string | Uint8Array;

/** Any source a reader accepts: the whole text, or its chunks in order. */
export type TextSource = Chunk | Iterable<Chunk>;

/** Longest line (or CSV record) kept in memory before a reader refuses the input. */
export const DEFAULT_MAX_LINE_LENGTH = 16 * 1024 * 1024;

/**
 * Turns chunks (strings or UTF-8 bytes, split anywhere, even inside a character) into text:
 * invalid UTF-8 is refused rather than replaced, and a leading byte-order mark is dropped.
 */
export class TextDecoderStream {
  #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  #started = false;

  /** The text of one more chunk. */
  push(chunk: Chunk, file?: string): string {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      try {
        text = this.#decoder.decode(chunk, { stream: true });
      } catch {
        throw new FormatError('is not valid UTF-8 text', { file });
      }
    }
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }

  /** Whatever a byte chunk left unfinished; an incomplete character is refused. */
  end(file?: string): string {
    try {
      return this.#decoder.decode();
    } catch {
      throw new FormatError('ends inside a UTF-8 character', { file });
    }
  }
}

/** One line of a text file, without its line ending; `line` counts from 1. */
export interface NumberedLine {
  line: number;
  text: string;
}

/**
 * Splits chunks into lines (LF or CRLF, across chunk boundaries), numbering them; memory holds
 * one unfinished line at most, capped by `maxLineLength`.
 */
export class LineSplitter {
  #decoder = new TextDecoderStream();
  #pending = '';
  #line = 0;
  readonly #maxLineLength: number;
  readonly #file: string | undefined;

  constructor(options: { maxLineLength?: number; file?: string } = {}) {
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.#file = options.file;
  }

  /** The lines a chunk completes. */
  push(chunk: Chunk): NumberedLine[] {
    const text = this.#pending + this.#decoder.push(chunk, this.#file);
    const lines: NumberedLine[] = [];
    let start = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', start)) {
      const end = at > start && text.charCodeAt(at - 1) === 13 ? at - 1 : at;
      lines.push({ line: ++this.#line, text: text.slice(start, end) });
      start = at + 1;
    }
    this.#pending = text.slice(start);
    if (this.#pending.length > this.#maxLineLength) {
      throw new FormatError(`is longer than ${this.#maxLineLength} characters`, {
        file: this.#file,
        line: this.#line + 1,
      });
    }
    return lines;
  }

  /** The last line, when the text does not end with a line break. */
  end(): NumberedLine[] {
    const rest = this.#pending + this.#decoder.end(this.#file);
    this.#pending = '';
    if (rest === '') return [];
    const text = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
    return [{ line: ++this.#line, text }];
  }
}

/** The chunks of a source, whether it is one chunk or many. */
export function chunksOf(source: TextSource): Iterable<Chunk> {
  return typeof source === 'string' || source instanceof Uint8Array ? [source] : source;
}

/** A reader fed chunk by chunk: what each chunk completes, then what is left at the end. */
export interface ChunkReader<T> {
  push(chunk: Chunk): T[];
  end(): T[];
}

/** Everything a reader makes of a source, chunk by chunk. */
export function* readChunks<T>(reader: ChunkReader<T>, source: TextSource): Generator<T> {
  for (const chunk of chunksOf(source)) yield* reader.push(chunk);
  yield* reader.end();
}

/** Everything a reader makes of chunks arriving asynchronously (a request body, a file stream). */
export async function* readChunksAsync<T>(
  reader: ChunkReader<T>,
  source: AsyncIterable<Chunk>,
): AsyncGenerator<T> {
  for await (const chunk of source) yield* reader.push(chunk);
  yield* reader.end();
}

/** Every line of a source with its number. */
export function* numberedLines(
  source: TextSource,
  options: { maxLineLength?: number; file?: string } = {},
): Generator<NumberedLine> {
  yield* readChunks(new LineSplitter(options), source);
}
