import { FormatError } from './errors';
import { parseLine, type BadLine, type JsonLine } from './jsonl';
import {
  DEFAULT_MAX_LINE_LENGTH,
  TextDecoderStream,
  readChunks,
  readChunksAsync,
  type Chunk,
  type TextSource,
} from './text-stream';

/**
 * A JSON array written value by value (`[`, one value per line, `]`), for exports such as Label
 * Studio's task list that are one JSON document but too large to build in memory.
 */
export function* writeJsonArray(values: Iterable<unknown>): Generator<string> {
  let first = true;
  yield '[';
  for (const value of values) {
    yield `${first ? '' : ','}\n${JSON.stringify(value)}`;
    first = false;
  }
  yield '\n]\n';
}

export interface JsonArrayOptions {
  /** Named in errors. */
  file?: string;
  /** Skip items that are not valid JSON (reporting them to `onBadItem`) instead of stopping. */
  skipBadItems?: boolean;
  onBadItem?: (bad: BadLine) => void;
  /** With skipBadItems: stop anyway after this many bad items (default 1000). */
  maxBadItems?: number;
  /** Longest item kept in memory before the input is refused. */
  maxItemLength?: number;
}

type State = 'begin' | 'first' | 'item' | 'value' | 'after' | 'done';

const isSpace = (code: number) => code === 32 || code === 10 || code === 13 || code === 9;

/**
 * A push parser for one large JSON array (a Label Studio export): it finds where each item
 * starts and ends as chunks arrive and parses items one at a time, so memory holds one item.
 * Each item comes with the line it starts on. A document that is one object (a single task) is
 * read as one item. Structural errors (a missing comma, text after the end) stop the reader;
 * an item that is not valid JSON may be skipped.
 */
export class JsonArrayReader {
  #decoder = new TextDecoderStream();
  #state: State = 'begin';
  #isSingle = false;
  #line = 1;
  #item = '';
  #itemLine = 1;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #bad = 0;
  readonly #options: JsonArrayOptions;
  readonly #maxItemLength: number;

  constructor(options: JsonArrayOptions = {}) {
    this.#options = options;
    this.#maxItemLength = options.maxItemLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  #error(message: string, line = this.#line): FormatError {
    return new FormatError(message, { file: this.#options.file, line });
  }

  /** How many items were skipped. */
  get badItemCount(): number {
    return this.#bad;
  }

  /** The items a chunk completes. */
  push(chunk: Chunk): JsonLine[] {
    const text = this.#decoder.push(chunk, this.#options.file);
    const items: JsonLine[] = [];
    let start = 0;
    for (let at = 0; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (this.#state === 'value') {
        if (this.#inString) {
          if (this.#escaped) this.#escaped = false;
          else if (code === 92) this.#escaped = true;
          else if (code === 34) {
            this.#inString = false;
            if (this.#depth === 0) this.#complete(text.slice(start, at + 1), items);
          } else if (code === 10) this.#line++;
          continue;
        }
        if (code === 34) this.#inString = true;
        else if (code === 123 || code === 91) this.#depth++;
        else if (code === 125 || code === 93) {
          if (this.#depth === 0) {
            this.#complete(text.slice(start, at), items);
            at--; // the bracket closes the array: read it again after the item
          } else if (--this.#depth === 0) this.#complete(text.slice(start, at + 1), items);
        } else if (this.#depth === 0 && (code === 44 || isSpace(code))) {
          this.#complete(text.slice(start, at), items);
          at--;
        } else if (code === 10) this.#line++;
        continue;
      }
      if (code === 10) this.#line++;
      if (isSpace(code)) continue;
      const char = text[at]!;
      switch (this.#state) {
        case 'begin':
          if (char === '[') this.#state = 'first';
          else if (char === '{') {
            this.#isSingle = true;
            start = this.#begin(at, code);
          } else
            throw this.#error(
              `must be a JSON array (or one object), not text starting with ${JSON.stringify(char)}`,
            );
          break;
        case 'first':
          if (char === ']') this.#state = 'done';
          else start = this.#begin(at, code);
          break;
        case 'item':
          if (char === ']') throw this.#error('has a comma before the closing "]"');
          start = this.#begin(at, code);
          break;
        case 'after':
          if (char === ',') this.#state = 'item';
          else if (char === ']') this.#state = 'done';
          else
            throw this.#error(
              `expects "," or "]" after the item that starts on line ${this.#itemLine}, not ${JSON.stringify(char)}`,
            );
          break;
        case 'done':
          throw this.#error('has more text after the end of the JSON document');
      }
    }
    if (this.#state === 'value') this.#append(text.slice(start));
    return items;
  }

  /** What remains: an error when the document is not finished. */
  end(): JsonLine[] {
    const items = this.push(this.#decoder.end(this.#options.file));
    if (this.#state === 'value' && this.#depth === 0 && !this.#inString && !this.#isSingle)
      throw this.#error('ends before the array is closed with "]"');
    if (this.#state === 'begin') throw this.#error('is empty');
    if (this.#state !== 'done')
      throw this.#error(
        this.#state === 'value'
          ? `ends inside the item that starts on line ${this.#itemLine}`
          : 'ends before the array is closed with "]"',
      );
    return items;
  }

  #begin(at: number, code: number): number {
    this.#state = 'value';
    this.#item = '';
    this.#itemLine = this.#line;
    this.#depth = code === 123 || code === 91 ? 1 : 0;
    this.#inString = code === 34;
    this.#escaped = false;
    // The opening character is part of the item; the loop continues after it.
    return at;
  }

  #append(text: string): void {
    this.#item += text;
    if (this.#item.length > this.#maxItemLength)
      throw this.#error(
        `has an item longer than ${this.#maxItemLength} characters (it starts on line ${this.#itemLine})`,
        this.#itemLine,
      );
  }

  #complete(rest: string, items: JsonLine[]): void {
    this.#append(rest);
    const text = this.#item;
    this.#item = '';
    this.#state = this.#isSingle ? 'done' : 'after';
    const line = this.#itemLine;
    try {
      items.push({ line, value: parseLine(text) });
    } catch (error) {
      const message = `is not valid JSON (${(error as Error).message})`;
      const { skipBadItems, onBadItem, maxBadItems = 1000, file } = this.#options;
      if (!skipBadItems) throw new FormatError(message, { file, line });
      this.#bad++;
      onBadItem?.({ line, message });
      if (this.#bad > maxBadItems)
        throw new FormatError(`more than ${maxBadItems} items are not valid JSON`, { file, line });
    }
  }
}

/** Every item of a JSON array source, with the line it starts on. */
export function* readJsonArray(
  source: TextSource,
  options: JsonArrayOptions = {},
): Generator<JsonLine> {
  yield* readChunks(new JsonArrayReader(options), source);
}

/** Every item of a JSON array arriving asynchronously (a request body, a file stream). */
export async function* readJsonArrayAsync(
  source: AsyncIterable<Chunk>,
  options: JsonArrayOptions = {},
): AsyncGenerator<JsonLine> {
  yield* readChunksAsync(new JsonArrayReader(options), source);
}
