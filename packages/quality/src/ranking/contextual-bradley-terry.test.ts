import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_PRIOR, fitBradleyTerry } from './bradley-terry';
import {
  fitContextualBradleyTerry,
  fitPrepared,
  prepareComparisons,
  type ContextualComparisons,
  type ContextualFit,
} from './contextual-bradley-terry';
import { tallyComparisons, type Outcome } from './outcomes';
import { softplus } from '../truth/special';

const ITEMS = ['a', 'b', 'c', 'd'];
const CREDIT: Record<Outcome, number> = { left: 1, right: 0, tie: 0.5 };

/** Random comparisons among four items, each with `covariateCount` covariates in [-2, 2]. */
const comparisonsArbitrary = (covariateCount: number) =>
  fc.array(
    fc.record({
      pair: fc
        .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
        .filter(([a, b]) => a !== b),
      outcome: fc.constantFrom<Outcome>('left', 'right', 'tie'),
      covariates: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), {
        minLength: covariateCount,
        maxLength: covariateCount,
      }),
    }),
    { minLength: 1, maxLength: 40 },
  );

function design(
  rows: Array<{ pair: [number, number]; outcome: Outcome; covariates: number[] }>,
  covariateCount: number,
): ContextualComparisons {
  return {
    itemCount: ITEMS.length,
    left: Int32Array.from(rows, (row) => row.pair[0]),
    right: Int32Array.from(rows, (row) => row.pair[1]),
    credit: Float64Array.from(rows, (row) => CREDIT[row.outcome]),
    covariateCount,
    covariates: Float64Array.from(rows.flatMap((row) => row.covariates)),
  };
}

/** The penalised negative log-likelihood, written plainly and apart from the fit. */
function objective(data: ContextualComparisons, theta: number[], beta: number[]): number {
  let value = 0;
  for (let row = 0; row < data.left.length; row++) {
    let eta = theta[data.left[row]!]! - theta[data.right[row]!]!;
    for (let k = 0; k < beta.length; k++) eta += beta[k]! * data.covariates[row * beta.length + k]!;
    const y = data.credit[row]!;
    // -log σ(η) = softplus(-η), exact where σ(η) rounds to 0 or 1 (a weak prior lets separable
    // data push |η| past 37).
    value += y * softplus(-eta) + (1 - y) * softplus(eta);
  }
  for (const t of [...theta, ...beta]) value += 0.5 * DEFAULT_PRIOR * t * t;
  return value;
}

/** The objective's slope along each of θ and β at the fit, by central differences, is nil. */
function expectStationary(data: ContextualComparisons, fit: ContextualFit) {
  const point = [...fit.logStrengths, ...fit.coefficients];
  const h = 1e-5;
  point.forEach((_, i) => {
    const at = (shift: number) => {
      const moved = point.map((value, j) => (j === i ? value + shift : value));
      return objective(data, moved.slice(0, ITEMS.length), moved.slice(ITEMS.length));
    };
    expect(Math.abs((at(h) - at(-h)) / (2 * h))).toBeLessThan(1e-5);
  });
}

describe('fitContextualBradleyTerry', () => {
  it('is fitBradleyTerry when every covariate is 0', () => {
    fc.assert(
      fc.property(comparisonsArbitrary(4), (raw) => {
        const rows = raw.map((row) => ({ ...row, covariates: [0, 0, 0, 0] }));
        const fit = fitContextualBradleyTerry(design(rows, 4));
        const plain = fitBradleyTerry(
          tallyComparisons(
            rows.map((row) => ({
              left: ITEMS[row.pair[0]]!,
              right: ITEMS[row.pair[1]]!,
              outcome: row.outcome,
            })),
          ),
        );
        plain.items.forEach((item, i) =>
          expect(fit.logStrengths[ITEMS.indexOf(item)]).toBeCloseTo(plain.logStrengths[i]!, 6),
        );
        expect(Array.from(fit.coefficients)).toEqual([0, 0, 0, 0]);
      }),
      { numRuns: 60 },
    );
  });

  it('stops where the gradient of the penalised likelihood vanishes (checked by differences)', () => {
    for (const covariateCount of [4, 2]) {
      fc.assert(
        fc.property(comparisonsArbitrary(covariateCount), (rows) => {
          const data = design(rows, covariateCount);
          const fit = fitContextualBradleyTerry(data);
          expect(fit.converged).toBe(true);
          expectStationary(data, fit);
          // The likelihood sees only differences, so the ridge centres the strengths.
          expect(Math.abs(fit.logStrengths.reduce((sum, t) => sum + t, 0))).toBeLessThan(1e-9);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('checks the gradient where the fit makes a comparison certain to double precision', () => {
    // Found by the property above: the weak prior lets β reach about -18.5, so η is about 36.7
    // on the last row and σ(η) rounds to 1 one step of differences away.
    const data = design(
      [
        { pair: [1, 0], outcome: 'right', covariates: [0, 0] },
        { pair: [0, 1], outcome: 'right', covariates: [0.047018035168314376, 0] },
        { pair: [2, 0], outcome: 'left', covariates: [-1.999999999999997, 0] },
      ],
      2,
    );
    const fit = fitContextualBradleyTerry(data);
    expect(fit.converged).toBe(true);
    expect(fit.coefficients[0]).toBeLessThan(-15);
    expectStationary(data, fit);
  });

  it('gives the same fit with dense Cholesky and with conjugate gradients', () => {
    fc.assert(
      fc.property(comparisonsArbitrary(4), (rows) => {
        const data = design(rows, 4);
        const dense = fitContextualBradleyTerry(data, { solver: 'cholesky' });
        const iterative = fitContextualBradleyTerry(data, { solver: 'conjugate-gradient' });
        dense.logStrengths.forEach((t, i) => expect(iterative.logStrengths[i]).toBeCloseTo(t, 6));
        dense.coefficients.forEach((b, k) => expect(iterative.coefficients[k]).toBeCloseTo(b, 6));
      }),
      { numRuns: 40 },
    );
  });

  it('counts a row with weight n as n copies of it', () => {
    const rows = [
      { pair: [0, 1] as [number, number], outcome: 'left' as const, covariates: [0.5] },
      { pair: [1, 2] as [number, number], outcome: 'tie' as const, covariates: [-1] },
      { pair: [2, 0] as [number, number], outcome: 'right' as const, covariates: [0.2] },
    ];
    const weighted = fitPrepared(
      prepareComparisons(design(rows, 1)),
      {},
      Uint32Array.from([3, 0, 2]),
    );
    const copied = fitContextualBradleyTerry(
      design([rows[0]!, rows[0]!, rows[0]!, rows[2]!, rows[2]!], 1),
    );
    copied.logStrengths.forEach((t, i) => expect(weighted.logStrengths[i]).toBeCloseTo(t, 9));
    expect(weighted.coefficients[0]).toBeCloseTo(copied.coefficients[0]!, 9);
  });

  it('refuses rows that do not compare two different items', () => {
    const rows = [{ pair: [1, 1] as [number, number], outcome: 'left' as const, covariates: [] }];
    expect(() => fitContextualBradleyTerry(design(rows, 0))).toThrow(/row 0/);
  });
});
