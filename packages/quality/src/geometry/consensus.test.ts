import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cornerBoxIoU, type CornerBox } from '../agreement/boxes';
import { clusterShapes } from './cluster';
import { shapeConsensus } from './consensus';
import { keypointAgreement, type Keypoint } from './keypoints';
import { matchShapes, shapeSetF1 } from './matching';

const box = (x1: number, y1: number, x2: number, y2: number): CornerBox => ({ x1, y1, x2, y2 });

describe('clusterShapes', () => {
  it('groups shapes of the same object and keeps one shape per annotator in a group', () => {
    const clusters = clusterShapes(
      [
        // a draws the object twice (a sloppy duplicate): only one copy can join b and c.
        { annotator: 'a', shapes: [box(0, 0, 10, 10), box(0, 0, 9, 10)] },
        { annotator: 'b', shapes: [box(1, 0, 10, 10), box(50, 50, 60, 60)] },
        { annotator: 'c', shapes: [box(0, 1, 10, 10)] },
      ],
      cornerBoxIoU,
    );
    expect(clusters).toEqual([
      [
        { annotation: 0, shape: 0 },
        { annotation: 1, shape: 0 },
        { annotation: 2, shape: 0 },
      ],
      [{ annotation: 0, shape: 1 }],
      [{ annotation: 1, shape: 1 }],
    ]);
  });

  it('never puts two shapes of one annotator together, whatever the shapes', () => {
    const annotationsArbitrary = fc.array(
      fc.array(
        fc
          .tuple(fc.nat(10), fc.nat(10), fc.integer({ min: 1, max: 6 }))
          .map(([x, y, s]) => box(x, y, x + s, y + s)),
        { maxLength: 4 },
      ),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(
        annotationsArbitrary,
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (boxes, t) => {
          const annotations = boxes.map((shapes, i) => ({ annotator: `w${i}`, shapes }));
          const clusters = clusterShapes(annotations, cornerBoxIoU, { threshold: t });
          const seen = new Set<string>();
          for (const cluster of clusters) {
            const annotators = cluster.map((member) => member.annotation);
            expect(new Set(annotators).size).toBe(annotators.length);
            for (const { annotation, shape } of cluster) seen.add(`${annotation}:${shape}`);
          }
          expect(seen.size).toBe(boxes.flat().length);
        },
      ),
    );
  });

  it('refuses an annotator named twice', () => {
    expect(() =>
      clusterShapes(
        [
          { annotator: 'a', shapes: [] },
          { annotator: 'a', shapes: [] },
        ],
        cornerBoxIoU,
      ),
    ).toThrow(/"a" appears twice/);
  });
});

describe('matchShapes and shapeSetF1', () => {
  it('pairs the most shapes above the threshold and scores the sets', () => {
    const first = [box(0, 0, 10, 10), box(0, 0, 8, 10)];
    const second = [box(0, 0, 10, 10), box(0, 0, 12, 10)];
    expect(matchShapes(first, second, cornerBoxIoU, { threshold: 0.75 })).toHaveLength(2);
    expect(shapeSetF1(first, [second[0]!], cornerBoxIoU)).toBeCloseTo(2 / 3, 12);
    expect(shapeSetF1([], [], cornerBoxIoU)).toBe(1);
  });
});

describe('shapeConsensus', () => {
  const options = { sigmas: 0.1, area: 100 };
  const similarity = (a: readonly Keypoint[], b: readonly Keypoint[]) =>
    keypointAgreement(a, b, options);
  const person = (dx: number): Keypoint[] => [
    { x: 10 + dx, y: 10 },
    { x: 12 + dx, y: 20 },
  ];

  it('finds the objects most keypoint annotators agree on, with the medoid member as shape', () => {
    const objects = shapeConsensus(
      [
        { annotator: 'a', shapes: [person(0), person(100)] },
        { annotator: 'b', shapes: [person(0.5)] },
        { annotator: 'c', shapes: [person(-0.4), person(300)] },
      ],
      similarity,
    );
    expect(objects).toHaveLength(1);
    const [object] = objects;
    expect(object!.support).toBe(3);
    expect(object!.supportShare).toBe(1);
    expect(object!.confidence).toBe(1);
    expect(object!.shape).toEqual(person(0));
    expect(object!.members.map((member) => [member.annotator, member.index])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]);
  });

  it('keeps exactly the objects that reach minSupport when it is given', () => {
    const annotations = [
      { annotator: 'a', shapes: [person(0), person(100)] },
      { annotator: 'b', shapes: [person(0), person(100)] },
      { annotator: 'c', shapes: [person(0)] },
      { annotator: 'd', shapes: [person(0), person(300)] },
    ];
    const supports = (minSupport: number) =>
      shapeConsensus(annotations, similarity, { minSupport }).map((object) => object.support);
    expect(supports(0.5)).toEqual([4, 2]);
    expect(supports(0.51)).toEqual([4]);
    expect(supports(0)).toEqual([4, 2, 1]);
  });

  it('weighs support by reliability and shape confidence', () => {
    const objects = shapeConsensus(
      [
        { annotator: 'a', shapes: [person(0)] },
        { annotator: 'b', shapes: [person(0)] },
        { annotator: 'c', shapes: [] },
      ],
      similarity,
      { reliability: new Map([['c', 2]]), minSupport: 0 },
    );
    expect(objects[0]!.supportShare).toBeCloseTo(2 / 3, 12);
    expect(objects[0]!.confidence).toBeCloseTo(2 / 4, 12);
  });

  it('keeps nothing when the annotators agree there is nothing', () => {
    expect(
      shapeConsensus(
        [
          { annotator: 'a', shapes: [] },
          { annotator: 'b', shapes: [] },
          { annotator: 'c', shapes: [person(0)] },
        ],
        similarity,
      ),
    ).toEqual([]);
    expect(shapeConsensus([], similarity)).toEqual([]);
  });

  it('refuses out-of-range options', () => {
    expect(() => shapeConsensus([], similarity, { threshold: 0 })).toThrow(/threshold/);
    expect(() => shapeConsensus([], similarity, { minSupport: 1.5 })).toThrow(/minSupport/);
    expect(() =>
      shapeConsensus([{ annotator: 'a', shapes: [] }], similarity, {
        reliability: new Map([['a', -1]]),
      }),
    ).toThrow(/reliability of "a"/);
  });
});
