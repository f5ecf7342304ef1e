import { FormatError } from './errors';
import {
  DEFAULT_MAX_LINE_LENGTH,
  TextDecoderStream,
  readChunks,
  readChunksAsync,
  type Chunk,
  type TextSource,
} from './text-stream';

/** One CSV record: its fields and the line it starts on (a quoted field may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface CsvOptions {
  /** Named in errors. */
  file?: string;
  /** One character; `,` unless given. */
  delimiter?: string;
  /** Longest record kept in memory before the input is refused. */
  maxRecordLength?: number;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

type State = 'start' | 'unquoted' | 'quoted' | 'quote' | 'cr';

/**
 * A strict RFC 4180 parser, fed chunk by chunk so a large upload streams through bounded memory.
 * Fields may be quoted (`""` is a quote inside one, line breaks are kept); records end with CRLF
 * or LF. Refused, with the line: a quote inside an unquoted field, anything but a delimiter or a
 * line break after a closing quote, a quoted field never closed, a bare CR, a NUL character.
 * Empty lines are skipped. A leading byte-order mark is dropped.
 */
export class CsvReader {
  #decoder = new TextDecoderStream();
  #state: State = 'start';
  #fields: string[] = [];
  #field = '';
  #line = 1;
  #recordLine = 1;
  #quoteLine = 1;
  #recordLength = 0;
  #hasQuotedField = false;
  readonly #delimiter: number;
  readonly #file: string | undefined;
  readonly #maxRecordLength: number;

  constructor(options: CsvOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')
      throw new FormatError(
        'the CSV delimiter must be one character other than a quote or a line break',
      );
    this.#delimiter = delimiter.charCodeAt(0);
    this.#file = options.file;
    this.#maxRecordLength = options.maxRecordLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  #error(message: string, line = this.#line): FormatError {
    return new FormatError(message, { file: this.#file, line });
  }

  #endField(): void {
    this.#fields.push(this.#field);
    this.#field = '';
  }

  #endRecord(records: CsvRecord[]): void {
    const isEmptyLine = this.#fields.length === 0 && this.#field === '' && !this.#hasQuotedField;
    this.#endField();
    if (!isEmptyLine) records.push({ line: this.#recordLine, fields: this.#fields });
    this.#fields = [];
    this.#recordLength = 0;
    this.#hasQuotedField = false;
    this.#state = 'start';
  }

  #append(text: string): void {
    this.#recordLength += text.length;
    if (this.#recordLength > this.#maxRecordLength)
      throw this.#error(
        `a record is longer than ${this.#maxRecordLength} characters`,
        this.#recordLine,
      );
    this.#field += text;
  }

  /** The records a chunk completes. */
  push(chunk: Chunk): CsvRecord[] {
    const text = this.#decoder.push(chunk, this.#file);
    const records: CsvRecord[] = [];
    let at = 0;
    while (at < text.length) {
      const code = text.charCodeAt(at);
      if (code === 0) throw this.#error('contains a NUL character');
      switch (this.#state) {
        case 'start':
          if (this.#fields.length === 0) this.#recordLine = this.#line;
          if (code === QUOTE) {
            this.#state = 'quoted';
            this.#hasQuotedField = true;
            this.#quoteLine = this.#line;
            at++;
          } else {
            this.#state = 'unquoted';
          }
          break;
        case 'unquoted': {
          if (this.#endsField(code, records)) {
            at++;
            break;
          }
          if (code === QUOTE)
            throw this.#error(
              'a quote inside an unquoted field (quote the whole field and double the quote: "")',
            );
          let end = at + 1;
          while (end < text.length && !this.#isSpecial(text.charCodeAt(end))) end++;
          this.#append(text.slice(at, end));
          at = end;
          break;
        }
        case 'quoted': {
          const close = text.indexOf('"', at);
          const end = close < 0 ? text.length : close;
          const run = text.slice(at, end);
          const nul = run.indexOf('\0');
          if (nul >= 0) {
            this.#line += countLineFeeds(run.slice(0, nul));
            throw this.#error('contains a NUL character');
          }
          this.#line += countLineFeeds(run);
          this.#append(run);
          if (close >= 0) this.#state = 'quote';
          at = close < 0 ? text.length : close + 1;
          break;
        }
        case 'quote':
          if (code === QUOTE) {
            this.#append('"');
            this.#state = 'quoted';
          } else if (!this.#endsField(code, records)) {
            throw this.#error(
              `${JSON.stringify(text[at])} after the closing quote of a field (a field is either quoted whole or not at all)`,
            );
          }
          at++;
          break;
        case 'cr':
          if (code !== LF) throw this.#error('a carriage return not followed by a line feed');
          this.#endRecord(records);
          this.#line++;
          at++;
          break;
      }
    }
    return records;
  }

  /** Ends the field at a delimiter or a line break (a CR waits for its LF); false at any other. */
  #endsField(code: number, records: CsvRecord[]): boolean {
    if (code === this.#delimiter) {
      this.#endField();
      this.#state = 'start';
    } else if (code === LF) {
      this.#endRecord(records);
      this.#line++;
    } else if (code === CR) {
      this.#state = 'cr';
    } else {
      return false;
    }
    return true;
  }

