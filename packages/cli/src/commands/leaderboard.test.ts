import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leaderboardFile, parseLeaderboardArguments, type LeaderboardOptions } from './leaderboard';

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
});
