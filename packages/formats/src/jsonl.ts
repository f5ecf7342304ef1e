import { FormatError } from './errors';
import {
  LineSplitter,
  readChunks,
  readChunksAsync,
  type Chunk,
  type TextSource,
} from './text-stream';

/** One parsed line of a JSON Lines file. */
export interface JsonLine {
  line: number;
  value: unknown;
}

/** A line that was skipped, and why. */
export interface BadLine {
  line: number;
  message: string;
}

export interface JsonLinesOptions {
  /** Named in errors. */
  file?: string;
  /** Skip lines that are not JSON (reporting them to `onBadLine`) instead of stopping. */
  skipBadLines?: boolean;
  onBadLine?: (bad: BadLine) => void;
  /** With skipBadLines: stop anyway after this many bad lines (default 1000). */
  maxBadLines?: number;
  maxLineLength?: number;
}

function refuseProto(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new SyntaxError('a "__proto__" key is not accepted');
  return value;
}

/**
 * Parses one line (or one JSON value). Keys named `__proto__` are refused (the server refuses
 * them in bodies too); the slower reviver only runs on text that could contain one.
 */
export function parseLine(text: string): unknown {
  return text.includes('proto') ? JSON.parse(text, refuseProto) : JSON.parse(text);
}

/**
 * A push parser for JSON Lines: give it chunks as they arrive (text or UTF-8 bytes, from a sync
 * or an async stream), take the values out. Blank lines are skipped.
 */
export class JsonLinesReader {
  #lines: LineSplitter;
  #bad = 0;
  readonly #options: JsonLinesOptions;

  constructor(options: JsonLinesOptions = {}) {
    this.#options = options;
    this.#lines = new LineSplitter({ file: options.file, maxLineLength: options.maxLineLength });
  }

  /** The values of the lines a chunk completes. */
  push(chunk: Chunk): JsonLine[] {
    return this.#parse(this.#lines.push(chunk));
  }

  /** The value of a last line without a line break. */
  end(): JsonLine[] {
    return this.#parse(this.#lines.end());
  }

  /** How many lines were skipped. */
  get badLineCount(): number {
    return this.#bad;
  }

  #parse(lines: Array<{ line: number; text: string }>): JsonLine[] {
    const values: JsonLine[] = [];
    for (const { line, text } of lines) {
      if (text.trim() === '') continue;
      try {
        values.push({ line, value: parseLine(text) });
      } catch (error) {
        const message = `is not valid JSON (${(error as Error).message})`;
        const { skipBadLines, onBadLine, maxBadLines = 1000, file } = this.#options;
        if (!skipBadLines) throw new FormatError(message, { file, line });
        this.#bad++;
        onBadLine?.({ line, message });
        if (this.#bad > maxBadLines)
          throw new FormatError(`more than ${maxBadLines} lines are not valid JSON`, {
            file,
            line,
          });
      }
    }
    return values;
  }
}

/** Every value of a JSON Lines source, with its line number. */
export function* readJsonLines(
  source: TextSource,
  options: JsonLinesOptions = {},
): Generator<JsonLine> {
  yield* readChunks(new JsonLinesReader(options), source);
}

/** Every value of a JSON Lines stream arriving asynchronously (a request body, a file stream). */
export async function* readJsonLinesAsync(
  source: AsyncIterable<Chunk>,
  options: JsonLinesOptions = {},
): AsyncGenerator<JsonLine> {
  yield* readChunksAsync(new JsonLinesReader(options), source);
}

/** One JSON Lines line for a value (no line break inside: JSON escapes them). */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
