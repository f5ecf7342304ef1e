import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { krippendorffAlpha, type AlphaMetric } from './krippendorff';
import type { MaybeRating } from './cohen';

const _ = null;
// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers × 12 units with
// missing values (observer rows). Published: nominal .743, ordinal .815, interval .849, ratio .797.
const OBSERVERS: MaybeRating[][] = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
];
const UNITS = OBSERVERS[0]!.map((__, unit) => OBSERVERS.map((observer) => observer[unit]));

/** Alpha straight from Krippendorff's coincidence matrix, for any δ², as a reference. */
function alphaByCoincidences(
  units: readonly (readonly number[])[],
  delta: (c: number, k: number, frequency: Map<number, number>) => number,
): number {
  const pairable = units.filter((unit) => unit.length >= 2);
  const coincidences = new Map<string, number>();
  const frequency = new Map<number, number>();
  for (const unit of pairable)
    unit.forEach((c, i) =>
      unit.forEach((k, j) => {
        if (i === j) return;
        const key = `${c},${k}`;
        coincidences.set(key, (coincidences.get(key) ?? 0) + 1 / (unit.length - 1));
      }),
    );
  for (const unit of pairable) for (const c of unit) frequency.set(c, (frequency.get(c) ?? 0) + 1);
  const n = [...frequency.values()].reduce((a, b) => a + b, 0);
  let observed = 0;
  for (const [key, o] of coincidences) {
    const [c, k] = key.split(',').map(Number) as [number, number];
    observed += o * delta(c, k, frequency);
  }
  let expected = 0;
  for (const [c, nc] of frequency)
    for (const [k, nk] of frequency) expected += nc * nk * delta(c, k, frequency);
  return 1 - ((n - 1) * observed) / expected;
}

const ordinalDelta = (c: number, k: number, frequency: Map<number, number>): number => {
  const [low, high] = c <= k ? [c, k] : [k, c];
  let between = 0;
  for (const [g, n] of frequency) if (g >= low && g <= high) between += n;
  return (between - (frequency.get(c)! + frequency.get(k)!) / 2) ** 2;
};

const DELTAS: Record<AlphaMetric, (c: number, k: number, f: Map<number, number>) => number> = {
  nominal: (c, k) => (c === k ? 0 : 1),
  ordinal: ordinalDelta,
  interval: (c, k) => (c - k) ** 2,
  ratio: (c, k) => (c + k === 0 ? 0 : ((c - k) / (c + k)) ** 2),
};

const unitsArbitrary = fc.array(
  fc.array(fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }), {
    minLength: 0,
    maxLength: 5,
  }),
  { minLength: 1, maxLength: 15 },
);

describe('krippendorffAlpha', () => {
  it.each([
    ['nominal', 0.743],
    ['ordinal', 0.815],
    ['interval', 0.849],
    ['ratio', 0.797],
  ] as const)('reproduces Krippendorff’s published %s alpha', (metric, published) => {
    const result = krippendorffAlpha(UNITS, { metric });
    expect(result.alpha).toBeCloseTo(published, 3);
    // Unit 12 has a single value and is left out: 40 pairable values in 11 units.
    expect(result.pairableValues).toBe(40);
    expect(result.units).toBe(11);
  });

  it('matches the nominal figures of the worked example exactly', () => {
    // D_o = 8/40; D_e = (40² - Σ n_c²) / (40 · 39) with value frequencies n = (9, 13, 10, 5, 3).
    const result = krippendorffAlpha(UNITS);
    expect(result.observedDisagreement).toBeCloseTo(0.2, 12);
    expect(result.expectedDisagreement).toBeCloseTo((1600 - 384) / 1560, 12);
  });

  it.each(['nominal', 'ordinal', 'interval', 'ratio'] as const)(
    'agrees with the coincidence-matrix definition (%s)',
    (metric) => {
      fc.assert(
        fc.property(unitsArbitrary, (units) => {
          const values = units.map((unit) => unit.filter((v): v is number => v !== null));
          const result = krippendorffAlpha(units, { metric });
          const reference = alphaByCoincidences(values, DELTAS[metric]);
          if (result.pairableValues === 0) expect(result.alpha).toBeNaN();
          else if (Number.isFinite(reference)) expect(result.alpha).toBeCloseTo(reference, 9);
          else expect(result.alpha).toBe(1); // All values identical: no disagreement at all.
        }),
      );
    },
  );

  it('is 1 for perfect agreement, with any number of raters per unit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 6 })), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.constantFrom<AlphaMetric>('nominal', 'ordinal', 'interval', 'ratio'),
        (units, metric) => {
          const data = units.map(([value, raters]) => Array<number>(raters).fill(value));
          const result = krippendorffAlpha(data, { metric });
          if (result.pairableValues > 0) expect(result.alpha).toBe(1);
        },
      ),
    );
  });

  it('does not depend on the order of units or of values within a unit', () => {
    fc.assert(
      fc.property(
        unitsArbitrary.chain((units) =>
          fc.tuple(
            fc.constant(units),
            fc.shuffledSubarray(
              units.map((unit) => [...unit].reverse()),
              { minLength: units.length },
            ),
          ),
        ),
        fc.constantFrom<AlphaMetric>('nominal', 'ordinal', 'interval', 'ratio'),
        ([units, shuffled], metric) => {
          const a = krippendorffAlpha(units, { metric }).alpha;
          const b = krippendorffAlpha(shuffled, { metric }).alpha;
          if (Number.isNaN(a)) expect(b).toBeNaN();
          else expect(b).toBeCloseTo(a, 10);
        },
      ),
    );
  });

  it('orders string categories for ordinal alpha only when told how', () => {
    const units = [
      ['low', 'low'],
      ['mid', 'high'],
      ['high', 'high'],
      ['low', 'mid'],
    ];
    expect(() => krippendorffAlpha(units, { metric: 'ordinal' })).toThrow(/needs their order/);
    const asStrings = krippendorffAlpha(units, {
      metric: 'ordinal',
      order: ['low', 'mid', 'high'],
    });
    const asNumbers = krippendorffAlpha(
      units.map((unit) => unit.map((v) => ['low', 'mid', 'high'].indexOf(v))),
      { metric: 'ordinal' },
    );
    expect(asStrings.alpha).toBeCloseTo(asNumbers.alpha, 12);
  });

  it('treats null, undefined and NaN as missing and gives NaN with nothing pairable', () => {
    expect(
      krippendorffAlpha([
        [1, undefined, NaN, 1],
        [2, 2],
      ]).pairableValues,
    ).toBe(4);
    expect(krippendorffAlpha([[1], [null, 2]]).alpha).toBeNaN();
  });
});
