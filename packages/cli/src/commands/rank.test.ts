import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRankArguments, rank, rankComparisonsFile, type ItemScore } from './rank';
import { InputError } from '../csv';

const directory = mkdtempSync(join(tmpdir(), 'quorum-rank-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
function csvFile(text: string): string {
  const path = join(directory, `input-${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

type Row = ItemScore;

/** Parses our own output (no quoted fields in these tests). */
function readScores(path: string): Row[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  expect(header).toBe('group,item,score,lower,upper,rank');
  return lines.map((line) => {
    const [group, item, score, lower, upper, rank] = line.split(',');
    return {
      group: group!,
      item: item!,
      score: Number(score),
      lower: Number(lower),
      upper: Number(upper),
      rank: Number(rank),
    };
  });
}

async function rankFile(input: string, extra: Partial<{ bootstrap: number; seed: number }> = {}) {
  const output = join(directory, `output-${files++}.csv`);
  await rankComparisonsFile({ input, output, bootstrap: 0, seed: 1, ...extra });
  return { output, rows: readScores(output) };
}

async function expectInputError(text: string, message: RegExp): Promise<void> {
  const output = join(directory, `never-${files++}.csv`);
  await expect(
    rankComparisonsFile({ input: csvFile(text), output, bootstrap: 0, seed: 1 }),
  ).rejects.toThrow(message);
  expect(readdirSync(directory)).not.toContain(output.slice(directory.length + 1));
}

const LEAGUE = [
  'left,right,winner',
  'alpha,beta,alpha',
  'beta,alpha,alpha',
  'alpha,gamma,alpha',
  'beta,gamma,beta',
  'gamma,beta,tie',
  'gamma,beta,beta',
].join('\n');

describe('quorum rank', () => {
  it('writes Elo-like scores, ranked, with zero-width intervals without bootstrap', async () => {
    const { rows } = await rankFile(csvFile(LEAGUE));
    expect(rows.map((row) => row.item)).toEqual(['alpha', 'beta', 'gamma']);
    expect(rows.map((row) => row.rank)).toEqual([1, 2, 3]);
    for (const row of rows) {
      expect(row.group).toBe('');
      expect(row.lower).toBe(row.score);
      expect(row.upper).toBe(row.score);
    }
    const mean = rows.reduce((sum, row) => sum + row.score, 0) / rows.length;
    expect(mean).toBeCloseTo(1000, 1);
  });

  it('brackets every score with its bootstrap interval and repeats itself for a seed', async () => {
    const input = csvFile(LEAGUE);
    const first = await rankFile(input, { bootstrap: 200, seed: 9 });
    const second = await rankFile(input, { bootstrap: 200, seed: 9 });
    expect(readFileSync(second.output, 'utf8')).toBe(readFileSync(first.output, 'utf8'));
    for (const row of first.rows) {
      expect(row.lower).toBeLessThanOrEqual(row.score);
      expect(row.upper).toBeGreaterThanOrEqual(row.score);
      expect(row.upper).toBeGreaterThan(row.lower);
    }
  });

  it('ranks each group on its own', async () => {
    const { rows } = await rankFile(
      csvFile('group,left,right,winner\nx,a,b,a\ny,a,b,b\nx,b,c,b\n'),
    );
    expect(rows.map((row) => `${row.group}:${row.item}:${row.rank}`)).toEqual([
      'x:a:1',
      'x:b:2',
      'x:c:3',
      'y:b:1',
      'y:a:2',
    ]);
  });

  it('reads quoted fields, CRLF line ends, a byte-order mark and extra columns', async () => {
    const text =
      '\uFEFFnote,Left , RIGHT,winner\r\n' +
      '"says ""hi"", twice","item, one",two,"item, one"\r\n' +
      '"spans\r\ntwo lines",two,"item, one",TIE\r\n';
    const output = join(directory, `output-${files++}.csv`);
    const summary = await rankComparisonsFile({
      input: csvFile(text),
      output,
      bootstrap: 0,
      seed: 1,
    });
    expect(summary).toEqual({ comparisons: 2, groups: 1, items: 2 });
    expect(readFileSync(output, 'utf8').split('\n')[1]).toMatch(/^,"item, one",/);
  });

  it('names the line of a winner that is neither side nor a tie', async () => {
    await expectInputError(
      'left,right,winner\na,b,a\na,b,c\n',
      /line 3: winner "c" is neither left \("a"\), right \("b"\) nor "tie"/,
    );
  });

  it('refuses missing columns, empty files, ragged rows and unclosed quotes', async () => {
    await expectInputError('left,right\na,b\n', /header lacks the column winner/);
    await expectInputError('', /is empty/);
    await expectInputError('left,right,winner\n', /no comparisons/);
    await expectInputError('left,right,winner\na,b\n', /line 2: expected 3 fields, found 2/);
    await expectInputError('left,right,winner\na,"b,a\n', /line 2: a quoted field is never closed/);
    await expectInputError('left,right,winner\na,a,a\n', /line 2: "a" is compared with itself/);
  });

  it('refuses bad flags by name', () => {
    const base = ['--input', 'in.csv', '--output', 'out.csv'];
    expect(() => parseRankArguments([...base, '--frobnicate'])).toThrow(/--frobnicate/);
    expect(() => parseRankArguments([...base, '--bootstrap', 'many'])).toThrow(
      /--bootstrap must be a whole number/,
    );
    expect(() => parseRankArguments([...base, '--bootstrap=-3'])).toThrow(/--bootstrap/);
    expect(() => parseRankArguments([...base, '--seed', '1.5'])).toThrow(/--seed/);
    expect(() => parseRankArguments(['--output', 'out.csv'])).toThrow(/--input is required/);
    expect(() => parseRankArguments(['--input', 'in.csv'])).toThrow(/--output is required/);
    expect(parseRankArguments(base)).toEqual({
      input: 'in.csv',
      output: 'out.csv',
      bootstrap: 1000,
      seed: 1,
    });
    expect(() => parseRankArguments([...base, '--seed', 'x'])).toThrow(InputError);
  });

  it('exits 2 on bad input and leaves an existing output file untouched', async () => {
    const output = join(directory, 'kept.csv');
    writeFileSync(output, 'previous scores\n');
    const before = readdirSync(directory).length;
    const code = await rank.run([
      '--input',
      csvFile('left,right,winner\na,b,z\n'),
      '--output',
      output,
    ]);
    expect(code).toBe(2);
    expect(readFileSync(output, 'utf8')).toBe('previous scores\n');
    expect(readdirSync(directory)).toHaveLength(before + 1); // only the new input file
    expect(await rank.run(['--input', join(directory, 'missing.csv'), '--output', output])).toBe(2);
    expect(await rank.run(['--bogus'])).toBe(2);
  });

  it('exits 0 and replaces the output file on success', async () => {
    const output = join(directory, 'replaced.csv');
    writeFileSync(output, 'previous scores\n');
    const code = await rank.run([
      '--input',
      csvFile(LEAGUE),
      '--output',
      output,
      '--bootstrap',
      '50',
    ]);
    expect(code).toBe(0);
    expect(readScores(output)).toHaveLength(3);
  });
});
