import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { leaderboard } from './leaderboard';
import { tallyComparisons, type Outcome } from './outcomes';
import { seededRandom } from './random';
import {
  StyledComparisonBuilder,
  bootstrapStyleControl,
  styleControlledLeaderboard,
} from './style-control';
import type { ResponseStyle } from './style-features';

interface StyledBattle {
  left: string;
  right: string;
  outcome: Outcome;
  leftStyle: ResponseStyle;
  rightStyle: ResponseStyle;
}

function build(battles: StyledBattle[]) {
  const builder = new StyledComparisonBuilder();
  for (const b of battles) builder.add(b.left, b.right, b.outcome, b.leftStyle, b.rightStyle);
  return builder.build();
}

const FLIPPED: Record<Outcome, Outcome> = { left: 'right', right: 'left', tie: 'tie' };
const flip = (b: StyledBattle): StyledBattle => ({
  left: b.right,
  right: b.left,
  outcome: FLIPPED[b.outcome],
  leftStyle: b.rightStyle,
  rightStyle: b.leftStyle,
});

/**
 * Four equally good models; "verbose" writes about twice as long. Judges prefer the longer answer
 * (log-odds 1.5 per unit of (a − b)/(a + b) in length) and nothing else: markdown is noise.
 * A fifth of the battles are ties, drawn so that a tie's half win keeps E[credit] = σ(η).
 */
function lengthBiasedBattles(count: number, seed: number): StyledBattle[] {
  const random = seededRandom(seed);
  const models = ['verbose', 'alpha', 'beta', 'gamma'];
  const style = (model: string): ResponseStyle => ({
    length: Math.round((model === 'verbose' ? 400 : 200) * (0.4 + 1.2 * random())),
    headers: Math.floor(random() * 3),
    lists: Math.floor(random() * 6),
    bold: Math.floor(random() * 4),
  });
  const battles: StyledBattle[] = [];
  for (let i = 0; i < count; i++) {
    const a = Math.floor(random() * 4);
    const b = (a + 1 + Math.floor(random() * 3)) % 4;
    const leftStyle = style(models[a]!);
    const rightStyle = style(models[b]!);
    const d = (leftStyle.length - rightStyle.length) / (leftStyle.length + rightStyle.length);
    const p = 1 / (1 + Math.exp(-1.5 * d));
    const outcome: Outcome = random() < 0.2 ? 'tie' : random() < (p - 0.1) / 0.8 ? 'left' : 'right';
    battles.push({ left: models[a]!, right: models[b]!, outcome, leftStyle, rightStyle });
  }
  return battles;
}

const styleArbitrary = fc.record({
  length: fc.nat({ max: 2000 }),
  headers: fc.nat({ max: 5 }),
  lists: fc.nat({ max: 20 }),
  bold: fc.nat({ max: 10 }),
});
const battlesArbitrary = fc.array(
  fc
    .record({
      left: fc.constantFrom('a', 'b', 'c', 'd'),
      right: fc.constantFrom('a', 'b', 'c', 'd'),
      outcome: fc.constantFrom<Outcome>('left', 'right', 'tie'),
      leftStyle: styleArbitrary,
      rightStyle: styleArbitrary,
    })
    .filter((b) => b.left !== b.right),
  { minLength: 1, maxLength: 40 },
);

