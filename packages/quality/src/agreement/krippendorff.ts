import { isRated, sortedCategories, type MaybeRating, type RatingValue } from './cohen';

/**
 * The difference function δ² between two values: `nominal` (0 if equal, else 1), `ordinal`
 * (Krippendorff's rank-frequency metric), `interval` ((c - k)²) or `ratio` (((c - k)/(c + k))²).
 */
export type AlphaMetric = 'nominal' | 'ordinal' | 'interval' | 'ratio';

/** Options of krippendorffAlpha. */
export interface KrippendorffOptions {
  /** Default `nominal`. */
  metric?: AlphaMetric;
  /** For `ordinal` over strings: the categories from lowest to highest. Numbers sort themselves. */
  order?: readonly RatingValue[];
}

/** Krippendorff's alpha and its parts. */
export interface KrippendorffResult {
  /** 1 - observed / expected disagreement; 1 when all pairable values are identical. */
  alpha: number;
  observedDisagreement: number;
  expectedDisagreement: number;
  /** Values in units with at least two (the n of Krippendorff's formulas). */
  pairableValues: number;
  /** Units with at least two values. */
  units: number;
}

/**
 * Krippendorff's alpha (2011, "Computing Krippendorff's Alpha-Reliability") over units × values:
 * `units[u]` holds the values given to unit u, any number of them; null, undefined and NaN are
 * missing. Units with fewer than two values cannot be paired and are ignored. Nominal and interval
 * use closed forms (linear in the number of values); ordinal and ratio build the coincidences of
 * distinct values (quadratic in the number of distinct values).
 */
export function krippendorffAlpha(
  units: readonly (readonly MaybeRating[])[],
  options: KrippendorffOptions = {},
): KrippendorffResult {
  const metric = options.metric ?? 'nominal';
  const pairable = units.map((unit) => unit.filter(isRated)).filter((values) => values.length >= 2);
  const n = pairable.reduce((sum, values) => sum + values.length, 0);
  if (n === 0)
    return {
      alpha: NaN,
      observedDisagreement: NaN,
      expectedDisagreement: NaN,
      pairableValues: 0,
      units: 0,
    };

  const [observedSum, expectedSum] =
    metric === 'nominal'
      ? nominalSums(pairable, n)
      : metric === 'interval'
        ? intervalSums(pairable.map(numbersOf), n)
        : coincidenceSums(pairable, metric, options.order);
  const observedDisagreement = observedSum / n;
  const expectedDisagreement = expectedSum / (n * (n - 1));
  return {
    alpha: observedSum === 0 ? 1 : 1 - observedDisagreement / expectedDisagreement,
    observedDisagreement,
    expectedDisagreement,
    pairableValues: n,
    units: pairable.length,
  };
}

function numbersOf(values: readonly RatingValue[]): number[] {
  return values.map((value) => {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new RangeError(
        `interval and ratio values must be numbers, not ${JSON.stringify(value)}`,
      );
    return value;
  });
}

/**
 * [Σ_u Σ_{c≠k} n_uc n_uk δ² / (m_u - 1), Σ_{c≠k} n_c n_k δ²]: the numerators of D_o (over n) and
 * D_e (over n(n - 1)), summing over ordered pairs of values.
 */
type Sums = [observed: number, expected: number];

function nominalSums(pairable: readonly (readonly RatingValue[])[], n: number): Sums {
  const totals = new Map<RatingValue, number>();
  let observed = 0;
  for (const values of pairable) {
    const counts = new Map<RatingValue, number>();
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    let agreeing = 0;
    for (const [value, count] of counts) {
      agreeing += count * count;
      totals.set(value, (totals.get(value) ?? 0) + count);
    }
    observed += (values.length * values.length - agreeing) / (values.length - 1);
  }
  let agreeing = 0;
  for (const total of totals.values()) agreeing += total * total;
  return [observed, n * n - agreeing];
}

function intervalSums(pairable: readonly (readonly number[])[], n: number): Sums {
  // Σ over ordered pairs of (v_i - v_j)² within a group of m values is 2m × its sum of squares.
  let observed = 0;
  let grandTotal = 0;
  for (const values of pairable) {
    const m = values.length;
    observed += (2 * m * sumOfSquares(values)) / (m - 1);
    for (const value of values) grandTotal += value;
  }
  const mean = grandTotal / n;
  let squares = 0;
  for (const values of pairable) for (const value of values) squares += (value - mean) ** 2;
  return [observed, 2 * n * squares];
}

function sumOfSquares(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
}

function coincidenceSums(
  pairable: readonly (readonly RatingValue[])[],
  metric: 'ordinal' | 'ratio',
  order: readonly RatingValue[] | undefined,
): Sums {
  const values =
    metric === 'ordinal'
      ? (order ?? sortedCategories(pairable.flat()))
      : sortedCategories(numbersOf(pairable.flat()));
  if (
    metric === 'ordinal' &&
    !order &&
    pairable.some((unit) => unit.some((v) => typeof v !== 'number'))
  )
    throw new RangeError('ordinal alpha over string values needs their order');
  const index = new Map(values.map((value, i) => [value, i]));
  const frequency = new Float64Array(values.length);
  const unitCounts = pairable.map((unit) => {
    const counts = new Map<number, number>();
    for (const value of unit) {
      const i = index.get(value);
      if (i === undefined)
        throw new RangeError(`value ${JSON.stringify(value)} is not in the order`);
      counts.set(i, (counts.get(i) ?? 0) + 1);
      frequency[i] = frequency[i]! + 1;
    }
    return { size: unit.length, counts: [...counts] };
  });

  let delta: (c: number, k: number) => number;
  if (metric === 'ordinal') {
    // δ²(c, k) = (Σ_{g=c..k} n_g - (n_c + n_k)/2)², with prefix sums over the order.
    const prefix = new Float64Array(values.length + 1);
    frequency.forEach((f, i) => {
      prefix[i + 1] = prefix[i]! + f;
    });
    delta = (c, k) => {
      const low = Math.min(c, k);
      const high = Math.max(c, k);
      const between = prefix[high + 1]! - prefix[low]! - (frequency[low]! + frequency[high]!) / 2;
      return between * between;
    };
  } else {
    const numbers = values as number[];
    if (numbers.some((value) => value < 0)) throw new RangeError('ratio values must be >= 0');
    delta = (c, k) => {
      const sum = numbers[c]! + numbers[k]!;
      return sum === 0 ? 0 : ((numbers[c]! - numbers[k]!) / sum) ** 2;
    };
  }

  let observed = 0;
  for (const { size, counts } of unitCounts) {
    let unitSum = 0;
    for (const [c, countC] of counts)
      for (const [k, countK] of counts) if (c !== k) unitSum += countC * countK * delta(c, k);
    observed += unitSum / (size - 1);
  }
  let expected = 0;
  for (let c = 0; c < values.length; c++) {
    if (frequency[c] === 0) continue;
    for (let k = 0; k < values.length; k++)
      if (k !== c && frequency[k]! > 0) expected += frequency[c]! * frequency[k]! * delta(c, k);
  }
  return [observed, expected];
}
