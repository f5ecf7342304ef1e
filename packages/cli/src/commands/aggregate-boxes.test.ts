import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../csv';
import {
  aggregateBoxes,
  aggregateBoxesFile,
  parseAggregateBoxesArguments,
} from './aggregate-boxes';

const directory = mkdtempSync(join(tmpdir(), 'quorum-aggregate-boxes-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
const FIXTURE = fileURLToPath(
  new URL('../../../quality/test/fixtures/bbox-braylan-dev/', import.meta.url),
);

let files = 0;
function csvFile(text: string): string {
  const path = join(directory, `input-${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

function readRows(path: string): string[][] {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  expect(header).toBe('item,box,x1,y1,x2,y2,confidence');
  return lines.map((line) => line.split(','));
}

/** Runs the command as the CLI would, capturing what it prints. */
async function runCommand(args: string[]) {
  const out: string[] = [];
  const errors: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
  vi.spyOn(console, 'error').mockImplementation((text: string) => void errors.push(text));
  const code = await aggregateBoxes.run(args);
  vi.restoreAllMocks();
  return { code, out: out.join('\n'), errors: errors.join('\n') };
}

const HEADER = 'item,worker,box,x1,y1,x2,y2';
/** Two images: three workers agree on two objects of img1 (one also draws a stray box). */
const BOXES = [
  HEADER,
  'img1,w1,0,0,0,10,10',
  'img1,w1,1,20,20,30,30',
  'img1,w2,0,2,0,12,10',
  'img1,w2,1,21,20,31,30',
  'img1,w3,0,1,0,11,10',
  'img1,w3,1,20,21,30,31',
  'img1,w3,2,90,90,95,95',
  'img2,w1,0,5,5,15,15',
  'img2,w2,0,5,5,15,15',
].join('\n');

/** Expects the run to fail with exit code 2, a message matching `message`, and no output. */
async function expectRefusal(input: string, message: RegExp, extra: string[] = []): Promise<void> {
  const output = join(directory, `never-${files++}.csv`);
  const { code, errors } = await runCommand([
    '--input',
    csvFile(input),
    '--output',
    output,
    ...extra,
  ]);
  expect(errors).toMatch(/^quorum aggregate-boxes: /);
  expect(errors).toMatch(message);
  expect(code).toBe(2);
  expect(existsSync(output)).toBe(false);
  expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
}

describe('quorum aggregate-boxes', () => {
  it('writes one row per fused object, items in input order, and reports the run', async () => {
    const output = join(directory, 'fused.csv');
    const { code, out } = await runCommand([
      '--input',
      csvFile(BOXES),
      '--output',
      output,
      '--rounds',
      '0',
    ]);
    expect(code).toBe(0);
    expect(readRows(output)).toEqual([
      ['img1', '0', '1', '0', '11', '10', '1.000000'],
      ['img1', '1', '20.333333', '20.333333', '30.333333', '30.333333', '1.000000'],
      ['img2', '0', '5', '5', '15', '15', '1.000000'],
    ]);
    expect(out).toMatch(
      /^Fused 9 boxes in 5 annotations of 2 items by 3 workers into 3 objects \(IoU >= 0\.5, kept by best agreement with the workers\)/,
    );
  });

  it('scores the fused boxes, the medoid and a single annotation against gold', async () => {
    const gold = csvFile(
      'item,box,x1,y1,x2,y2\nimg1,0,0,0,10,10\nimg1,1,20,20,30,30\nimg2,0,5,5,15,15\nimg9,0,0,0,1,1\n',
    );
    const output = join(directory, `output-${files++}.csv`);
    const summary = await aggregateBoxesFile({
      input: csvFile(BOXES),
      output,
      iou: 0.5,
      rounds: 3,
      gold,
    });
    expect(summary.gold).toEqual({
      items: 2,
      unannotatedItems: 1,
      fused: 1,
      // img1's medoid is w1 or w2 (F1 1); w3's stray box costs it 0.2 on its own.
      medoid: 1,
      averageSingle: (1 + 1 + 0.8) / 3 / 2 + 1 / 2,
    });
    const { out } = await runCommand([
      '--input',
      csvFile(BOXES),
      '--output',
      output,
      '--gold',
      gold,
    ]);
    expect(out).toMatch(
      /Mean F1 on 2 gold items \(IoU >= 0\.5\): fused 1\.0000, medoid annotation 1\.0000, average single annotation 0\.9667/,
    );
    expect(out).toMatch(/1 gold items had no annotations and were not scored/);
  });

  it('keeps only well-supported objects with --min-support', async () => {
    const output = join(directory, `output-${files++}.csv`);
    const input = csvFile(`${BOXES}\nimg2,w3,0,40,40,50,50\nimg2,w4,0,60,60,70,70\n`);
    await runCommand(['--input', input, '--output', output, '--min-support', '0.75']);
    expect(readRows(output).map((row) => row[0])).toEqual(['img1', 'img1']);
    await runCommand(['--input', input, '--output', output, '--min-support', '0']);
    expect(readRows(output)).toHaveLength(6);
  });

  it('fuses the bbox-braylan-dev fixture above its medoid', async () => {
    const output = join(directory, `output-${files++}.csv`);
    const summary = await aggregateBoxesFile({
      input: `${FIXTURE}labels.csv`,
      output,
      iou: 0.5,
      rounds: 10,
      gold: `${FIXTURE}gold.csv`,
    });
    expect(summary).toMatchObject({ boxes: 3682, annotations: 862, items: 100, workers: 161 });
    expect(summary.gold!.items).toBe(100);
    expect(summary.gold!.fused).toBeCloseTo(0.7652, 4);
    expect(summary.gold!.medoid).toBeCloseTo(0.7426, 4);
    expect(summary.gold!.averageSingle).toBeCloseTo(0.6446, 4);
    expect(readRows(output)).toHaveLength(summary.objects);
  });

  it('names the line of a bad coordinate', async () => {
    await expectRefusal(
      `${HEADER}\nimg1,w1,0,0,0,10,10\nimg1,w2,0,0,abc,10,10\n`,
      /line 3: y1 "abc" is not a finite number/,
    );
    await expectRefusal(
      `${HEADER}\nimg1,w1,0,0,0,NaN,10\n`,
      /line 2: x2 "NaN" is not a finite number/,
    );
    await expectRefusal(`${HEADER}\nimg1,w1,0,0,0,Infinity,10\n`, /line 2: x2 "Infinity"/);
    await expectRefusal(`${HEADER}\nimg1,w1,0,0,0,10,\n`, /line 2: y2 "" is not a finite number/);
    await expectRefusal(`${HEADER}\nimg1,w1,0,0x10,0,10,10\n`, /line 2: x1 "0x10"/);
  });

  it('names the line of a box whose corners are out of order', async () => {
    await expectRefusal(
      `${HEADER}\nimg1,w1,0,10,0,5,10\n`,
      /line 2: x2 \(5\) is less than x1 \(10\)/,
    );
    await expectRefusal(
      `${HEADER}\nimg1,w1,0,0,10,5,2.5\n`,
      /line 2: y2 \(2\.5\) is less than y1 \(10\)/,
    );
  });

  it('refuses missing columns, empty files, empty fields, repeated boxes and ragged rows', async () => {
    await expectRefusal(
      'item,worker,x1,y1,x2,y2\nimg1,w1,0,0,1,1\n',
      /line 1: the header lacks the column box/,
    );
    await expectRefusal('', /is empty \(expected a header: item,worker,box,x1,y1,x2,y2\)/);
    await expectRefusal(`${HEADER}\n`, /has a header but no boxes/);
    await expectRefusal(`${HEADER}\n,w1,0,0,0,1,1\n`, /line 2: item is empty/);
    await expectRefusal(`${HEADER}\nimg1,,0,0,0,1,1\n`, /line 2: worker is empty/);
    await expectRefusal(`${HEADER}\nimg1,w1,,0,0,1,1\n`, /line 2: box is empty/);
    await expectRefusal(
      `${HEADER}\nimg1,w1,0,0,0,1,1\nimg1,w1,0,0,0,2,2\n`,
      /line 3: box "0" of worker "w1" on item "img1" already appears on line 2/,
    );
    await expectRefusal(`${HEADER}\nimg1,w1,0,0,0,1\n`, /line 2: expected 7 fields, found 6/);
  });

  it('refuses a bad gold file, naming the flag and line', async () => {
    const good = `${HEADER}\nimg1,w1,0,0,0,1,1\n`;
    await expectRefusal(good, /--gold: no such file/, ['--gold', join(directory, 'missing.csv')]);
    await expectRefusal(good, /line 1: the header lacks the column y2/, [
      '--gold',
      csvFile('item,box,x1,y1,x2\nimg1,0,0,0,1\n'),
    ]);
    await expectRefusal(good, /--gold line 2: x1 "left" is not a finite number/, [
      '--gold',
      csvFile('item,box,x1,y1,x2,y2\nimg1,0,left,0,1,1\n'),
    ]);
    await expectRefusal(good, /--gold line 3: box "0" of item "img1" already appears on line 2/, [
      '--gold',
      csvFile('item,box,x1,y1,x2,y2\nimg1,0,0,0,1,1\nimg1,0,0,0,1,1\n'),
    ]);
    await expectRefusal(good, /--gold: ".*" has a header but no boxes/, [
      '--gold',
      csvFile('item,box,x1,y1,x2,y2\n'),
    ]);
  });

  it('refuses unknown and malformed flags by name', async () => {
    const good = `${HEADER}\nimg1,w1,0,0,0,1,1\n`;
    await expectRefusal(good, /--frobnicate/, ['--frobnicate']);
    await expectRefusal(good, /--iou must be a number above 0 and at most 1, not "0"/, [
      '--iou',
      '0',
    ]);
    await expectRefusal(good, /--iou must be/, ['--iou', '1.5']);
    await expectRefusal(good, /--iou must be/, ['--iou', 'NaN']);
    await expectRefusal(good, /--min-support must be a number from 0 to 1, not "2"/, [
      '--min-support',
      '2',
    ]);
    await expectRefusal(good, /--min-support must be/, ['--min-support', 'half']);
    await expectRefusal(good, /--rounds must be a whole number from 0 to 100, not "1.5"/, [
      '--rounds',
      '1.5',
    ]);
    await expectRefusal(good, /--input: no such file/, ['--input', join(directory, 'nope.csv')]);
    expect(() => parseAggregateBoxesArguments(['--output', 'out.csv'])).toThrow(
      /--input is required/,
    );
    expect(() => parseAggregateBoxesArguments(['--input', 'in.csv'])).toThrow(
      /--output is required/,
    );
    expect(() => parseAggregateBoxesArguments(['--input', 'in.csv', '--output'])).toThrow(
      InputError,
    );
  });

  it('reads its defaults and prints help', async () => {
    expect(parseAggregateBoxesArguments(['--input', 'a.csv', '--output', 'b.csv'])).toEqual({
      input: 'a.csv',
      output: 'b.csv',
      iou: 0.5,
      rounds: 10,
    });
    expect(
      parseAggregateBoxesArguments([
        '--input=a.csv',
        '--output=b.csv',
        '--iou=.7',
        '--min-support=0.5',
        '--rounds=0',
        '--gold=g.csv',
      ]),
    ).toEqual({
      input: 'a.csv',
      output: 'b.csv',
      iou: 0.7,
      minSupport: 0.5,
      rounds: 0,
      gold: 'g.csv',
    });
    const { code, out } = await runCommand(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage:\n {2}quorum aggregate-boxes --input boxes\.csv/);
  });
});
