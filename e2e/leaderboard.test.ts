import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../packages/cli/bin/quorum.js', import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), 'quorum-e2e-board-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const quorum = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, 'leaderboard', ...args], { encoding: 'utf8' });

describe('quorum leaderboard (the command)', () => {
  it('prints the board as JSON and exits 0', () => {
    const input = join(directory, 'battles.jsonl');
    writeFileSync(
      input,
      [
        { model_a: 'x', model_b: 'y', winner: 'model_a' },
        { model_a: 'y', model_b: 'x', winner: 'model_b' },
        { model_a: 'x', model_b: 'y', winner: 'tie' },
      ]
        .map((battle) => JSON.stringify(battle))
        .join('\n'),
    );
    const result = quorum('--input', input, '--bootstrap', '50');
    expect(result.status).toBe(0);
    const board = JSON.parse(result.stdout) as Array<{ model: string; rank: number }>;
    expect(board.map((row) => row.model)).toEqual(['x', 'y']);
  });

  it('exits 2 naming the line of a bad record', () => {
    const input = join(directory, 'bad.jsonl');
    writeFileSync(input, '{"model_a": "x", "model_b": "y", "winner": "model_a"}\nnot json\n');
    const result = quorum('--input', input);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/line 2: not valid JSON/);
    expect(result.stdout).toBe('');
  });
});
