import { describe, expect, it } from 'vitest';
import { canonical, diffAttempt } from './review-diff';

describe('diffAttempt', () => {
  it('treats the same answer in another key order as agreeing', () => {
    expect(canonical({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonical({ a: [{ x: 1, y: 2 }], b: 1 }));
    expect(diffAttempt('categorization', { category: 'cat' }, { category: 'cat' }).agrees).toBe(
      true,
    );
  });

  it('names matched, extra and missed objects of an image answer', () => {
    const box = (label: string, left: number) => ({
      type: 'box',
      label,
      left,
      top: 0,
      width: 10,
      height: 10,
    });
    const diff = diffAttempt(
      'imageannotation',
      { annotations: [box('car', 1), box('van', 50)] },
      { annotations: [box('car', 0), box('person', 100)] },
    );
    expect(diff.agrees).toBe(false);
    expect(diff.notes).toEqual([
      '1 of 2 consensus objects matched',
      'not in the consensus: van box',
      'missed: person box',
    ]);
  });

  it('lists span differences of an entity answer', () => {
    const diff = diffAttempt(
      'namedentityrecognition',
      { annotations: [{ start: 0, end: 3, label: 'PER' }] },
      { annotations: [{ start: 0, end: 3, label: 'ORG' }] },
    );
    expect(diff.notes).toEqual([
      'spans not in the consensus: PER [0, 3)',
      'spans missed: ORG [0, 3)',
    ]);
  });

  it('names a different red-team outcome and the other parts of a chat answer that differ', () => {
    const diff = diffAttempt(
      'chat',
      {
        outcome: { success: true, category: 'ncr', severity: 'high', message: 4 },
        rewrite: 'Safe.',
      },
      { outcome: { success: false, category: 'ncr' } },
    );
    expect(diff).toEqual({
      agrees: false,
      notes: [
        'attack succeeded (high, ncr, message 4); the consensus: failed (ncr)',
        'different rewrite',
      ],
    });
  });

  it('names a different ranking of a comparison', () => {
    expect(
      diffAttempt('comparison', { ranking: [1, 0], flags: [] }, { ranking: [0, 1], flags: [] })
        .notes,
    ).toEqual(['ranked B > A; the consensus ranks A > B']);
  });
});
