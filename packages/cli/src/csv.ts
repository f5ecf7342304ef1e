import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

/** A problem with the command line or an input file: the user can fix it (exit code 2). */
export class InputError extends Error {}

/** One data row of a CSV file, by column name, with the line it starts on. */
export interface CsvRow {
  line: number;
  get(column: string): string;
  /** The value of an optional column, undefined when the header lacks it. */
  optional(column: string): string | undefined;
}

export interface ReadCsvOptions {
  /** The flag that named the file, for messages ("--input"). */
  flag: string;
  required: readonly string[];
  optional?: readonly string[];
}

/**
 * Streams the data rows of a CSV file whose header names `required` columns (any order, case
 * and surrounding spaces ignored; other columns ignored). Throws InputError naming the line for a
 * missing file, an empty file, a missing column or a row of the wrong width. Blank lines skipped.
 */
export async function* readCsv(path: string, options: ReadCsvOptions): AsyncGenerator<CsvRow> {
  let columns: Map<string, number> | undefined;
  let width = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const { fields, line } of csvRecords(lines)) {
      if (fields.length === 1 && fields[0] === '') continue;
      if (!columns) {
        columns = readHeader(fields, line, options.required);
        width = fields.length;
        continue;
      }
      if (fields.length !== width)
        throw new InputError(`line ${line}: expected ${width} fields, found ${fields.length}`);
      const known = columns;
      yield {
        line,
        get: (column) => fields[known.get(column)!]!,
        optional: (column) => {
          const index = known.get(column);
          return index === undefined ? undefined : fields[index];
        },
      };
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${options.flag}: no such file "${path}"`);
    if (code !== undefined)
      throw new InputError(`${options.flag}: cannot read "${path}" (${code})`);
    throw error;
  } finally {
    lines.close();
  }
  if (!columns)
    throw new InputError(
      `${options.flag}: "${path}" is empty (expected a header: ${options.required.join(',')})`,
    );
}

function readHeader(fields: string[], line: number, required: readonly string[]) {
  const columns = new Map<string, number>();
  fields.forEach((field, index) => {
    const name = field.trim().toLowerCase();
    if (columns.has(name)) throw new InputError(`line ${line}: column "${name}" appears twice`);
    columns.set(name, index);
  });
  const missing = required.filter((name) => !columns.has(name));
  if (missing.length > 0)
    throw new InputError(
      `line ${line}: the header lacks the column${missing.length > 1 ? 's' : ''} ` +
        `${missing.join(', ')} (found: ${fields.join(', ')})`,
    );
  return columns;
}

/**
 * CSV records (RFC 4180): commas between fields, double quotes around fields that hold commas,
 * quotes ("" inside) or line breaks. Unquoted fields are trimmed. `line` is where a record starts.
 */
async function* csvRecords(
  lines: AsyncIterable<string>,
): AsyncGenerator<{ fields: string[]; line: number }> {
  let lineNumber = 0;
  let start = 0;
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let wasQuoted = false;
  for await (const rawLine of lines) {
    lineNumber++;
    const text = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (inQuotes) field += '\n';
    else start = lineNumber;
    // Fast path: a line without quotes is a plain split.
    if (!inQuotes && !text.includes('"')) {
      for (const value of text.split(',')) fields.push(value.trim());
      yield { fields, line: start };
      fields = [];
      continue;
    }
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (inQuotes) {
        if (char !== '"') field += char;
        else if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else if (char === ',') {
        fields.push(wasQuoted ? field : field.trim());
        field = '';
        wasQuoted = false;
      } else if (char === '"' && !wasQuoted && field.trim() === '') {
        field = '';
        inQuotes = true;
        wasQuoted = true;
      } else if (wasQuoted) {
        if (char.trim() !== '')
          throw new InputError(`line ${lineNumber}: text after a closing quote`);
      } else field += char;
    }
    if (inQuotes) continue;
    fields.push(wasQuoted ? field : field.trim());
    yield { fields, line: start };
    fields = [];
    field = '';
    wasQuoted = false;
  }
  if (inQuotes) throw new InputError(`line ${start}: a quoted field is never closed`);
}

/** A CSV field, quoted when it must be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim()
    ? `"${value.replace(/"/g, '""')}"`
    : value;
}

/** Writes a file beside the target and renames it into place, so readers never see half. */
export async function writeWhole(path: string, text: string, flag = '--output'): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new InputError(`${flag}: cannot write "${path}" (${code})`);
    throw error;
  }
}

type FlagSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/** node:util parseArgs, with its errors turned into InputError naming the flag. */
export function readFlags<T extends FlagSpec>(args: string[], options: T, command: string) {
  return readCommandLine(args, options, command, false).values;
}

/** The flags and, when `allowPositionals`, the positional arguments (`readFlags`' rules). */
export function readCommandLine<T extends FlagSpec>(
  args: string[],
  options: T,
  command: string,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    // Node names the offending flag in its first sentence; the rest is advice for other tools.
    const message = error instanceof Error ? error.message : String(error);
    const firstSentence = message.split(/\.(?:\s|$)/)[0]!;
    throw new InputError(`${firstSentence} (see "quorum ${command} --help")`);
  }
}

/** Runs a research command: InputError → message and exit code 2. */
export async function runResearchCommand(
  command: string,
  help: string,
  body: () => Promise<string | 'help'>,
): Promise<number> {
  try {
    const done = await body();
    console.log(done === 'help' ? help : done);
    return 0;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    console.error(`quorum ${command}: ${error.message}`);
    return 2;
  }
}
