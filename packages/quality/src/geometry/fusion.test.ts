import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CornerBox } from '../agreement/boxes';
import { fuseBoxes, medoidAnnotation, type BoxAnnotation, type FusedBox } from './fusion';
import { annotatorReliability, fuseBoxItems, type BoxItem } from './reliability';

const box = (x1: number, y1: number, x2: number, y2: number, label?: string): CornerBox =>
  label === undefined ? { x1, y1, x2, y2 } : { x1, y1, x2, y2, label };

/** Three objects; `jitter` moves one annotator's boxes a little. */
const objects = (jitter: number) => [
  box(0 + jitter, 0, 10 + jitter, 10),
  box(20, 20 + jitter, 30, 30 + jitter),
  box(50, 0, 70, 15 + jitter),
];

/** A fused set without box indices or member order, to compare runs on shuffled input. */
function comparable(fused: readonly FusedBox[]) {
  return fused.map(({ box, support, supportShare, confidence, members }) => ({
    box,
    support,
    supportShare,
    confidence,
    members: members.map(({ annotator, box }) => ({ annotator, box })),
  }));
}

describe('fuseBoxes', () => {
  it('averages the boxes of one object and reports its support', () => {
    const fused = fuseBoxes([
      { annotator: 'a', boxes: [box(0, 0, 10, 10)] },
      { annotator: 'b', boxes: [box(2, 0, 12, 10)] },
      { annotator: 'c', boxes: [box(1, 3, 11, 13)] },
    ]);
    expect(fused).toHaveLength(1);
    expect(fused[0]!.box).toEqual(box(1, 1, 11, 11));
    expect(fused[0]!.support).toBe(3);
    expect(fused[0]!.supportShare).toBe(1);
    expect(fused[0]!.confidence).toBe(1);
    expect(fused[0]!.members.map((member) => member.annotator)).toEqual(['a', 'b', 'c']);
  });

  it('weighs corners by reliability × confidence', () => {
    const fused = fuseBoxes(
      [
        { annotator: 'a', boxes: [box(0, 0, 10, 10)] },
        { annotator: 'b', boxes: [{ ...box(2, 0, 12, 10), confidence: 0.5 }] },
      ],
      { reliability: new Map([['a', 0.5]]) },
    );
    // Weights 0.5 and 1 × 0.5: the plain mean. Confidence (0.5 + 0.5) / (0.5 + 1).
    expect(fused[0]!.box.x1).toBeCloseTo(1, 12);
    expect(fused[0]!.confidence).toBeCloseTo(2 / 3, 12);
    const trusted = fuseBoxes(
      [
        { annotator: 'a', boxes: [box(0, 0, 10, 10)] },
        { annotator: 'b', boxes: [box(2, 0, 12, 10)] },
      ],
      { reliability: new Map([['a', 3]]) },
    );
    expect(trusted[0]!.box.x1).toBeCloseTo(0.5, 12);
  });

  it('is a majority vote when annotators are thorough', () => {
    // Five annotators draw the same three objects; two add a fourth, one adds a stray box.
    const annotations: BoxAnnotation[] = ['a', 'b', 'c', 'd', 'e'].map((annotator, i) => ({
      annotator,
      boxes: [
        ...objects(i * 0.2),
        ...(i < 2 ? [box(80, 80, 90, 90)] : []),
        ...(i === 4 ? [box(100, 0, 105, 5)] : []),
      ],
    }));
    expect(fuseBoxes(annotations).map((object) => object.support)).toEqual([5, 5, 5]);
    // A third annotator on the fourth object makes it a majority.
    annotations[2] = { ...annotations[2]!, boxes: [...annotations[2]!.boxes, box(80, 80, 90, 90)] };
    expect(fuseBoxes(annotations).map((object) => object.support)).toEqual([5, 5, 5, 3]);
  });

  it('keeps objects fewer annotators drew when each of them skips some', () => {
    // Four objects; each annotator draws a different two of them.
    const all = [...objects(0), box(80, 80, 90, 90)];
    const pick = (i: number, j: number) => [all[i]!, all[j]!];
    const annotations: BoxAnnotation[] = [
      { annotator: 'a', boxes: pick(0, 1) },
      { annotator: 'b', boxes: pick(1, 2) },
      { annotator: 'c', boxes: pick(2, 3) },
      { annotator: 'd', boxes: pick(3, 0) },
      { annotator: 'e', boxes: pick(0, 2) },
    ];
    // Supports 3, 2, 3, 2 of 5: a majority rule keeps two, agreement keeps all four.
    expect(fuseBoxes(annotations, { minSupport: 0.5 })).toHaveLength(2);
    expect(fuseBoxes(annotations)).toHaveLength(4);
  });

  it('groups boxes only with boxes of the same label', () => {
    const fused = fuseBoxes(
      [
        { annotator: 'a', boxes: [box(0, 0, 10, 10, 'car')] },
        { annotator: 'b', boxes: [box(0, 0, 10, 10, 'bus')] },
        { annotator: 'c', boxes: [box(0, 0, 10, 10, 'car')] },
      ],
      { minSupport: 0 },
    );
    expect(fused.map((object) => [object.box.label, object.support])).toEqual([
      ['car', 2],
      ['bus', 1],
    ]);
  });

  it('reads corners in either order and refuses non-finite ones', () => {
    const fused = fuseBoxes([
      { annotator: 'a', boxes: [box(10, 10, 0, 0)] },
      { annotator: 'b', boxes: [box(0, 0, 10, 10)] },
    ]);
    expect(fused[0]!.box).toEqual(box(0, 0, 10, 10));
    expect(fused[0]!.members[0]!.box).toEqual(box(10, 10, 0, 0));
    expect(() => fuseBoxes([{ annotator: 'a', boxes: [box(0, 0, NaN, 1)] }])).toThrow(/finite/);
    expect(() =>
      fuseBoxes([{ annotator: 'a', boxes: [{ ...box(0, 0, 1, 1), confidence: 2 }] }]),
    ).toThrow(/confidence/);
  });

  it('does not depend on the order of annotators or of their boxes', () => {
    const boxArbitrary = fc
      .tuple(
        fc.nat(30),
        fc.nat(30),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
      )
      .map(([x, y, w, h]) => box(x, y, x + w, y + h));
    const annotationsArbitrary = fc
      .array(fc.array(boxArbitrary, { maxLength: 5 }), { minLength: 1, maxLength: 6 })
      .map((lists) => lists.map((boxes, i) => ({ annotator: `w${i}`, boxes })));
    const shuffled = annotationsArbitrary.chain((annotations) =>
      fc.tuple(
        fc.constant(annotations),
        fc
          .shuffledSubarray(annotations, { minLength: annotations.length })
          .chain((order) =>
            fc.tuple(
              ...order.map(({ annotator, boxes }) =>
                fc
                  .shuffledSubarray([...boxes], { minLength: boxes.length })
                  .map((permuted) => ({ annotator, boxes: permuted })),
              ),
            ),
          ),
      ),
    );
    fc.assert(
      fc.property(
        shuffled,
        fc.constantFrom(undefined, 0.5),
        ([annotations, permuted], minSupport) => {
          const options = minSupport === undefined ? {} : { minSupport };
          expect(comparable(fuseBoxes(permuted, options))).toEqual(
            comparable(fuseBoxes(annotations, options)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('medoidAnnotation', () => {
  it('picks the annotation agreeing best with the others', () => {
    const annotations: BoxAnnotation[] = [
      { annotator: 'lazy', boxes: objects(0).slice(0, 1) },
      { annotator: 'good', boxes: objects(0.5) },
      { annotator: 'noisy', boxes: [...objects(1), box(90, 90, 99, 99)] },
      { annotator: 'also good', boxes: objects(0) },
    ];
    expect(medoidAnnotation(annotations)).toBe(1);
    expect(medoidAnnotation([])).toBe(-1);
  });
});

describe('fuseBoxItems', () => {
  /** Ten images; `careless` misses an object on most of them and adds a stray box. */
  const items: BoxItem[] = Array.from({ length: 10 }, (_, i) => ({
    item: `image-${i}`,
    annotations: [
      { annotator: 'a', boxes: objects(0) },
      { annotator: 'b', boxes: objects(0.3) },
      { annotator: 'c', boxes: objects(-0.3) },
      {
        annotator: 'careless',
        boxes: [...objects(2).slice(0, i % 3 === 0 ? 3 : 2), box(90, 90, 99, 99)],
      },
    ],
  }));

  it('estimates a lower reliability for a careless annotator and reaches a fixed point', () => {
    const fusion = fuseBoxItems(items);
    expect(fusion.converged).toBe(true);
    expect(fusion.rounds).toBeGreaterThan(0);
    const reliability = fusion.reliability;
    expect(reliability.get('careless')!).toBeLessThan(reliability.get('a')! - 0.2);
    expect(reliability.get('a')!).toBeCloseTo(reliability.get('b')!, 12);
    fusion.items.forEach(({ objects: fused }, i) =>
      expect(fused.map((object) => object.support)).toEqual(i % 3 === 0 ? [4, 4, 4] : [4, 4, 3]),
    );
    // Reliability is the mean F1 against the consensus, shrunk towards the overall mean.
    const again = annotatorReliability(items, fusion.items, { priorWeight: 0 });
    expect(again.get('a')).toBe(1);
  });

  it('uses given reliabilities without estimating, and equal weights with zero rounds', () => {
    const given = new Map([['careless', 0]]);
    const fusion = fuseBoxItems(items, { reliability: given });
    expect(fusion.rounds).toBe(0);
    // The careless annotator's shifted boxes carry no weight: the fused boxes are a, b, c's mean.
    expect(fusion.items[0]!.objects[0]!.box).toEqual(objects(0)[0]);
    const equal = fuseBoxItems(items, { rounds: 0 });
    expect(equal.rounds).toBe(0);
    expect(equal.items[0]!.objects[0]!.box.x1).toBeCloseTo(0.5, 12);
    expect(() => fuseBoxItems(items, { rounds: -1 })).toThrow(/rounds/);
  });
});
