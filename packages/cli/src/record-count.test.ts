import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConllDocumentCounter,
  CsvRecordCounter,
  JsonArrayCounter,
  LineCounter,
  recordCounterFor,
  type RecordCounter,
} from './record-count';

const bytes = (text: string) => new TextEncoder().encode(text);

/** The count of `text` pushed in pieces cut at `cuts` (byte offsets), plus the end. */
function countIn(counter: RecordCounter, text: string, cuts: number[] = []): number {
  const data = bytes(text);
  const points = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b);
  let total = 0;
  let from = 0;
  for (const point of [...points, data.length]) {
    total += counter.push(data.subarray(from, point));
    from = point;
  }
  return total + counter.end();
}

describe('LineCounter', () => {
  it('counts non-blank lines, the last one with or without its line break', () => {
    expect(countIn(new LineCounter(), '{"a":1}\n{"a":2}\n')).toBe(2);
    expect(countIn(new LineCounter(), '{"a":1}\n\n  \n{"a":2}')).toBe(2);
    expect(countIn(new LineCounter(), '')).toBe(0);
  });
});

describe('CsvRecordCounter', () => {
  it('counts records after the header, not line breaks inside quotes', () => {
    const csv = 'task_id,label\r\n1,"a\nb"\r\n2,"say ""hi""\n"\r\n3,c';
    expect(countIn(new CsvRecordCounter(), csv)).toBe(3);
    expect(countIn(new CsvRecordCounter(), 'task_id,label\n')).toBe(0);
  });
});

describe('JsonArrayCounter', () => {
  it('counts the top-level elements, not nested ones or brackets in strings', () => {
    const json = '[\n{"a":[1,2,{"b":"],[,"}]},\n{"c":"\\"]"} , [3], "x"\n]';
    expect(countIn(new JsonArrayCounter(), json)).toBe(4);
    expect(countIn(new JsonArrayCounter(), '[]')).toBe(0);
    expect(countIn(new JsonArrayCounter(), '  [ ]  ')).toBe(0);
  });

  it('counts nothing in a document that is not an array, and says so', () => {
    const counter = new JsonArrayCounter();
    expect(counter.isCounting).toBe(true);
    expect(countIn(counter, '{"images":[{"id":1},{"id":2}]}')).toBe(0);
    expect(counter.isCounting).toBe(false);
  });

  it('counts the same however the bytes are cut, through multi-byte characters too', () => {
    const records = fc.array(fc.jsonValue(), { maxLength: 12 });
    fc.assert(
      fc.property(records, fc.array(fc.nat(), { maxLength: 8 }), (values, cuts) => {
        const text = JSON.stringify(
          values.map((value) => ({ v: value, s: 'é],"[ü' })),
          null,
          1,
        );
        expect(countIn(new JsonArrayCounter(), text, cuts)).toBe(values.length);
      }),
    );
  });
});

describe('ConllDocumentCounter', () => {
  it('counts -DOCSTART- lines, even when a chunk splits one', () => {
    const conll = '-DOCSTART- -X- -X- O\n\nEU -X- _ B-ORG\n\n-DOCSTART- -X- -X- O\n\nx -X- _ O\n';
    for (let cut = 0; cut <= conll.length; cut++)
      expect(countIn(new ConllDocumentCounter(), conll, [cut])).toBe(2);
    expect(countIn(new ConllDocumentCounter(), 'a -DOCSTART-\n')).toBe(0);
  });
});

describe('recordCounterFor', () => {
  it('chooses by content type, then by format', () => {
    expect(recordCounterFor('jsonl', 'application/x-ndjson; charset=utf-8')).toBeInstanceOf(
      LineCounter,
    );
    expect(recordCounterFor('csv', 'text/csv; charset=utf-8')).toBeInstanceOf(CsvRecordCounter);
    expect(recordCounterFor('scale', 'application/json; charset=utf-8')).toBeInstanceOf(
      JsonArrayCounter,
    );
    expect(recordCounterFor('conll', 'text/plain; charset=utf-8')).toBeInstanceOf(
      ConllDocumentCounter,
    );
    expect(recordCounterFor('yolo', 'application/zip')).toBeUndefined();
    // One JSON object whose tasks are spread over two arrays.
    expect(recordCounterFor('coco', 'application/json; charset=utf-8')).toBeUndefined();
  });
});
