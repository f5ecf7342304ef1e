import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from './errors';
import { JsonArrayReader, readJsonArray, writeJsonArray } from './json-array';
import type { BadLine } from './jsonl';

function failure(work: () => unknown): FormatError {
  try {
    work();
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('JSON arrays read item by item', () => {
  it('reads each item with the line it starts on', () => {
    const text = '[\n  {"a": "x,]}"},\n  [1, 2],\n\n  "s\\"",\n  -1.5e3, true, null\n]\n';
    expect([...readJsonArray(text)]).toEqual([
      { line: 2, value: { a: 'x,]}' } },
      { line: 3, value: [1, 2] },
      { line: 5, value: 's"' },
      { line: 6, value: -1500 },
      { line: 6, value: true },
      { line: 6, value: null },
    ]);
    expect([...readJsonArray('[]')]).toEqual([]);
    expect([...readJsonArray('[7]')]).toEqual([{ line: 1, value: 7 }]);
  });

  it('reads one object as a document of one item', () => {
    expect([...readJsonArray('\n{"data": {"text": "hi"}}\n')]).toEqual([
      { line: 2, value: { data: { text: 'hi' } } },
    ]);
  });

  it('gives the same items whichever way the text is cut into chunks, bytes included', () => {
    fc.assert(
      fc.property(
        // A "__proto__" key is refused on purpose (tested below), so none is generated.
        fc.array(
          fc.jsonValue().filter((value) => !JSON.stringify(value).includes('"__proto__"')),
          { maxLength: 8 },
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        (values, cuts) => {
          const bytes = new TextEncoder().encode([...writeJsonArray(values)].join(''));
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks = [0, ...points, bytes.length]
            .slice(1)
            .map((end, index, ends) => bytes.subarray(index === 0 ? 0 : ends[index - 1], end));
          const read = [...readJsonArray(chunks)].map((item) => item.value);
          expect(read).toEqual(JSON.parse(JSON.stringify(values)));
        },
      ),
    );
  });

  it('names the line of structural errors', () => {
    expect(
      failure(() => [...readJsonArray('[\n{"a":1}\n{"b":2}]', { file: 'x.json' })]).message,
    ).toBe('"x.json", line 3: expects "," or "]" after the item that starts on line 2, not "{"');
    expect(failure(() => [...readJsonArray('[1,\n]')]).message).toMatch(
      /line 2: has a comma before/,
    );
    expect(failure(() => [...readJsonArray('[1]\n2')]).message).toMatch(/line 2: has more text/);
    expect(failure(() => [...readJsonArray('[{"a":\n1')]).message).toMatch(
      /ends inside the item that starts on line 1/,
    );
    expect(failure(() => [...readJsonArray('[1, 2')]).message).toMatch(/ends before the array/);
    expect(failure(() => [...readJsonArray('  ')]).message).toMatch(/is empty/);
    expect(failure(() => [...readJsonArray('nope')]).message).toMatch(/must be a JSON array/);
  });

  it('refuses an item that is not JSON, or skips it when asked', () => {
    const text = '[{"a":1},\n{"b":tru},\n{"__proto__":{}},\n{"c":3}]';
    expect(failure(() => [...readJsonArray(text)]).line).toBe(2);
    const bad: BadLine[] = [];
    const items = [...readJsonArray(text, { skipBadItems: true, onBadItem: (b) => bad.push(b) })];
    expect(items.map((item) => item.line)).toEqual([1, 4]);
    expect(bad.map((item) => item.line)).toEqual([2, 3]);
    expect(bad[1]!.message).toMatch(/__proto__/);
  });

  it('keeps one item in memory at most, capped', () => {
    const reader = new JsonArrayReader({ maxItemLength: 20 });
    reader.push('[{"a": "0123456789"}, ');
    expect(() => reader.push('{"b": "0123456789012345"}')).toThrow(/longer than 20 characters/);
  });
});
