import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  eloRating,
  fitBradleyTerry,
  normalizedStrengths,
  toEloRatings,
  winProbability,
} from './bradley-terry';
import { tallyComparisons, type Comparison, type Outcome } from './outcomes';

const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f'];

const comparisonArbitrary: fc.Arbitrary<Comparison> = fc
  .tuple(
    fc.constantFrom(...ITEMS),
    fc.constantFrom(...ITEMS),
    fc.constantFrom<Outcome>('left', 'right', 'tie'),
  )
  .filter(([left, right]) => left !== right)
  .map(([left, right, outcome]) => ({ left, right, outcome }));

const comparisonsArbitrary = fc.array(comparisonArbitrary, { minLength: 1, maxLength: 60 });

/** Scores by item id, so fits over differently ordered tables can be compared. */
function scoresOf(comparisons: readonly Comparison[]): Map<string, number> {
  const fit = fitBradleyTerry(tallyComparisons(comparisons));
  expect(fit.converged).toBe(true);
  return new Map(fit.items.map((item, i) => [item, fit.logStrengths[i]!]));
}

function expectSameScores(a: Map<string, number>, b: Map<string, number>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [item, score] of a) expect(b.get(item)).toBeCloseTo(score, 7);
}

const swapped = (outcome: Outcome): Outcome =>
  outcome === 'left' ? 'right' : outcome === 'right' ? 'left' : 'tie';

/** Hunter's (2004) MM iteration for the plain maximum-likelihood fit: an independent reference. */
function minorizeMaximize(comparisons: readonly Comparison[], items: readonly string[]): number[] {
  const index = new Map(items.map((item, i) => [item, i]));
  const n = items.length;
  const games = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const wins = new Array<number>(n).fill(0);
  for (const { left, right, outcome } of comparisons) {
    const i = index.get(left)!;
    const j = index.get(right)!;
    games[i]![j]! += 1;
    games[j]![i]! += 1;
    wins[i]! += outcome === 'left' ? 1 : outcome === 'tie' ? 0.5 : 0;
    wins[j]! += outcome === 'right' ? 1 : outcome === 'tie' ? 0.5 : 0;
  }
  let strength = new Array<number>(n).fill(1);
  for (let iteration = 0; iteration < 20_000; iteration++) {
    strength = strength.map((s, i) => {
      let denominator = 0;
      for (let j = 0; j < n; j++) if (j !== i) denominator += games[i]![j]! / (s + strength[j]!);
      return wins[i]! / denominator;
    });
    const logMean = strength.reduce((sum, s) => sum + Math.log(s), 0) / n;
    strength = strength.map((s) => s / Math.exp(logMean));
  }
  return strength.map(Math.log);
}

