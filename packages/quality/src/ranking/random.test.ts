import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resampleCounts, sampleBinomial, seededRandom } from './random';

/** log P(X = k) for X ~ Binomial(n, p), for the goodness-of-fit check. */
function logBinomialPmf(n: number, p: number, k: number): number {
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log(n - k + i) - Math.log(i);
  return logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = seededRandom(seed);
        const b = seededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const x = a();
          expect(x).toBe(b());
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
        }
      }),
    );
  });

  it('gives different sequences for neighbouring seeds', () => {
    const first = Array.from({ length: 8 }, seededRandom(1));
    const second = Array.from({ length: 8 }, seededRandom(2));
    expect(first).not.toEqual(second);
  });

  it('is close to uniform', () => {
    const random = seededRandom(99);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) bins[Math.floor(random() * 10)]! += 1;
    // Chi-square with 9 degrees of freedom; 27.9 is its 0.999 quantile.
    const chiSquare = bins.reduce((sum, count) => sum + (count - 10_000) ** 2 / 10_000, 0);
    expect(chiSquare).toBeLessThan(27.9);
  });
});

describe('sampleBinomial', () => {
  // (n, p) pairs covering inversion (n·p < 10), rejection (n·p >= 10) and p > 1/2 (reflection).
  const cases: [number, number][] = [
    [15, 0.3],
    [40, 0.4],
    [200, 0.05],
    [60, 0.8],
  ];
  it.each(cases)('draws from Binomial(%i, %f) (chi-square goodness of fit)', (n, p) => {
    const random = seededRandom(n * 1000 + Math.round(p * 100));
    const draws = 40_000;
    const counts = new Array<number>(n + 1).fill(0);
    for (let i = 0; i < draws; i++) counts[sampleBinomial(n, p, random)]! += 1;
    // Pool the sparse tails so every bin expects at least 5 draws.
    let chiSquare = 0;
    let bins = 0;
    let pooledObserved = 0;
    let pooledExpected = 0;
    for (let k = 0; k <= n; k++) {
      pooledObserved += counts[k]!;
      pooledExpected += draws * Math.exp(logBinomialPmf(n, p, k));
      if (pooledExpected >= 5 || k === n) {
        chiSquare += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
        bins++;
        pooledObserved = 0;
        pooledExpected = 0;
      }
    }
    // Wilson-Hilferty approximation of the chi-square 0.999 quantile.
    const df = bins - 1;
    const critical = df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;
    expect(chiSquare).toBeLessThan(critical);
  });

  it('has the binomial mean and variance for millions of trials', () => {
    const random = seededRandom(5);
    const n = 3_000_000;
    const p = 0.002;
    let sum = 0;
    let sumSquares = 0;
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      const x = sampleBinomial(n, p, random);
      sum += x;
      sumSquares += x * x;
    }
    const mean = sum / draws;
    const variance = sumSquares / draws - mean * mean;
    // Mean 6000, variance 5988: four standard errors of the mean is about 2.2.
    expect(Math.abs(mean - n * p)).toBeLessThan(2.5);
    expect(variance / (n * p * (1 - p))).toBeGreaterThan(0.95);
    expect(variance / (n * p * (1 - p))).toBeLessThan(1.05);
  });

  it('handles the edges exactly', () => {
    const random = seededRandom(1);
    expect(sampleBinomial(0, 0.5, random)).toBe(0);
    expect(sampleBinomial(10, 0, random)).toBe(0);
    expect(sampleBinomial(10, 1, random)).toBe(10);
    expect(() => sampleBinomial(2.5, 0.5, random)).toThrow(RangeError);
    expect(() => sampleBinomial(3, 1.5, random)).toThrow(RangeError);
  });
});

describe('resampleCounts', () => {
  it('keeps the total and never fills an empty cell', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 30 }),
        fc.integer(),
        (counts, seed) => {
          const drawn = resampleCounts(Float64Array.from(counts), seededRandom(seed));
          expect(drawn.reduce((a, b) => a + b, 0)).toBe(counts.reduce((a, b) => a + b, 0));
          counts.forEach((count, i) => {
            expect(Number.isInteger(drawn[i])).toBe(true);
            if (count === 0) expect(drawn[i]).toBe(0);
          });
        },
      ),
    );
  });

  it('draws each cell with its multinomial mean', () => {
    const counts = Float64Array.from([500, 30, 0, 1200, 7]);
    const random = seededRandom(11);
    const sums = new Float64Array(counts.length);
    const rounds = 4000;
    for (let r = 0; r < rounds; r++) {
      const drawn = resampleCounts(counts, random);
      drawn.forEach((x, i) => {
        sums[i] = sums[i]! + x;
      });
    }
    const total = 1737;
    counts.forEach((count, i) => {
      const p = count / total;
      const standardError = Math.sqrt((total * p * (1 - p)) / rounds);
      expect(Math.abs(sums[i]! / rounds - count)).toBeLessThanOrEqual(4 * standardError + 1e-9);
    });
  });
});
