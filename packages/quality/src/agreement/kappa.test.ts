import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cohenKappa, cohenKappaFromTable } from './cohen';
import { fleissKappa, fleissKappaFromRatings } from './fleiss';

const ratingsArbitrary = fc.array(fc.constantFrom('cat', 'dog', 'bird', 3, 7), {
  minLength: 1,
  maxLength: 50,
});

describe('cohenKappa', () => {
  it('reproduces the textbook 2×2 examples', () => {
    // 50 grant proposals: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    const proposals = cohenKappaFromTable([
      [20, 5],
      [10, 15],
    ]);
    expect(proposals.observedAgreement).toBeCloseTo(0.7, 12);
    expect(proposals.expectedAgreement).toBeCloseTo(0.5, 12);
    expect(proposals.kappa).toBeCloseTo(0.4, 12);
    // Same agreement pattern, unbalanced marginals: p_o = 0.60, p_e = 0.54, kappa = 0.1304.
    expect(
      cohenKappaFromTable([
        [45, 15],
        [25, 15],
      ]).kappa,
    ).toBeCloseTo(0.06 / 0.46, 12);
  });

  it('reads the same table from two raters’ lists, skipping gaps', () => {
    const first = [
      ...Array(20).fill('yes'),
      ...Array(5).fill('yes'),
      ...Array(10).fill('no'),
      ...Array(15).fill('no'),
      null,
    ];
    const second = [
      ...Array(20).fill('yes'),
      ...Array(5).fill('no'),
      ...Array(10).fill('yes'),
      ...Array(15).fill('no'),
      'yes',
    ];
    const result = cohenKappa(first, second);
    expect(result.items).toBe(50);
    expect(result.kappa).toBeCloseTo(0.4, 12);
  });

  it('is 1 for perfect agreement', () => {
    fc.assert(
      fc.property(ratingsArbitrary, (ratings) => {
        expect(cohenKappa(ratings, ratings).kappa).toBe(1);
        expect(
          cohenKappa(ratings, ratings, {
            weights: 'quadratic',
            categories: ['cat', 'dog', 'bird', 3, 7],
          }).kappa,
        ).toBe(1);
      }),
    );
  });

  it('does not care which rater is first', () => {
    fc.assert(
      fc.property(ratingsArbitrary, ratingsArbitrary, (a, b) => {
        const length = Math.min(a.length, b.length);
        const forward = cohenKappa(a.slice(0, length), b.slice(0, length)).kappa;
        const backward = cohenKappa(b.slice(0, length), a.slice(0, length)).kappa;
        if (Number.isNaN(forward)) expect(backward).toBeNaN();
        else expect(backward).toBeCloseTo(forward, 12);
      }),
    );
  });

  it('weights near misses less with linear and quadratic weights', () => {
    // Raters one grade apart on every item: unweighted kappa sees only disagreement.
    const first = [1, 2, 3, 4, 1, 2, 3, 4];
    const second = [2, 3, 4, 3, 2, 3, 4, 3];
    const unweighted = cohenKappa(first, second).kappa;
    const linear = cohenKappa(first, second, { weights: 'linear' }).kappa;
    const quadratic = cohenKappa(first, second, { weights: 'quadratic' }).kappa;
    expect(linear).toBeGreaterThan(unweighted);
    expect(quadratic).toBeGreaterThan(linear);
  });

  it('gives quadratic-weighted kappa by its definition', () => {
    // 3 ordered grades; disagreement weights 0, 1/4, 1 by squared distance over (k - 1)².
    const table = [
      [10, 2, 0],
      [3, 8, 1],
      [0, 2, 6],
    ];
    const n = 32;
    const rows = table.map((row) => row.reduce((a, b) => a + b, 0) / n);
    const columns = [0, 1, 2].map((j) => table.reduce((s, row) => s + row[j]!, 0) / n);
    let observed = 0;
    let expected = 0;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const w = ((i - j) / 2) ** 2;
        observed += (w * table[i]![j]!) / n;
        expected += w * rows[i]! * columns[j]!;
      }
    expect(cohenKappaFromTable(table, { weights: 'quadratic' }).kappa).toBeCloseTo(
      1 - observed / expected,
      12,
    );
  });

  it('refuses ratings of different lengths and uses NaN when nothing is rated by both', () => {
    expect(() => cohenKappa(['a'], ['a', 'b'])).toThrow(RangeError);
    expect(cohenKappa([null, 'a'], ['b', undefined]).kappa).toBeNaN();
  });
});

// The 10-subject, 14-rater, 5-category illustration widely reproduced for Fleiss' kappa (e.g.
// Wikipedia). Fleiss's own 1971 table has 30 patients and 6 psychiatrists; this one is the common
// worked example: P̄ = 0.378, P̄e = 0.213, kappa = 0.210.
const FLEISS_EXAMPLE = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

describe('fleissKappa', () => {
  it('reproduces the worked 10 × 14 example', () => {
    const result = fleissKappa(FLEISS_EXAMPLE);
    expect(result.observedAgreement).toBeCloseTo(0.378, 3);
    expect(result.expectedAgreement).toBeCloseTo(0.213, 3);
    expect(result.kappa).toBeCloseTo(0.21, 3);
    expect(result.subjects).toBe(10);
    expect(result.raters).toBe(14);
  });

  it('gives the same from the raw ratings', () => {
    const ratings = FLEISS_EXAMPLE.map((row) =>
      row.flatMap((count, category) => Array<string>(count).fill(`category${category}`)),
    );
    expect(fleissKappaFromRatings(ratings).kappa).toBeCloseTo(
      fleissKappa(FLEISS_EXAMPLE).kappa,
      12,
    );
  });

  it('is 1 when every subject’s raters agree', () => {
    fc.assert(
      fc.property(ratingsArbitrary, fc.integer({ min: 2, max: 6 }), (labels, raters) => {
        const ratings = labels.map((label) => Array.from({ length: raters }, () => label));
        expect(fleissKappaFromRatings(ratings).kappa).toBe(1);
      }),
    );
  });

  it('equals Scott’s pi for two raters', () => {
    // Scott's pi: chance agreement from the pooled marginals of both raters.
    const first = ['a', 'a', 'b', 'c', 'b', 'a', 'c', 'c'];
    const second = ['a', 'b', 'b', 'c', 'a', 'a', 'c', 'b'];
    const observed = first.filter((x, i) => x === second[i]).length / first.length;
    const pooled = [...first, ...second];
    const expected = ['a', 'b', 'c'].reduce(
      (sum, c) => sum + (pooled.filter((x) => x === c).length / pooled.length) ** 2,
      0,
    );
    const pi = (observed - expected) / (1 - expected);
    expect(fleissKappaFromRatings(first.map((x, i) => [x, second[i]!])).kappa).toBeCloseTo(pi, 12);
  });

  it('refuses subjects with different numbers of raters, naming the subject', () => {
    expect(() =>
      fleissKappa([
        [2, 1],
        [1, 1],
      ]),
    ).toThrow(/subject 1 has 2 ratings/);
  });
});
