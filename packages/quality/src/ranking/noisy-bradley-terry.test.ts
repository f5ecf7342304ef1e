import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitNoisyBradleyTerry, type JudgedComparison } from './noisy-bradley-terry';
import type { Outcome } from './outcomes';
import { seededRandom } from './random';

const TRUTH: Record<string, number> = { a: 1, b: 0.5, c: 0, d: -0.5, e: -1.5 };
const LAPSES: Record<string, number> = { careful: 0.05, steady: 0.05, careless: 0.6 };

/** Judgements simulated from the model itself, with known strengths and lapse rates. */
function simulate(count: number, seed: number): JudgedComparison[] {
  const random = seededRandom(seed);
  const items = Object.keys(TRUTH);
  const annotators = Object.keys(LAPSES);
  const list: JudgedComparison[] = [];
  while (list.length < count) {
    const left = items[Math.floor(random() * items.length)]!;
    const right = items[Math.floor(random() * items.length)]!;
    if (left === right) continue;
    const annotator = annotators[Math.floor(random() * annotators.length)]!;
    const lapse = LAPSES[annotator]!;
    const attentive = 1 / (1 + Math.exp(TRUTH[right]! - TRUTH[left]!));
    const preferLeft = lapse / 2 + (1 - lapse) * attentive;
    list.push({ left, right, annotator, outcome: random() < preferLeft ? 'left' : 'right' });
  }
  return list;
}

describe('fitNoisyBradleyTerry', () => {
  const judgements = simulate(12_000, 3);
  const fit = fitNoisyBradleyTerry(judgements);

  it('converges and finds the careless annotator', () => {
    expect(fit.converged).toBe(true);
    expect(fit.annotators).toEqual(['careful', 'careless', 'steady']);
    const [careful, careless, steady] = Array.from(fit.lapseRates);
    expect(careless).toBeGreaterThan(0.45);
    expect(careless).toBeLessThan(0.75);
    expect(careful).toBeLessThan(0.2);
    expect(steady).toBeLessThan(0.2);
  });

  it('recovers the order of the strengths', () => {
    const order = [...fit.items].sort(
      (x, y) => fit.logStrengths[fit.items.indexOf(y)]! - fit.logStrengths[fit.items.indexOf(x)]!,
    );
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('fits better than assuming every judgement attentive', () => {
    const attentiveOnly = fitNoisyBradleyTerry(judgements, {
      initialLapse: 0,
      maxEmIterations: 1,
    });
    expect(fit.logLikelihood).toBeGreaterThan(attentiveOnly.logLikelihood);
  });

  it('does not depend on the order of the judgements', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(judgements.slice(0, 200), { minLength: 200 }), (shuffled) => {
        const a = fitNoisyBradleyTerry(judgements.slice(0, 200));
        const b = fitNoisyBradleyTerry(shuffled);
        expect(Array.from(b.logStrengths)).toEqual(Array.from(a.logStrengths));
        expect(Array.from(b.lapseRates)).toEqual(Array.from(a.lapseRates));
      }),
      { numRuns: 5 },
    );
  });

  it('counts a tie as half a judgement each way', () => {
    const tie = (annotator: string): JudgedComparison => ({
      left: 'a',
      right: 'b',
      outcome: 'tie',
      annotator,
    });
    const one = (outcome: Outcome, annotator: string): JudgedComparison => ({
      left: 'a',
      right: 'b',
      outcome,
      annotator,
    });
    const rest = judgements.slice(0, 300);
    const withTies = fitNoisyBradleyTerry([...rest, ...rest, tie('careful'), tie('careful')]);
    const withSplit = fitNoisyBradleyTerry([
      ...rest,
      ...rest,
      one('left', 'careful'),
      one('right', 'careful'),
    ]);
    withTies.logStrengths.forEach((value, i) =>
      expect(withSplit.logStrengths[i]).toBeCloseTo(value, 6),
    );
  });

  it('pools judgements without an annotator', () => {
    const result = fitNoisyBradleyTerry([
      { left: 'a', right: 'b', outcome: 'left' },
      { left: 'b', right: 'c', outcome: 'left' },
    ]);
    expect(result.annotators).toEqual(['']);
    expect(result.logStrengths[0]).toBeGreaterThan(result.logStrengths[2]!);
  });
});
