import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { InputError } from '../csv';
import { aggregate, aggregateFile, parseAggregateArguments } from './aggregate';

const directory = mkdtempSync(join(tmpdir(), 'quorum-aggregate-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const FIXTURES = fileURLToPath(new URL('../../../quality/test/fixtures/crowd/', import.meta.url));

let files = 0;
function csvFile(text: string): string {
  const path = join(directory, `input-${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

function readRows(path: string): string[][] {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  expect(header).toBe('item,label,confidence');
  return lines.map((line) => line.split(','));
}

async function expectInputError(text: string, message: RegExp, gold?: string): Promise<void> {
  const output = join(directory, `never-${files++}.csv`);
  await expect(
    aggregateFile({
      input: csvFile(text),
      output,
      method: 'mv',
      ...(gold !== undefined ? { gold: csvFile(gold) } : {}),
    }),
  ).rejects.toThrow(message);
  expect(readdirSync(directory)).not.toContain(output.slice(directory.length + 1));
}

describe('quorum aggregate', () => {
  it('writes item,label,confidence in input order and scores against gold', async () => {
    const input = csvFile(
      [
        'worker,item,label,extra',
        'a,q1,cat,x',
        'b,q1,cat,x',
        'c,q1,dog,x',
        'a,"q,2",dog,x',
        'b,"q,2",dog,x',
      ].join('\n'),
    );
    const output = join(directory, 'truth.csv');
    const summary = await aggregateFile({
      input,
      output,
      method: 'mv',
      gold: csvFile('item,label\nq1,cat\n"q,2",cat\nq3,dog\n'),
    });
    expect(readRows(output)).toEqual([
      ['q1', 'cat', '0.666667'],
      ['"q', '2"', 'dog', '1.000000'],
    ]);
    expect(summary.gold).toEqual({ items: 2, correct: 1, accuracy: 0.5, unknownItems: 1 });
  });

  it.each(['ds', 'hybrid', 'glad', 'mace', 'wawa', 'onecoin'] as const)(
    'runs %s on a real dataset with the library figures',
    async (method) => {
      const output = join(directory, `bluebirds-${method}.csv`);
      const summary = await aggregateFile({
        input: `${FIXTURES}bluebirds/labels.csv`,
        gold: `${FIXTURES}bluebirds/gold.csv`,
        output,
        method,
      });
      expect(readRows(output)).toHaveLength(108);
      const expected = {
        ds: 0.8981,
        hybrid: 0.8981,
        glad: 0.7222,
        mace: 0.8611,
        wawa: 0.7593,
        onecoin: 0.5833,
      };
      expect(summary.gold!.accuracy).toBeCloseTo(expected[method], 4);
    },
  );

  it('refuses bad files with the line, and writes nothing', async () => {
    await expectInputError('', /is empty \(expected a header: item,worker,label\)/);
    await expectInputError('item,worker\nq,a\n', /line 1: the header lacks the column label/);
    await expectInputError('item,worker,label\n', /has a header but no answers/);
    await expectInputError('item,worker,label\nq,a,x\nq,,x\n', /line 3: worker is empty/);
    await expectInputError('item,worker,label\nq,a,x,y\n', /line 2: expected 3 fields, found 4/);
    await expectInputError('item,worker,label\nq,a,"x\n', /line 2: a quoted field is never closed/);
    await expectInputError(
      'item,worker,label\nq,a,x\n',
      /--gold line 2: label is empty/,
      'item,label\nq,\n',
    );
    await expectInputError(
      'item,worker,label\nq,a,x\n',
      /--gold line 3: item "q" already has a gold label \(line 2\)/,
      'item,label\nq,x\nq,y\n',
    );
    await expect(
      aggregateFile({
        input: join(directory, 'missing.csv'),
        output: join(directory, 'o.csv'),
        method: 'mv',
      }),
    ).rejects.toThrow(/--input: no such file/);
  });

  it('refuses bad flags, naming them', () => {
    const base = ['--input', 'a.csv', '--output', 'b.csv'];
    expect(parseAggregateArguments(base)).toMatchObject({ method: 'hybrid' });
    expect(() => parseAggregateArguments(['--output', 'b.csv'])).toThrow(/--input is required/);
    expect(() => parseAggregateArguments([...base, '--method', 'kos'])).toThrow(
      /--method must be one of hybrid, mv, wawa, ds, onecoin, glad, mace, not "kos"/,
    );
    expect(() => parseAggregateArguments([...base, '--max-iterations', '0'])).toThrow(
      /--max-iterations/,
    );
    expect(() => parseAggregateArguments([...base, '--tolerance', 'abc'])).toThrow(/--tolerance/);
    expect(() => parseAggregateArguments([...base, '--frobnicate'])).toThrow(InputError);
    expect(() => parseAggregateArguments([...base, '--frobnicate'])).toThrow(/frobnicate/);
  });

  it('exits 2 on bad input and 0 on success', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const logs = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(
        await aggregate.run(['--input', csvFile(''), '--output', join(directory, 'x.csv')]),
      ).toBe(2);
      expect(errors.mock.calls[0]![0]).toMatch(/^quorum aggregate: --input: ".*" is empty/);
      const ok = await aggregate.run([
        '--input',
        csvFile('item,worker,label\nq,a,x\n'),
        '--output',
        join(directory, 'ok.csv'),
        '--method',
        'ds',
      ]);
      expect(ok).toBe(0);
      expect(logs.mock.calls[0]![0]).toMatch(
        /Aggregated 1 answers on 1 items by 1 workers with ds/,
      );
    } finally {
      errors.mockRestore();
      logs.mockRestore();
    }
  });
});
