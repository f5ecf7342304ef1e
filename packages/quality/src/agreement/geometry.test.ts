import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maximumWeightAssignment } from './assignment';
import { boxAgreement, cornerBoxIoU, matchBoxes, type CornerBox } from './boxes';
import { spanAgreement, spanSetF1, type LabeledSpan } from './spans';

const box = (x1: number, y1: number, x2: number, y2: number, label?: string): CornerBox =>
  label === undefined ? { x1, y1, x2, y2 } : { x1, y1, x2, y2, label };

const boxArbitrary = fc
  .tuple(
    fc.integer({ min: 0, max: 20 }),
    fc.integer({ min: 0, max: 20 }),
    fc.integer({ min: 1, max: 10 }),
    fc.integer({ min: 1, max: 10 }),
  )
  .map(([x, y, w, h]) => box(x, y, x + w, y + h));

/** Every assignment of rows to distinct columns (or none), for the brute-force check. */
function bestByBruteForce(weights: number[][], row = 0, used = new Set<number>()): number {
  if (row === weights.length) return 0;
  let best = bestByBruteForce(weights, row + 1, used);
  weights[row]!.forEach((weight, column) => {
    if (used.has(column)) return;
    used.add(column);
    best = Math.max(best, weight + bestByBruteForce(weights, row + 1, used));
    used.delete(column);
  });
  return best;
}

describe('maximumWeightAssignment', () => {
  it('finds the best assignment of any rectangular matrix', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 25, maxLength: 25 }),
        (rows, columns, values) => {
          const weights = Array.from({ length: rows }, (_, r) =>
            values.slice(r * columns, (r + 1) * columns),
          );
          const assignment = maximumWeightAssignment(
            Float64Array.from(weights.flat()),
            rows,
            columns,
          );
          const seen = new Set<number>();
          let total = 0;
          assignment.forEach((column, row) => {
            if (column < 0) return;
            expect(seen.has(column)).toBe(false);
            seen.add(column);
            total += weights[row]![column]!;
          });
          expect(seen.size).toBe(Math.min(rows, columns));
          expect(total).toBe(bestByBruteForce(weights));
        },
      ),
    );
  });
});

describe('cornerBoxIoU', () => {
  it('measures overlap over union', () => {
    expect(cornerBoxIoU(box(0, 0, 2, 2), box(1, 1, 3, 3))).toBeCloseTo(1 / 7, 12);
    expect(cornerBoxIoU(box(0, 0, 1, 1), box(2, 2, 3, 3))).toBe(0);
    expect(cornerBoxIoU(box(2, 2, 0, 0), box(0, 0, 2, 2))).toBe(1);
    expect(cornerBoxIoU(box(1, 1, 1, 1), box(1, 1, 1, 1))).toBe(1);
  });

  it('is symmetric and within [0, 1]', () => {
    fc.assert(
      fc.property(boxArbitrary, boxArbitrary, (a, b) => {
        const iou = cornerBoxIoU(a, b);
        expect(iou).toBe(cornerBoxIoU(b, a));
        expect(iou).toBeGreaterThanOrEqual(0);
        expect(iou).toBeLessThanOrEqual(1);
        expect(cornerBoxIoU(a, a)).toBe(1);
      }),
    );
  });
});

describe('matchBoxes', () => {
  it('pairs more boxes with optimal matching than greedy when greed blocks a pair', () => {
    // Greedy takes the identical pair (a0, b0) and strands a1, whose only match is b0; optimal
    // pairs a0 with b1 (IoU 0.83) and a1 with b0 (0.8).
    const first = [box(0, 0, 10, 10), box(0, 0, 8, 10)];
    const second = [box(0, 0, 10, 10), box(0, 0, 12, 10)];
    expect(matchBoxes(first, second, { matching: 'greedy', threshold: 0.75 })).toHaveLength(1);
    expect(matchBoxes(first, second, { threshold: 0.75 })).toHaveLength(2);
  });

  it('never pairs boxes with different labels or below the threshold', () => {
    expect(matchBoxes([box(0, 0, 1, 1, 'car')], [box(0, 0, 1, 1, 'bus')])).toEqual([]);
    expect(matchBoxes([box(0, 0, 2, 2)], [box(1, 1, 3, 3)], { threshold: 0.5 })).toEqual([]);
  });
});