describe('styleControlledLeaderboard', () => {
  it('takes away a win that only came from length, and says what length is worth', () => {
    const battles = lengthBiasedBattles(4000, 11);
    const plain = leaderboard(tallyComparisons(battles), { bootstrap: 200, seed: 1 });
    expect(plain[0]!.model).toBe('verbose');
    expect(plain[0]!.rank).toBe(1);
    expect(plain.slice(1).every((row) => row.rank > 1)).toBe(true);
    expect(plain[0]!.rating - plain[1]!.rating).toBeGreaterThan(50);

    const styled = styleControlledLeaderboard(build(battles), { bootstrap: 200, seed: 1 });
    // Every model is as good as the others once length is held equal: one shared rank, and the
    // verbose model's rating near the mean of 1000.
    expect(styled.rows.map((row) => row.rank)).toEqual([1, 1, 1, 1]);
    const verbose = styled.rows.find((row) => row.model === 'verbose')!;
    expect(Math.abs(verbose.rating - 1000)).toBeLessThan(20);
    expect(verbose.battles).toBe(plain.find((row) => row.model === 'verbose')!.battles);

    const [length, ...markdown] = styled.coefficients;
    expect(length!.covariate).toBe('length');
    expect(length!.lower).toBeGreaterThan(0);
    expect(length!.lower).toBeLessThanOrEqual(length!.points);
    expect(length!.upper).toBeGreaterThanOrEqual(length!.points);
    // Per unit of the raw difference the fit recovers the 1.5 log-odds the judges used.
    expect(length!.logOdds / length!.sd).toBeGreaterThan(1.2);
    expect(length!.logOdds / length!.sd).toBeLessThan(1.8);
    expect(length!.points).toBeCloseTo((length!.logOdds * 400) / Math.LN10, 9);
    // Markdown did not matter: its intervals cover 0.
    for (const coefficient of markdown) {
      expect(coefficient.lower).toBeLessThan(0);
      expect(coefficient.upper).toBeGreaterThan(0);
    }
  });

  it('gives the plain ratings when the two sides never differ in style', () => {
    const random = seededRandom(5);
    const battles = lengthBiasedBattles(600, 3).map((battle) => {
      const same = { length: 10 + Math.floor(random() * 90), headers: 1, lists: 0, bold: 2 };
      return { ...battle, leftStyle: same, rightStyle: same };
    });
    const plain = leaderboard(tallyComparisons(battles), { bootstrap: 0, seed: 1 });
    const styled = styleControlledLeaderboard(build(battles), { bootstrap: 0, seed: 1 });
    expect(styled.rows.map((row) => row.model)).toEqual(plain.map((row) => row.model));
    styled.rows.forEach((row, i) => expect(row.rating).toBeCloseTo(plain[i]!.rating, 6));
    for (const coefficient of styled.coefficients)
      expect(coefficient).toMatchObject({ points: 0, lower: 0, upper: 0, sd: 0 });
  });

  it('does not depend on which model was shown as a, nor on the order of the battles', () => {
    fc.assert(
      fc.property(
        battlesArbitrary,
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        (battles, flips) => {
          const fit = bootstrapStyleControl(build(battles), { rounds: 0, random: seededRandom(1) });
          const other = battles.map((b, i) => (flips[i] ? flip(b) : b)).reverse();
          const refit = bootstrapStyleControl(build(other), { rounds: 0, random: seededRandom(1) });
          expect(refit.items).toEqual(fit.items);
          fit.logStrengths.forEach((t, i) => expect(refit.logStrengths[i]).toBeCloseTo(t, 6));
          fit.coefficients.forEach((b, k) => expect(refit.coefficients[k]).toBeCloseTo(b, 6));
          fit.scales.forEach((s, k) => expect(refit.scales[k]).toBeCloseTo(s, 12));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('does not depend on the unit of the counts: doubling every count changes nothing', () => {
    fc.assert(
      fc.property(battlesArbitrary, (battles) => {
        const double = (s: ResponseStyle): ResponseStyle => ({
          length: 2 * s.length,
          headers: 2 * s.headers,
          lists: 2 * s.lists,
          bold: 2 * s.bold,
        });
        const fit = bootstrapStyleControl(build(battles), { rounds: 0, random: seededRandom(1) });
        const doubled = bootstrapStyleControl(
          build(
            battles.map((b) => ({
              ...b,
              leftStyle: double(b.leftStyle),
              rightStyle: double(b.rightStyle),
            })),
          ),
          { rounds: 0, random: seededRandom(1) },
        );
        fit.logStrengths.forEach((t, i) => expect(doubled.logStrengths[i]).toBeCloseTo(t, 9));
        fit.coefficients.forEach((b, k) => expect(doubled.coefficients[k]).toBeCloseTo(b, 9));
      }),
      { numRuns: 40 },
    );
  });

  it('brackets every estimate with its interval, ranks by overlap and repeats itself for a seed', () => {
    fc.assert(
      fc.property(battlesArbitrary, fc.nat(), (battles, seed) => {
        const comparisons = build(battles);
        const board = styleControlledLeaderboard(comparisons, { bootstrap: 25, seed });
        for (const row of board.rows) {
          expect(row.lower).toBeLessThanOrEqual(row.rating);
          expect(row.upper).toBeGreaterThanOrEqual(row.rating);
          expect(row.rank).toBe(1 + board.rows.filter((other) => other.lower > row.upper).length);
        }
        for (const coefficient of board.coefficients) {
          expect(coefficient.lower).toBeLessThanOrEqual(coefficient.points);
          expect(coefficient.upper).toBeGreaterThanOrEqual(coefficient.points);
        }
        expect(board.rows.reduce((sum, row) => sum + row.battles, 0)).toBe(2 * battles.length);
        expect(styleControlledLeaderboard(comparisons, { bootstrap: 25, seed })).toEqual(board);
      }),
      { numRuns: 40 },
    );
  });
});

describe('StyledComparisonBuilder', () => {
  it('refuses a model compared with itself and counts that are not numbers >= 0', () => {
    const builder = new StyledComparisonBuilder();
    const style = { length: 1, headers: 0, lists: 0, bold: 0 };
    expect(() => builder.add('a', 'a', 'left', style, style)).toThrow(/itself/);
    expect(() => builder.add('a', 'b', 'left', { ...style, lists: -1 }, style)).toThrow(
      /lists must be a number >= 0/,
    );
    expect(() => builder.add('a', 'b', 'left', style, { ...style, length: NaN })).toThrow(
      /length must be/,
    );
    expect(builder.comparisons).toBe(0);
  });

  it('keeps every comparison past its first allocation, models sorted by id', () => {
    const builder = new StyledComparisonBuilder();
    for (let i = 0; i < 2500; i++)
      builder.add(
        i % 2 ? 'z' : 'y',
        'x',
        'tie',
        { length: i, headers: 0, lists: 0, bold: 0 },
        { length: 1, headers: 0, lists: 0, bold: 0 },
      );
    const built = builder.build();
    expect(built.items).toEqual(['x', 'y', 'z']);
    expect(built.left.length).toBe(2500);
    expect(built.differences[2499 * 4]).toBeCloseTo(2498 / 2500, 12);
    expect(built.left[2499]).toBe(2);
  });
});
