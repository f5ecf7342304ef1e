/**
 * Seeded randomness for resampling. Algorithms in this package never call Math.random: they take
 * a `Random`, so a run is reproducible from its seed.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** One step of SplitMix32, used only to spread a seed over xoshiro's 128-bit state. */
function splitMix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

/**
 * A xoshiro128** generator seeded from a 32-bit integer; each draw combines two outputs into a
 * double with 53 random bits (so `Math.log(1 - random())` never meets 0 and tails are fine).
 */
export function seededRandom(seed: number): Random {
  let mix = seed | 0;
  const state = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const [next, output] = splitMix32(mix);
    mix = next;
    state[i] = output;
  }
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  let s0 = state[0]!;
  let s1 = state[1]!;
  let s2 = state[2]!;
  let s3 = state[3]!;
  const next32 = (): number => {
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotateLeft(s3, 11);
    return result;
  };
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

function rotateLeft(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A Binomial(trials, probability) draw. Small means use inversion by geometric waiting times;
 * larger ones Hörmann's (1993) transformed rejection with squeeze (BTRS), O(1) expected.
 */
export function sampleBinomial(trials: number, probability: number, random: Random): number {
  if (!Number.isInteger(trials) || trials < 0)
    throw new RangeError('trials must be a whole number');
  if (!(probability >= 0 && probability <= 1))
    throw new RangeError('probability must be in [0, 1]');
  if (trials === 0 || probability === 0) return 0;
  if (probability === 1) return trials;
  if (probability > 0.5) return trials - sampleBinomial(trials, 1 - probability, random);
  if (trials * probability < 10) return binomialByInversion(trials, probability, random);
  return binomialByRejection(trials, probability, random);
}

function binomialByInversion(trials: number, probability: number, random: Random): number {
  // The count of geometric waiting times that fit into `trials` is Binomial(trials, probability).
  const logQ = Math.log1p(-probability);
  let successes = 0;
  let position = 0;
  for (;;) {
    position += Math.max(1, Math.ceil(Math.log(1 - random()) / logQ));
    if (position > trials) return successes;
    successes++;
  }
}

const STIRLING_TAIL = [
  0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
  0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.010411265261972,
  0.00925546218271273, 0.00833056343336287,
];

/** log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2π)/2]: the error of Stirling's formula. */
function stirlingTail(k: number): number {
  if (k <= 9) return STIRLING_TAIL[k]!;
  const kp1sq = (k + 1) * (k + 1);
  return (1 / 12 - (1 / 360 - 1 / 1260 / kp1sq) / kp1sq) / (k + 1);
}

function binomialByRejection(trials: number, probability: number, random: Random): number {
  const spq = Math.sqrt(trials * probability * (1 - probability));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * probability;
  const c = trials * probability + 0.5;
  const vR = 0.92 - 4.2 / b;
  const r = probability / (1 - probability);
  const alpha = (2.83 + 5.1 / b) * spq;
  const m = Math.floor((trials + 1) * probability);
  for (;;) {
    const u = random() - 0.5;
    let v = random();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > trials) continue;
    if (us >= 0.07 && v <= vR) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const bound =
      (m + 0.5) * Math.log((m + 1) / (r * (trials - m + 1))) +
      (trials + 1) * Math.log((trials - m + 1) / (trials - k + 1)) +
      (k + 0.5) * Math.log((r * (trials - k + 1)) / (k + 1)) +
      stirlingTail(m) +
      stirlingTail(trials - m) -
      stirlingTail(k) -
      stirlingTail(trials - k);
    if (v <= bound) return k;
  }
}

/**
 * Resamples whole-number counts: a Multinomial(Σcounts, counts / Σcounts) draw, by conditional
 * binomials, so the cost grows with the number of cells, not with the number of observations.
 */
export function resampleCounts(counts: Float64Array, random: Random): Float64Array {
  let remainingWeight = 0;
  for (const count of counts) {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('counts must be whole numbers');
    remainingWeight += count;
  }
  let remainingDraws = remainingWeight;
  const drawn = new Float64Array(counts.length);
  for (let i = 0; i < counts.length && remainingDraws > 0; i++) {
    const count = counts[i]!;
    if (count === 0) continue;
    const draw =
      count >= remainingWeight
        ? remainingDraws
        : sampleBinomial(remainingDraws, count / remainingWeight, random);
    drawn[i] = draw;
    remainingDraws -= draw;
    remainingWeight -= count;
  }
  return drawn;
}
