/** A share of successes with its 95% interval. */
export interface Proportion {
  successes: number;
  trials: number;
  /** successes / trials; 0 when there were no trials. */
  rate: number;
  lower: number;
  upper: number;
}

const Z95 = 1.959963984540054;

/**
 * The Wilson score interval for a binomial proportion: unlike the normal approximation it stays
 * inside [0, 1] and is honest at 0 of n or n of n, which is exactly where attack success rates
 * live. No trials gives the uninformative [0, 1].
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): Proportion {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || trials < 0)
    throw new RangeError('successes and trials must be whole numbers, trials at least 0');
  if (successes < 0 || successes > trials)
    throw new RangeError('successes must be between 0 and trials');
  if (trials === 0) return { successes, trials, rate: 0, lower: 0, upper: 1 };
  const rate = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (rate + z2 / (2 * trials)) / denominator;
  const half =
    (z / denominator) * Math.sqrt((rate * (1 - rate)) / trials + z2 / (4 * trials * trials));
  return {
    successes,
    trials,
    rate,
    // At 0 or n successes the formula's bound is exactly the edge; rounding must not leave it.
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === trials ? 1 : Math.min(1, centre + half),
  };
}