describe('fitBradleyTerry', () => {
  it('does not depend on the order of the comparisons', () => {
    fc.assert(
      fc.property(
        comparisonsArbitrary.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        ([list, shuffled]) => {
          const a = fitBradleyTerry(tallyComparisons(list));
          const b = fitBradleyTerry(tallyComparisons(shuffled));
          expect(b.items).toEqual(a.items);
          expect(Array.from(b.logStrengths)).toEqual(Array.from(a.logStrengths));
        },
      ),
    );
  });

  it('does not depend on what the items are called', () => {
    fc.assert(
      fc.property(
        comparisonsArbitrary,
        fc.shuffledSubarray(['p', 'q', 'r', 's', 't', 'u'], { minLength: 6 }),
        (list, names) => {
          const rename = new Map(ITEMS.map((item, i) => [item, names[i]!]));
          const renamed = list.map((c) => ({
            left: rename.get(c.left)!,
            right: rename.get(c.right)!,
            outcome: c.outcome,
          }));
          const original = scoresOf(list);
          const relabelled = scoresOf(renamed);
          for (const [item, score] of original)
            expect(relabelled.get(rename.get(item)!)).toBeCloseTo(score, 7);
        },
      ),
    );
  });

  it('does not change when left and right swap along with the winner', () => {
    fc.assert(
      fc.property(comparisonsArbitrary, fc.array(fc.boolean()), (list, flips) => {
        const flipped = list.map((c, i) =>
          flips[i] ? { left: c.right, right: c.left, outcome: swapped(c.outcome) } : c,
        );
        expectSameScores(scoresOf(list), scoresOf(flipped));
      }),
    );
  });

  it('ranks first an item that wins every comparison of a round robin', () => {
    // With every pair met equally often, the score order follows total wins (Zermelo): the
    // stationarity condition makes expected wins increase with strength. The champion has the
    // most wins, so it must come first whatever happens among the others.
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.infiniteStream(fc.constantFrom<Outcome>('left', 'right', 'tie')),
        (itemCount, rounds, outcomes) => {
          const items = Array.from({ length: itemCount }, (_, i) => `item${i}`);
          const champion = items[itemCount - 1]!;
          const list: Comparison[] = [];
          const draw = outcomes[Symbol.iterator]();
          for (let r = 0; r < rounds; r++) {
            for (let i = 0; i < itemCount; i++) {
              for (let j = i + 1; j < itemCount; j++) {
                const left = items[i]!;
                const right = items[j]!;
                const outcome = right === champion ? 'right' : (draw.next().value as Outcome);
                list.push({ left, right, outcome });
              }
            }
          }
          const scores = scoresOf(list);
          const best = scores.get(champion)!;
          for (const [item, score] of scores)
            if (item !== champion) expect(best).toBeGreaterThan(score);
        },
      ),
    );
  });

  it('counts a tie as half a win each way', () => {
    fc.assert(
      fc.property(comparisonsArbitrary, (list) => {
        // A win and a loss between the same items must count the same as two ties.
        const tiesAsWinAndLoss = list.flatMap((c): Comparison[] =>
          c.outcome === 'tie'
            ? [
                { left: c.left, right: c.right, outcome: 'left' },
                { left: c.left, right: c.right, outcome: 'right' },
              ]
            : [c, c],
        );
        const doubled = list.flatMap((c) => [c, c]);
        expectSameScores(scoresOf(tiesAsWinAndLoss), scoresOf(doubled));
      }),
    );
  });

  it('matches the maximum-likelihood fit of Hunter’s MM algorithm', () => {
    const list: Comparison[] = [];
    const record: [string, string, number, number, number][] = [
      ['a', 'b', 7, 3, 1],
      ['a', 'c', 5, 5, 0],
      ['b', 'c', 6, 2, 2],
      ['c', 'd', 8, 1, 0],
      ['a', 'd', 4, 1, 1],
      ['b', 'd', 2, 3, 0],
    ];
    for (const [left, right, wins, losses, ties] of record) {
      for (let k = 0; k < wins; k++) list.push({ left, right, outcome: 'left' });
      for (let k = 0; k < losses; k++) list.push({ left, right, outcome: 'right' });
      for (let k = 0; k < ties; k++) list.push({ left, right, outcome: 'tie' });
    }
    const fit = fitBradleyTerry(tallyComparisons(list), { prior: 1e-10 });
    const reference = minorizeMaximize(list, fit.items);
    fit.items.forEach((_, i) => expect(fit.logStrengths[i]).toBeCloseTo(reference[i]!, 6));
  });

  it('gives two items their observed log-odds', () => {
    const list: Comparison[] = [
      ...Array.from({ length: 30 }, (): Comparison => ({ left: 'x', right: 'y', outcome: 'left' })),
      ...Array.from({ length: 10 }, (): Comparison => ({ left: 'y', right: 'x', outcome: 'left' })),
    ];
    const fit = fitBradleyTerry(tallyComparisons(list), { prior: 1e-10 });
    expect(fit.logStrengths[0]! - fit.logStrengths[1]!).toBeCloseTo(Math.log(3), 8);
    expect(fit.logStrengths[0]! + fit.logStrengths[1]!).toBeCloseTo(0, 10);
  });

  it('keeps undefeated items and disconnected groups finite, each group centred on zero', () => {
    const list: Comparison[] = [
      { left: 'champ', right: 'a', outcome: 'left' },
      { left: 'champ', right: 'b', outcome: 'left' },
      { left: 'a', right: 'b', outcome: 'tie' },
      { left: 'island1', right: 'island2', outcome: 'right' },
    ];
    const fit = fitBradleyTerry(tallyComparisons(list));
    expect(fit.converged).toBe(true);
    const score = new Map(fit.items.map((item, i) => [item, fit.logStrengths[i]!]));
    for (const value of score.values()) expect(Number.isFinite(value)).toBe(true);
    expect(score.get('champ')).toBeGreaterThan(score.get('a')!);
    expect(score.get('island2')).toBeGreaterThan(score.get('island1')!);
    expect(score.get('champ')! + score.get('a')! + score.get('b')!).toBeCloseTo(0, 8);
    expect(score.get('island1')! + score.get('island2')!).toBeCloseTo(0, 8);
  });

  it('solves each Newton step the same way with Cholesky and conjugate gradients', () => {
    fc.assert(
      fc.property(comparisonsArbitrary, (list) => {
        const table = tallyComparisons(list);
        const dense = fitBradleyTerry(table, { solver: 'cholesky' });
        const iterative = fitBradleyTerry(table, { solver: 'conjugate-gradient' });
        dense.logStrengths.forEach((value, i) =>
          expect(iterative.logStrengths[i]).toBeCloseTo(value, 6),
        );
      }),
    );
  });

  it('fits hundreds of items with conjugate gradients', () => {
    // A ring with chords: every item meets its neighbours, strengths decrease around the ring.
    const list: Comparison[] = [];
    const count = 300;
    for (let i = 0; i < count; i++) {
      for (const step of [1, 7]) {
        const j = (i + step) % count;
        if (j > i) list.push({ left: `i${i}`, right: `i${j}`, outcome: 'left' });
        list.push({ left: `i${i}`, right: `i${j}`, outcome: i % 3 === 0 ? 'right' : 'tie' });
      }
    }
    const fit = fitBradleyTerry(tallyComparisons(list));
    expect(fit.converged).toBe(true);
    expect(fit.logStrengths.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
  });
});

describe('score scales', () => {
  it('puts strength 1 at 1000 and a factor of ten at 400 points', () => {
    expect(eloRating(0)).toBe(1000);
    expect(eloRating(Math.log(10))).toBeCloseTo(1400, 10);
    expect(Array.from(toEloRatings([0, -Math.log(10)]))).toEqual([1000, 600]);
  });

  it('gives 10:1 odds across a 400-point gap', () => {
    expect(winProbability(Math.log(10), 0)).toBeCloseTo(10 / 11, 12);
    expect(winProbability(0, 0)).toBe(0.5);
  });

  it('normalises strengths to sum to one', () => {
    const strengths = normalizedStrengths([Math.log(3), 0, 0]);
    expect(Array.from(strengths)).toEqual([0.6, 0.2, 0.2].map((x) => expect.closeTo(x, 12)));
  });
});
