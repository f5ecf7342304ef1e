import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvReader, parseCsv, readCsvRecords, readCsvRows } from './csv';
import { csvCell, csvRow, neutralizeFormula, writeCsv } from './csv-write';
import { FormatError } from './errors';

function errorOf(run: () => unknown): FormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('the CSV reader', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks', () => {
    const text = 'name,note\r\n"Zoë, Ångström","she said ""hi""\nthen left"\r\nplain,\r\n';
    expect(parseCsv(text)).toEqual([
      ['name', 'note'],
      ['Zoë, Ångström', 'she said "hi"\nthen left'],
      ['plain', ''],
    ]);
  });

  it('numbers records by the line they start on', () => {
    const records = [...readCsvRecords('a\n"b\nc"\nd')];
    expect(records.map((record) => record.line)).toEqual([1, 2, 4]);
  });

  it('skips empty lines but keeps a record of one empty quoted field', () => {
    expect(parseCsv('a\n\n""\n\nb\n')).toEqual([['a'], [''], ['b']]);
  });

  it('reads the same records whatever the chunking, even inside CRLF and doubled quotes', () => {
    const text = 'x,"y ""q"""\r\n"multi\r\nline",z\r\nlast,"é😀"';
    const whole = parseCsv(text);
    for (let cut = 0; cut <= text.length; cut++) {
      const reader = new CsvReader();
      const records = [
        ...reader.push(text.slice(0, cut)),
        ...reader.push(text.slice(cut)),
        ...reader.end(),
      ];
      expect(records.map((record) => record.fields)).toEqual(whole);
    }
  });

  it('decodes UTF-8 bytes split inside a character and drops a byte-order mark', () => {
    const bytes = new TextEncoder().encode('\uFEFFnom,emoji\nRené,😀\n');
    const reader = new CsvReader();
    const records = [];
    for (const byte of bytes) records.push(...reader.push(Uint8Array.of(byte)));
    records.push(...reader.end());
    expect(records.map((record) => record.fields)).toEqual([
      ['nom', 'emoji'],
      ['René', '😀'],
    ]);
  });

  it('refuses a quote inside an unquoted field, naming the line', () => {
    const error = errorOf(() => parseCsv('a,b\nfine,fi"ne\n', { file: 'tasks.csv' }));
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^"tasks.csv", line 2: a quote inside an unquoted field/);
  });

  it('refuses text after a closing quote', () => {
    expect(errorOf(() => parseCsv('"a"b,c')).message).toMatch(
      /line 1: "b" after the closing quote/,
    );
  });

  it('refuses a quoted field that is never closed, naming the line it opened on', () => {
    const error = errorOf(() => parseCsv('a\nb\n"open\nstill open\n'));
    expect(error.line).toBe(3);
    expect(error.message).toContain('opened on line 3 is never closed');
  });

  it('refuses NUL characters and bare carriage returns with their line', () => {
    expect(errorOf(() => parseCsv('a\nb\u0000')).line).toBe(2);
    expect(errorOf(() => parseCsv('a\n"x\n\u0000"')).line).toBe(3);
    expect(errorOf(() => parseCsv('a\rb\n')).message).toContain(
      'carriage return not followed by a line feed',
    );
  });

  it('refuses invalid UTF-8', () => {
    expect(() => [...readCsvRecords(Uint8Array.of(0x61, 0xff, 0x0a))]).toThrow(/not valid UTF-8/);
  });

  it('refuses a record longer than the limit instead of buffering it', () => {
    expect(() => parseCsv(`"${'x'.repeat(100)}"`, { maxRecordLength: 50 })).toThrow(
      /longer than 50/,
    );
  });

  it('reads rows by header and refuses rows of another width', () => {
    const rows = [...readCsvRows('a,b\n1,2\n')];
    expect(rows.map((row) => [row.line, { ...row.values }])).toEqual([[2, { a: '1', b: '2' }]]);
    const [row] = [...readCsvRows('__proto__,b\n1,2\n')];
    expect(Object.getPrototypeOf(row!.values)).toBeNull();
    expect(row!.values['__proto__']).toBe('1');
    expect(errorOf(() => [...readCsvRows('a,b\n1,2\n3\n')]).message).toBe(
      'line 3: has 1 fields but the header has 2 columns',
    );
    expect(errorOf(() => [...readCsvRows('a,a\n')]).message).toContain('column "a" appears twice');
  });
});

describe('the CSV writer', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    for (const cell of ['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx'])
      expect(neutralizeFormula(cell)).toBe(`'${cell}`);
    expect(neutralizeFormula('a=b')).toBe('a=b');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
  });

  it('writes numbers as numbers, so a negative stays a number', () => {
    expect(csvRow([-3, 0.5, true, null, undefined, 'x'])).toBe('-3,0.5,true,,,x\r\n');
  });

  it('quotes delimiters, quotes and line breaks', () => {
    expect(csvRow(['a,b', 'say "hi"', 'two\nlines'])).toBe('"a,b","say ""hi""","two\nlines"\r\n');
  });

  it('round-trips any text through the strict reader (formula cells come back with their prefix)', () => {
    const cell = fc.string({ unit: 'grapheme' }).map((text) => text.replaceAll('\0', ''));
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }),
        (rows) => {
          const width = rows[0]!.length;
          const table = rows.map((row) =>
            Array.from({ length: width }, (_, index) => row[index] ?? 'x'),
          );
          const header = table[0]!.map((_, index) => `c${index}`);
          const text = [...writeCsv(header, table)].join('');
          const read = parseCsv(text);
          // A row of one empty cell is an empty line, which readers skip.
          const expected = [header, ...table.filter((row) => !(row.length === 1 && row[0] === ''))];
          expect(read).toEqual(expected.map((row) => row.map((value) => neutralizeFormula(value))));
        },
      ),
    );
  });
});
