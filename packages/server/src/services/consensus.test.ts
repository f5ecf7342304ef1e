import { describe, expect, it } from 'vitest';
import { aggregateTasks, canonicalJson } from './consensus';

describe('consensus of categorization tasks', () => {
  it('aggregates several-category answers class by class', () => {
    const result = aggregateTasks(
      [
        {
          taskId: 't',
          type: 'categorization',
          params: { categories: ['cat', 'dog', 'bird'], allow_multiple: true },
          answers: [
            { worker: 'a', response: { category: ['cat', 'dog'] } },
            { worker: 'b', response: { category: ['cat'] } },
            { worker: 'c', response: { category: ['cat', 'dog'] } },
          ],
        },
      ],
      'mv',
    );
    const consensus = result.tasks.get('t')!;
    expect(consensus.response).toEqual({ category: ['cat', 'dog'] });
    // cat is sure, dog 2/3, bird absent for sure: 1 · 2/3 · 1.
    expect(consensus.confidence).toBeCloseTo(2 / 3);
  });

  it('aggregates each taxonomy question on its own, leaf choices as classes', () => {
    const params = {
      taxonomies: {
        colour: { choices: ['red', 'blue'], allow_multiple: false },
        shape: { choices: ['round', 'square'], allow_multiple: true },
      },
    };
    const result = aggregateTasks(
      [
        {
          taskId: 't',
          type: 'categorization',
          params,
          answers: [
            { worker: 'a', response: { taxonomies: { colour: ['red'], shape: ['round'] } } },
            { worker: 'b', response: { taxonomies: { colour: ['blue'], shape: ['round'] } } },
            { worker: 'c', response: { taxonomies: { colour: ['red'] } } },
          ],
        },
      ],
      'mv',
    );
    expect(result.tasks.get('t')!.response).toEqual({
      taxonomies: { colour: ['red'], shape: ['round'] },
    });
  });

  it('compares responses whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(
      canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }),
    );
  });
});
