import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitBradleyTerry, toEloRatings } from './bradley-terry';
import { battlesPerItem, leaderboard, onlineElo, winRateMatrix } from './leaderboard';
import { tallyComparisons, type Comparison } from './outcomes';

const times = (n: number, comparison: Comparison): Comparison[] => Array(n).fill(comparison);

describe('leaderboard', () => {
  it('rates 3 wins in 4 as 400·log10(3) ≈ 190.8 points apart, around 1000', () => {
    // Hand check: P(A beats B) = 3/4 ⇒ strength ratio 3 ⇒ 400·log10 3 = 190.85 points; the
    // mean log-strength is 0, so the two sit at 1000 ± 95.4.
    const table = tallyComparisons([
      ...times(3, { left: 'A', right: 'B', outcome: 'left' }),
      { left: 'A', right: 'B', outcome: 'right' },
    ]);
    const [first, second] = leaderboard(table, { bootstrap: 0, seed: 1 });
    expect(first!.model).toBe('A');
    expect(first!.rating - second!.rating).toBeCloseTo(190.85, 0);
    expect(first!.rating + second!.rating).toBeCloseTo(2000, 6);
    expect(first!.battles).toBe(4);
    expect(first!.lower).toBe(first!.rating);
  });

  it('counts a tie as half a win each way: two ties and nothing else leave models level', () => {
    const table = tallyComparisons(times(2, { left: 'A', right: 'B', outcome: 'tie' }));
    const rows = leaderboard(table, { bootstrap: 0, seed: 1 });
    expect(rows[0]!.rating).toBeCloseTo(1000, 6);
    expect(rows[1]!.rating).toBeCloseTo(1000, 6);
    expect(rows.map((row) => row.rank)).toEqual([1, 1]);
  });

  it('is the quality engine’s Bradley-Terry on the Elo scale, with intervals around it', () => {
    const comparisons: Comparison[] = [];
    const strengths: Record<string, number> = { a: 2, b: 1, c: 0.5, d: 0.25 };
    let state = 7;
    const random = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const names = Object.keys(strengths);
    for (let i = 0; i < 4000; i++) {
      const left = names[Math.floor(random() * 4)]!;
      let right = names[Math.floor(random() * 4)]!;
      if (right === left) right = names[(names.indexOf(left) + 1) % 4]!;
      const p = strengths[left]! / (strengths[left]! + strengths[right]!);
      comparisons.push({ left, right, outcome: random() < p ? 'left' : 'right' });
    }
    const table = tallyComparisons(comparisons);
    const direct = toEloRatings(fitBradleyTerry(table).logStrengths);
    const rows = leaderboard(table, { bootstrap: 200, seed: 3 });
    for (const row of rows) {
      expect(row.rating).toBeCloseTo(direct[table.items.indexOf(row.model)]!, 6);
      expect(row.lower).toBeLessThanOrEqual(row.rating);
      expect(row.upper).toBeGreaterThanOrEqual(row.rating);
    }
    expect(rows.map((row) => row.model)).toEqual(['a', 'b', 'c', 'd']);
    // Twice the strength is 400·log10 2 ≈ 120 points; a 4000-battle sample lands near it.
    expect(rows[0]!.rating - rows[1]!.rating).toBeGreaterThan(80);
    expect(rows[0]!.rating - rows[1]!.rating).toBeLessThan(160);
    expect(rows.map((row) => row.rank)).toEqual([1, 2, 3, 4]);
  });

  it('gives equal ranks to models whose intervals overlap', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            left: fc.constantFrom('a', 'b', 'c'),
            right: fc.constantFrom('a', 'b', 'c'),
            outcome: fc.constantFrom('left' as const, 'right' as const, 'tie' as const),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (raw) => {
          const comparisons = raw.filter((c) => c.left !== c.right);
          if (comparisons.length === 0) return;
          const rows = leaderboard(tallyComparisons(comparisons), { bootstrap: 30, seed: 1 });
          // A model is outranked only by models whose whole interval lies above its own.
          for (const a of rows)
            expect(a.rank).toBe(1 + rows.filter((c) => c.lower > a.upper).length);
          const battles = rows.reduce((sum, row) => sum + row.battles, 0);
          expect(battles).toBe(2 * comparisons.length);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('winRateMatrix and battles', () => {
  it('gives each pair its win share, ties half, and null for pairs that never met', () => {
    const table = tallyComparisons([
      { left: 'A', right: 'B', outcome: 'left' },
      { left: 'B', right: 'A', outcome: 'tie' },
      { left: 'A', right: 'C', outcome: 'right' },
    ]);
    const rates = winRateMatrix(table);
    const at = (a: string, b: string) => rates[table.items.indexOf(a)]![table.items.indexOf(b)];
    expect(at('A', 'B')).toBe(0.75);
    expect(at('B', 'A')).toBe(0.25);
    expect(at('C', 'A')).toBe(1);
    expect(at('B', 'C')).toBeNull();
    expect(Array.from(battlesPerItem(table))).toEqual([3, 2, 1]);
  });
});

describe('onlineElo', () => {
  it('moves the winner up and the loser down by the same amount, K times the surprise', () => {
    const ratings = onlineElo([{ left: 'A', right: 'B', score: 1 }], 4);
    expect(ratings.get('A')).toBeCloseTo(1002, 9);
    expect(ratings.get('B')).toBeCloseTo(998, 9);
    const tie = onlineElo([{ left: 'A', right: 'B', score: 0.5 }], 4);
    expect(tie.get('A')).toBe(1000);
  });
});
