import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeCoefficients,
  leaderboardFile,
  parseBattle,
  parseLeaderboardArguments,
  type LeaderboardOptions,
} from './leaderboard';

const directory = mkdtempSync(join(tmpdir(), 'quorum-leaderboard-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
function jsonl(lines: Array<string | object>): string {
  const path = join(directory, `battles-${files++}.jsonl`);
  writeFileSync(
    path,
    lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n'),
  );
  return path;
}

const options = (input: string, extra: Partial<LeaderboardOptions> = {}): LeaderboardOptions => ({
  input,
  output: join(directory, `board-${files++}.json`),
  bootstrap: 0,
  seed: 1,
  category: undefined,
  skipBadLines: false,
  ...extra,
});

const battle = (model_a: string, model_b: string, winner: string, category?: string) => ({
  model_a,
  model_b,
  winner,
  ...(category ? { category } : {}),
  turn: 1,
});

describe('quorum leaderboard', () => {
  it('writes the board, best first, on the 400-point scale with battles per model', async () => {
    const input = jsonl([
      battle('gpt', 'llama', 'model_a'),
      battle('llama', 'gpt', 'model_b'),
      battle('gpt', 'llama', 'model_a'),
      battle('gpt', 'llama', 'model_b'),
      battle('llama', 'mistral', 'tie'),
      battle('mistral', 'llama', 'tie (bothbad)'),
      '',
    ]);
    const run = options(input, { bootstrap: 100 });
    const { summary } = await leaderboardFile(run);
    expect(summary).toEqual({ battles: 6, models: 3, skipped: 0 });
    const board = JSON.parse(readFileSync(run.output!, 'utf8')) as Array<
      Record<string, number | string>
    >;
    const row = (model: string) => board.find((entry) => entry.model === model)!;
    expect(board[0]!.model).toBe('gpt');
    expect(Object.keys(board[0]!)).toEqual([
      'model',
      'rating',
      'lower',
      'upper',
      'rank',
      'battles',
    ]);
    expect([row('gpt').battles, row('llama').battles, row('mistral').battles]).toEqual([4, 6, 2]);
    // gpt won 3 of 4 against llama: 190.85 points above it (the ridge prior moves it a hair).
    expect(Number(row('gpt').rating) - Number(row('llama').rating)).toBeCloseTo(190.85, 0);
    // llama and mistral only tied: level, but for the prior's pull on the model with fewer games.
    expect(Math.abs(Number(row('llama').rating) - Number(row('mistral').rating))).toBeLessThan(1);
    for (const entry of board) {
      expect(Number(entry.lower)).toBeLessThanOrEqual(Number(entry.rating));
      expect(Number(entry.upper)).toBeGreaterThanOrEqual(Number(entry.rating));
    }
  });

  it('ranks one category on its own', async () => {
    const input = jsonl([
      battle('a', 'b', 'model_a', 'coding'),
      battle('a', 'b', 'model_b', 'writing'),
      battle('a', 'b', 'model_b', 'writing'),
    ]);
    const { json } = await leaderboardFile(
      options(input, { output: undefined, category: 'writing' }),
    );
    expect((JSON.parse(json) as Array<{ model: string }>)[0]!.model).toBe('b');
  });

  it('stops at a bad line, naming it, and writes nothing; skips it only when asked', async () => {
    const lines = [
      battle('a', 'b', 'model_a'),
      '{"model_a": "a", "model_b": "b", "winner": "left"}',
      '{oops',
      battle('a', 'a', 'tie'),
    ];
    const input = jsonl(lines);
    const run = options(input);
    await expect(leaderboardFile(run)).rejects.toThrow(
      /line 2: winner must be "model_a", "model_b", "tie" or "tie \(bothbad\)", not "left"/,
    );
    expect(existsSync(run.output!)).toBe(false);
    const reported: string[] = [];
    const { summary } = await leaderboardFile(options(input, { skipBadLines: true }), (m) =>
      reported.push(m),
    );
    expect(summary).toEqual({ battles: 1, models: 2, skipped: 3 });
    expect(reported).toEqual([
      expect.stringMatching(/^line 2 skipped: winner must be/),
      'line 3 skipped: not valid JSON',
      'line 4 skipped: "a" is compared with itself',
    ]);
  });

  it('refuses bad flags and a missing file with a clear message', async () => {
    expect(() => parseLeaderboardArguments([])).toThrow(/--input is required/);
    expect(() => parseLeaderboardArguments(['--input', 'x', '--bootstrap', 'many'])).toThrow(
      /--bootstrap must be a whole number/,
    );
    await expect(leaderboardFile(options(join(directory, 'missing.jsonl')))).rejects.toThrow(
      /cannot read/,
    );
    await expect(leaderboardFile(options(jsonl(['', ''])))).rejects.toThrow(/has no battles/);
  });

  it('refuses --coefficients without --style-control', () => {
    expect(() => parseLeaderboardArguments(['--input', 'x', '--coefficients', 'c.json'])).toThrow(
      /--coefficients needs --style-control/,
    );
    expect(parseLeaderboardArguments(['--input', 'x', '--style-control'])).toMatchObject({
      styleControl: true,
      coefficients: undefined,
    });
  });
});

/** Arena's conv_metadata for answers of `a` and `b` tokens with the given markdown. */
const metadata = (a: number, b: number, markdownA = 0, markdownB = 0) => ({
  sum_user_tokens: 12,
  sum_assistant_a_tokens: a,
  sum_assistant_b_tokens: b,
  header_count_a: { h1: markdownA, h2: 0, h3: 0, h4: 0, h5: 0, h6: 0 },
  header_count_b: { h1: markdownB, h2: 0, h3: 0, h4: 0, h5: 0, h6: 0 },
  list_count_a: { ordered: markdownA, unordered: 1 },
  list_count_b: { ordered: markdownB, unordered: 1 },
  bold_count_a: { '**': markdownA, __: 0 },
  bold_count_b: { '**': markdownB, __: 0 },
});

describe('quorum leaderboard --style-control', () => {
  it('reads the style of both answers from conv_metadata, summing its counts', () => {
    const line = JSON.stringify({
      ...battle('a', 'b', 'model_b'),
      conv_metadata: metadata(300, 120, 2, 0),
    });
    expect(parseBattle(line, true)).toMatchObject({
      styles: [
        { length: 300, headers: 2, lists: 3, bold: 2 },
        { length: 120, headers: 0, lists: 1, bold: 0 },
      ],
    });
    expect(parseBattle(line)).not.toHaveProperty('styles');
    const broken = { ...metadata(300, 120), list_count_b: { ordered: 'two' } };
    expect(
      parseBattle(JSON.stringify({ ...battle('a', 'b', 'tie'), conv_metadata: broken }), true),
    ).toBe('conv_metadata.list_count_b must be an object of counts {"ordered": …, "unordered": …}');
  });

  it('keeps the board’s form, takes away a lead that came from length, and reports its worth', async () => {
    // "long" and "short" are equally good: the longer answer wins four times in five, whoever
    // wrote it, and long's answers are the longer ones three times in four. Plain Bradley-Terry
    // credits the model; with length held equal the two are level.
    const lines: object[] = [];
    const lengths = [
      [300, 100],
      [600, 200],
      [150, 50],
      [100, 300],
    ];
    for (let i = 0; i < 60; i++)
      for (const [mine, theirs] of lengths) {
        const longWins = mine! > theirs! !== (i % 5 === 0);
        const flipped = i % 2 === 1;
        lines.push({
          ...(flipped
            ? battle('short', 'long', longWins ? 'model_b' : 'model_a')
            : battle('long', 'short', longWins ? 'model_a' : 'model_b')),
          conv_metadata: flipped ? metadata(theirs!, mine!) : metadata(mine!, theirs!),
        });
      }
    const input = jsonl(lines);
    const plain = JSON.parse((await leaderboardFile(options(input, { output: undefined }))).json);
    const run = options(input, {
      bootstrap: 50,
      styleControl: true,
      coefficients: join(directory, `coefficients-${files++}.json`),
    });
    const { json, coefficients, summary } = await leaderboardFile(run);
    expect(summary).toEqual({ battles: 240, models: 2, skipped: 0 });
    const board = JSON.parse(json) as Array<Record<string, number | string>>;
    expect(JSON.parse(readFileSync(run.output!, 'utf8'))).toEqual(board);
    expect(Object.keys(board[0]!)).toEqual([
      'model',
      'rating',
      'lower',
      'upper',
      'rank',
      'battles',
    ]);
    const gap = (rows: Array<Record<string, number | string>>) =>
      Number(rows.find((row) => row.model === 'long')!.rating) -
      Number(rows.find((row) => row.model === 'short')!.rating);
    expect(gap(plain)).toBeGreaterThan(100);
    expect(Math.abs(gap(board))).toBeLessThan(1);
    expect(board.map((row) => row.rank)).toEqual([1, 1]);
    const length = coefficients!.find((c) => c.covariate === 'length')!;
    expect(length.lower).toBeGreaterThan(0);
    const written = JSON.parse(readFileSync(run.coefficients!, 'utf8')) as Array<{
      covariate: string;
      points: number;
    }>;
    expect(written.map((c) => c.covariate)).toEqual(['length', 'headers', 'lists', 'bold']);
    expect(written[0]!.points).toBeCloseTo(length.points, 1);
    expect(describeCoefficients(coefficients!)).toMatch(/^  length +\+\d+\.\d  \[\+/m);
  });

  it('stops at a record without conv_metadata, naming its line, unless told to skip it', async () => {
    const input = jsonl([
      { ...battle('a', 'b', 'model_a'), conv_metadata: metadata(10, 20) },
      battle('a', 'b', 'model_b'),
      { ...battle('a', 'b', 'tie'), conv_metadata: metadata(10, 20) },
    ]);
    const run = options(input, { styleControl: true });
    await expect(leaderboardFile(run)).rejects.toThrow(/^line 2: conv_metadata is missing/);
    expect(existsSync(run.output!)).toBe(false);
    const reported: string[] = [];
    const { summary } = await leaderboardFile(
      options(input, { styleControl: true, skipBadLines: true }),
      (m) => reported.push(m),
    );
    expect(summary).toEqual({ battles: 2, models: 2, skipped: 1 });
    expect(reported).toEqual([expect.stringMatching(/^line 2 skipped: conv_metadata is missing/)]);
  });
});
