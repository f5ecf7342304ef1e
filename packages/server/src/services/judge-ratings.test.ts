import { describe, expect, it } from 'vitest';
import {
  humanScores,
  isRatingDisagreement,
  ratingAgreement,
  ratingReviews,
  type RatedItem,
} from './judge-ratings';

const helpful = { id: 'helpful', min: 1, max: 5 };
const item = (task: string, human: number, judge: number): RatedItem => ({
  task,
  category: null,
  criteria: [helpful],
  human: { helpful: human },
  judge: { helpful: judge },
});

describe('judge ratings beside people', () => {
  it('takes the lower median of the people’s scores, and nothing when someone left one out', () => {
    expect(humanScores([{ helpful: [4] }, { helpful: [2] }, { helpful: [5] }], [helpful])).toEqual({
      helpful: 4,
    });
    expect(humanScores([{ helpful: [4] }, { helpful: [2] }], [helpful])).toEqual({ helpful: 2 });
    expect(humanScores([null, { other: [1] }], [helpful])).toBeNull();
  });

  it('gives quadratic-weighted kappa 1 for the same scores and less as the judge drifts', () => {
    const same = ratingAgreement([item('a', 1, 1), item('b', 3, 3), item('c', 5, 5)]);
    expect(same.helpful).toEqual({ items: 3, kappa: 1, meanAbsoluteDifference: 0 });
    const off = ratingAgreement([item('a', 1, 2), item('b', 3, 3), item('c', 5, 4)]);
    const far = ratingAgreement([item('a', 1, 5), item('b', 3, 3), item('c', 5, 1)]);
    expect(off.helpful!.kappa!).toBeLessThan(1);
    expect(far.helpful!.kappa!).toBeLessThan(off.helpful!.kappa!);
    expect(far.helpful!.meanAbsoluteDifference).toBeCloseTo(8 / 3);
  });

  it('counts a gap of two points or more as a disagreement and says whom a second look sided with', () => {
    expect(isRatingDisagreement(item('a', 3, 4))).toBe(false);
    expect(isRatingDisagreement(item('a', 2, 4))).toBe(true);
    const items = [item('a', 1, 5), item('b', 5, 1), item('c', 3, 3)];
    expect(
      ratingReviews(items, [
        { of: 'a', ratings: { helpful: [5] } },
        { of: 'b', ratings: { helpful: [4] } },
        { of: 'c', ratings: { helpful: [1] } },
      ]),
    ).toEqual({ reviewed: 2, withJudge: 1, withHumans: 1, neither: 0 });
  });
});