describe('boxAgreement', () => {
  it('is 1 when raters draw the same boxes, in any order', () => {
    fc.assert(
      fc.property(
        fc
          .array(boxArbitrary, { maxLength: 6 })
          .chain((boxes) =>
            fc.tuple(fc.constant(boxes), fc.shuffledSubarray(boxes, { minLength: boxes.length })),
          ),
        ([boxes, shuffled]) => {
          const result = boxAgreement([boxes, shuffled, boxes], { threshold: 0 });
          expect(result.agreement).toBeCloseTo(1, 12);
          if (boxes.length > 0) expect(result.meanMatchedIoU).toBeCloseTo(1, 12);
        },
      ),
    );
  });

  it('averages matched IoU and counts unmatched boxes as zero', () => {
    const result = boxAgreement([[box(0, 0, 2, 2), box(10, 10, 11, 11)], [box(0, 0, 2, 1)]], {
      threshold: 0.3,
    });
    expect(result.meanMatchedIoU).toBeCloseTo(0.5, 12);
    expect(result.agreement).toBeCloseTo(0.25, 12);
    expect(result.raterPairs).toBe(1);
  });
});

const spanArbitrary = fc
  .tuple(
    fc.integer({ min: 0, max: 40 }),
    fc.integer({ min: 0, max: 8 }),
    fc.constantFrom('PER', 'ORG'),
  )
  .map(([start, length, label]): LabeledSpan => ({ start, end: start + length, label }));

describe('spanSetF1', () => {
  it('scores exact entity matches', () => {
    const gold: LabeledSpan[] = [
      { start: 0, end: 5, label: 'PER' },
      { start: 10, end: 15, label: 'ORG' },
    ];
    const answer: LabeledSpan[] = [
      { start: 0, end: 5, label: 'PER' },
      { start: 10, end: 14, label: 'ORG' },
      { start: 20, end: 25, label: 'PER' },
    ];
    const score = spanSetF1(answer, gold);
    expect(score.precision).toBeCloseTo(1 / 3, 12);
    expect(score.recall).toBeCloseTo(1 / 2, 12);
    expect(score.f1).toBeCloseTo(0.4, 12);
  });

  it('credits partial overlaps by character', () => {
    const score = spanSetF1(
      [{ start: 10, end: 14, label: 'ORG' }],
      [{ start: 10, end: 15, label: 'ORG' }],
      { matching: 'characters' },
    );
    expect(score.precision).toBe(1);
    expect(score.recall).toBeCloseTo(0.8, 12);
    expect(score.f1).toBeCloseTo(8 / 9, 12);
  });

  it('is symmetric, 1 on identical sets, and in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(spanArbitrary, { maxLength: 8 }),
        fc.array(spanArbitrary, { maxLength: 8 }),
        fc.constantFrom('exact' as const, 'characters' as const),
        (a, b, matching) => {
          const forward = spanSetF1(a, b, { matching }).f1;
          expect(spanSetF1(b, a, { matching }).f1).toBeCloseTo(forward, 12);
          expect(forward).toBeGreaterThanOrEqual(0);
          expect(forward).toBeLessThanOrEqual(1);
          if (matching === 'exact' || a.some((span) => span.end > span.start))
            expect(spanSetF1(a, a, { matching }).f1).toBe(1);
        },
      ),
    );
  });

  it('refuses spans that end before they start', () => {
    expect(() => spanSetF1([{ start: 5, end: 2 }], [])).toThrow(RangeError);
  });
});

describe('spanAgreement', () => {
  it('averages F1 over pairs of raters', () => {
    const a: LabeledSpan[] = [{ start: 0, end: 3, label: 'PER' }];
    const b: LabeledSpan[] = [{ start: 0, end: 3, label: 'PER' }];
    const c: LabeledSpan[] = [];
    // Pairs: (a, b) = 1, (a, c) = 0, (b, c) = 0.
    expect(spanAgreement([a, b, c])).toBeCloseTo(1 / 3, 12);
  });
});
