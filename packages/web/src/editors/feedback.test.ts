import { describe, expect, it } from 'vitest';
import {
  categoryName,
  flagsOf,
  flagsResponse,
  moveInRanking,
  rankingOf,
  rate,
  ratingsResponse,
  scaleOf,
  toggleFlag,
} from './feedback';

describe('rankings', () => {
  it('moves an item up or down one place and stops at either end', () => {
    expect(moveInRanking([0, 1, 2], 2, -1)).toEqual([0, 2, 1]);
    expect(moveInRanking([0, 2, 1], 2, -1)).toEqual([2, 0, 1]);
    expect(moveInRanking([2, 0, 1], 2, -1)).toEqual([2, 0, 1]);
    expect(moveInRanking([2, 0, 1], 1, 1)).toEqual([2, 0, 1]);
    expect(moveInRanking([2, 0, 1], 2, 1)).toEqual([0, 2, 1]);
  });

  it('keeps a stored ranking only when it names every item once', () => {
    expect(rankingOf([2, 0, 1], 3)).toEqual([2, 0, 1]);
    expect(rankingOf([2, 2, 1], 3)).toEqual([0, 1, 2]);
    expect(rankingOf([0, 1], 3)).toEqual([0, 1, 2]);
    expect(rankingOf(undefined, 2)).toEqual([0, 1]);
  });
});

describe('flags and ratings', () => {
  it('toggles a flag on and off again, and round-trips it through the response shape', () => {
    const mark = { target: 'attachment' as const, index: 1, category: 'hte' };
    const on = toggleFlag([], mark);
    expect(flagsResponse(on)).toEqual([{ attachment: 1, category: 'hte' }]);
    expect(flagsOf(flagsResponse(on))).toEqual(on);
    expect(toggleFlag(on, mark)).toEqual([]);
  });

  it('names built-in hazard categories, prefers the task’s own names, and falls back to the id', () => {
    expect(categoryName('vcr')).toBe('Violent crimes');
    expect(categoryName('vcr', [{ id: 'vcr', name: 'Violence', description: '' }])).toBe(
      'Violence',
    );
    expect(categoryName('off-topic')).toBe('off-topic');
  });

  it('sends a criterion only once every item has a score', () => {
    const criteria = [
      { id: 'a', min: 1, max: 3 },
      { id: 'b', min: 1, max: 3 },
    ];
    let ratings = rate({}, 'a', 1, 3, 2);
    expect(ratingsResponse(ratings, criteria, 2)).toEqual({});
    ratings = rate(ratings, 'a', 0, 1, 2);
    expect(ratingsResponse(ratings, criteria, 2)).toEqual({ a: [1, 3] });
    expect(scaleOf({ id: 'x', min: 5, max: 1 })).toEqual([1, 2, 3, 4, 5]);
  });
});