  #isSpecial(code: number): boolean {
    return code === this.#delimiter || code === LF || code === CR || code === QUOTE || code === 0;
  }

  /** The last record when the text does not end with a line break. */
  end(): CsvRecord[] {
    const records = this.push(this.#decoder.end(this.#file));
    if (this.#state === 'quoted')
      throw this.#error(
        `the quoted field opened on line ${this.#quoteLine} is never closed`,
        this.#quoteLine,
      );
    if (this.#state !== 'start' || this.#fields.length > 0) this.#endRecord(records);
    return records;
  }
}

function countLineFeeds(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** Every record of a CSV source. */
export function* readCsvRecords(
  source: TextSource,
  options: CsvOptions = {},
): Generator<CsvRecord> {
  yield* readChunks(new CsvReader(options), source);
}

/** Every record of a CSV stream arriving asynchronously. */
export async function* readCsvRecordsAsync(
  source: AsyncIterable<Chunk>,
  options: CsvOptions = {},
): AsyncGenerator<CsvRecord> {
  yield* readChunksAsync(new CsvReader(options), source);
}

/** All fields of a small CSV text, record by record. */
export function parseCsv(text: string, options: CsvOptions = {}): string[][] {
  return Array.from(readCsvRecords(text, options), (record) => record.fields);
}

/** A CSV record keyed by the header's column names. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/**
 * Checks a header record: names present, not blank, not repeated. Returns the names trimmed.
 */
export function checkCsvHeader(record: CsvRecord, file?: string): string[] {
  const names = record.fields.map((name) => name.trim());
  const seen = new Set<string>();
  for (const [index, name] of names.entries()) {
    if (name === '')
      throw new FormatError(`column ${index + 1} of the header has no name`, {
        file,
        line: record.line,
      });
    if (seen.has(name))
      throw new FormatError(`column ${JSON.stringify(name)} appears twice in the header`, {
        file,
        line: record.line,
      });
    seen.add(name);
  }
  return names;
}

/** Rows of a CSV source with a header line: each record must have as many fields as the header. */
export function* readCsvRows(source: TextSource, options: CsvOptions = {}): Generator<CsvRow> {
  let header: string[] | undefined;
  for (const record of readCsvRecords(source, options)) {
    if (!header) {
      header = checkCsvHeader(record, options.file);
      continue;
    }
    yield rowOf(header, record, options.file);
  }
  if (!header) throw new FormatError('has no header line', { file: options.file });
}

/** Pairs a record with the header's names, refusing a record of another width. */
export function rowOf(header: readonly string[], record: CsvRecord, file?: string): CsvRow {
  if (record.fields.length !== header.length) {
    throw new FormatError(
      `has ${record.fields.length} fields but the header has ${header.length} columns`,
      { file, line: record.line },
    );
  }
  // No prototype: a column named "__proto__" stays a column.
  const values = Object.create(null) as Record<string, string>;
  header.forEach((name, index) => (values[name] = record.fields[index]!));
  return { line: record.line, values };
}
