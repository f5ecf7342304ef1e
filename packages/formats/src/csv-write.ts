import { FormatError } from './errors';

/** What a CSV cell can be given as; null and undefined are empty cells. */
export type CsvValue = string | number | boolean | null | undefined;

/** Spreadsheets run cells that start with these as formulas (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Prefixes `'` to text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
 * return first), so exported labels or free text cannot execute in Excel, LibreOffice or Sheets.
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * One cell: text is neutralised and quoted when it holds a delimiter, quote or line break; NUL
 * characters (which no strict reader accepts) become U+FFFD. Numbers are written as numbers, so
 * `-3` stays a number rather than `'-3`.
 */
export function csvCell(value: CsvValue, delimiter = ','): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FormatError(`cannot write ${value} to CSV`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = neutralizeFormula(value.replaceAll('\0', '\uFFFD'));
  const needsQuotes =
    text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r');
  return needsQuotes ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record with its CRLF line ending (RFC 4180). */
export function csvRow(values: readonly CsvValue[], delimiter = ','): string {
  return `${values.map((value) => csvCell(value, delimiter)).join(delimiter)}\r\n`;
}

/** A header and rows as CSV text, one record per chunk. */
export function* writeCsv(
  header: readonly string[],
  rows: Iterable<readonly CsvValue[]>,
  delimiter = ',',
): Generator<string> {
  yield csvRow(header, delimiter);
  for (const row of rows) {
    if (row.length !== header.length)
      throw new FormatError(`a row has ${row.length} cells but the header has ${header.length}`);
    yield csvRow(row, delimiter);
  }
}
