import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FormatError } from './errors';
import {
  JsonLinesReader,
  jsonLine,
  readJsonLines,
  readJsonLinesAsync,
  type BadLine,
} from './jsonl';

describe('JSON Lines', () => {
  it('reads values with their line numbers, skipping blank lines and CRLF endings', () => {
    expect([...readJsonLines('{"a":1}\r\n\r\n[2]\n"três"')]).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: [2] },
      { line: 4, value: 'três' },
    ]);
  });

  it('names the line of a value that is not JSON', () => {
    let error: unknown;
    try {
      [...readJsonLines('{"a":1}\n{"b":\n', { file: 'tasks.jsonl' })];
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).line).toBe(2);
    expect((error as FormatError).message).toMatch(/^"tasks.jsonl", line 2: is not valid JSON/);
  });

  it('can skip bad lines and report them instead', () => {
    const bad: BadLine[] = [];
    const values = [
      ...readJsonLines('1\nnope\n3\n{\n', {
        skipBadLines: true,
        onBadLine: (line) => bad.push(line),
      }),
    ];
    expect(values.map((value) => value.value)).toEqual([1, 3]);
    expect(bad.map((line) => line.line)).toEqual([2, 4]);
  });

  it('stops skipping after too many bad lines', () => {
    expect(() => [...readJsonLines('x\ny\nz\n', { skipBadLines: true, maxBadLines: 2 })]).toThrow(
      /line 3: more than 2 lines/,
    );
  });

  it('refuses __proto__ keys, even escaped', () => {
    expect(() => [...readJsonLines('{"__proto__":{"polluted":true}}')]).toThrow(/__proto__/);
    expect(() => [...readJsonLines('{"a":{"\\u005f_proto__":1}}')]).toThrow(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads async streams of bytes split anywhere', async () => {
    const bytes = new TextEncoder().encode('{"t":"😀"}\n{"t":"é"}\n');
    async function* chunks() {
      for (let at = 0; at < bytes.length; at += 3) yield bytes.subarray(at, at + 3);
    }
    const values = [];
    for await (const value of readJsonLinesAsync(chunks())) values.push(value.value);
    expect(values).toEqual([{ t: '😀' }, { t: 'é' }]);
  });

  it('round-trips any JSON value, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.jsonValue().filter((value) => !JSON.stringify(value).includes('"__proto__"')),
          { maxLength: 8 },
        ),
        fc.nat(),
        (values, cut) => {
          const text = values.map(jsonLine).join('');
          const at = text.length === 0 ? 0 : cut % text.length;
          const reader = new JsonLinesReader();
          const read = [
            ...reader.push(text.slice(0, at)),
            ...reader.push(text.slice(at)),
            ...reader.end(),
          ];
          // JSON has no -0; it comes back as 0.
          expect(read.map((line) => line.value)).toEqual(JSON.parse(JSON.stringify(values)));
        },
      ),
    );
  });
});
