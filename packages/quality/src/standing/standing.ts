/**
 * An annotator's accuracy on gold, with a prior, and the pause rule built on it.
 *
 * Scores in [0, 1] are treated as fractional successes of a Beta-Bernoulli model with a uniform
 * Beta(1, 1) prior, so three lucky answers give 0.8, not 100 %. An annotator is paused only when
 * the posterior is both below the threshold on average and confidently so: the probability that
 * their true accuracy is under the threshold must reach `confidence` (0.95 by default). At a 0.7
 * threshold one miss does not pause (P = 0.91), two misses do (P = 0.97), three right of six do
 * not (P = 0.87), three right of eight do (P = 0.97).
 */

export interface StandingOptions {
  /** Pause below this accuracy (0 disables pausing). */
  pauseBelow: number;
  /** How sure the model must be that the accuracy is under `pauseBelow` (default 0.95). */
  confidence?: number;
}

export interface GoldStanding {
  /** Posterior mean accuracy: (score + 1) / (answers + 2). */
  accuracy: number;
  /** P(true accuracy < pauseBelow | answers), under the Beta posterior. */
  belowProbability: number;
  pause: boolean;
}

export function goldStanding(
  answers: number,
  score: number,
  options: StandingOptions,
): GoldStanding {
  const a = score + 1;
  const b = answers - score + 1;
  const accuracy = a / (a + b);
  const threshold = options.pauseBelow;
  if (threshold <= 0 || answers === 0) return { accuracy, belowProbability: 0, pause: false };
  const belowProbability = betaCdf(Math.min(threshold, 1), a, b);
  const pause = accuracy < threshold && belowProbability >= (options.confidence ?? 0.95);
  return { accuracy, belowProbability, pause };
}

/** The regularized incomplete beta function I_x(a, b): the CDF of Beta(a, b) at x. */
export function betaCdf(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError('betaCdf: a and b must be positive');
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront =
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry else.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * continuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * continuedFraction(1 - x, b, a)) / b;
}

/** Lentz's method for the incomplete beta continued fraction. */
function continuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-12) break;
  }
  return h;
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(z) for z > 0 (Lanczos, g = 7). */
function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let sum = 0.99999999999980993;
  for (let i = 0; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (x + i + 1);
  const t = x + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}
