import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bordaCount, tidemanRankedPairs, type Ballot } from './aggregation';

function repeat(ballot: Ballot, times: number): Ballot[] {
  return Array.from({ length: times }, () => ballot);
}

// The textbook election for Tennessee's capital, per 100 voters.
const TENNESSEE: Ballot[] = [
  ...repeat(['Memphis', 'Nashville', 'Chattanooga', 'Knoxville'], 42),
  ...repeat(['Nashville', 'Chattanooga', 'Knoxville', 'Memphis'], 26),
  ...repeat(['Chattanooga', 'Knoxville', 'Nashville', 'Memphis'], 15),
  ...repeat(['Knoxville', 'Chattanooga', 'Nashville', 'Memphis'], 17),
];

const ballotsArbitrary = fc.array(
  fc.shuffledSubarray(['a', 'b', 'c', 'd', 'e'], { minLength: 1 }),
  { minLength: 1, maxLength: 25 },
);

describe('tidemanRankedPairs', () => {
  it('ranks the Tennessee example as published', () => {
    const result = tidemanRankedPairs(TENNESSEE);
    expect(result.ranking).toEqual(['Nashville', 'Chattanooga', 'Knoxville', 'Memphis']);
    expect(result.locked[0]).toEqual({ winner: 'Chattanooga', loser: 'Knoxville', margin: 66 });
  });

  it('skips the pair that would close a cycle', () => {
    const ballots = [
      ...repeat(['a', 'b', 'c'], 5),
      ...repeat(['b', 'c', 'a'], 4),
      ...repeat(['c', 'a', 'b'], 2),
    ];
    const result = tidemanRankedPairs(ballots);
    expect(result.locked.map((pair) => `${pair.winner}>${pair.loser}`)).toEqual(['b>c', 'a>b']);
    expect(result.ranking).toEqual(['a', 'b', 'c']);
  });

  it('puts a Condorcet winner first', () => {
    fc.assert(
      fc.property(ballotsArbitrary, (ballots) => {
        const items = [...new Set(ballots.flat())];
        const prefers = (x: string, y: string) =>
          ballots.filter((ballot) => {
            const px = ballot.indexOf(x);
            const py = ballot.indexOf(y);
            return px >= 0 && (py < 0 || px < py);
          }).length;
        const winner = items.find((x) =>
          items.every((y) => x === y || prefers(x, y) > prefers(y, x)),
        );
        if (winner !== undefined) expect(tidemanRankedPairs(ballots).ranking[0]).toBe(winner);
      }),
    );
  });

  it('returns every item once, whatever the ballots', () => {
    fc.assert(
      fc.property(ballotsArbitrary, (ballots) => {
        const ranking = tidemanRankedPairs(ballots).ranking;
        expect([...ranking].sort()).toEqual([...new Set(ballots.flat())].sort());
      }),
    );
  });

  it('breaks exact ties by Borda points, then by id', () => {
    expect(
      tidemanRankedPairs([
        ['b', 'a'],
        ['a', 'b'],
      ]).ranking,
    ).toEqual(['a', 'b']);
    // a and q tie head to head; q has more Borda points, so it goes before a.
    expect(
      tidemanRankedPairs([
        ['m', 'a', 'q'],
        ['q', 'm', 'a'],
      ]).ranking,
    ).toEqual(['m', 'q', 'a']);
  });
});

describe('bordaCount', () => {
  it('scores the Tennessee example as published', () => {
    const result = bordaCount(TENNESSEE);
    expect(result.ranking).toEqual(['Nashville', 'Chattanooga', 'Memphis', 'Knoxville']);
    expect(result.points.get('Nashville')).toBe(194);
    expect(result.points.get('Chattanooga')).toBe(173);
    expect(result.points.get('Memphis')).toBe(126);
    expect(result.points.get('Knoxville')).toBe(107);
  });

  it('gives a ballot the same total whether or not it lists everything', () => {
    fc.assert(
      fc.property(ballotsArbitrary, (ballots) => {
        const n = new Set(ballots.flat()).size;
        const total = [...bordaCount(ballots).points.values()].reduce((a, b) => a + b, 0);
        expect(total).toBeCloseTo((ballots.length * n * (n - 1)) / 2, 9);
      }),
    );
  });

  it('follows unanimous ballots', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(['a', 'b', 'c', 'd'], { minLength: 4 }),
        fc.integer({ min: 1, max: 5 }),
        (ballot, voters) => {
          const ballots = repeat(ballot, voters);
          expect(bordaCount(ballots).ranking).toEqual(ballot);
          expect(tidemanRankedPairs(ballots).ranking).toEqual(ballot);
        },
      ),
    );
  });

  it('refuses a ballot that lists an item twice', () => {
    expect(() => bordaCount([['a', 'b', 'a']])).toThrow(/lists "a" twice/);
  });
});
