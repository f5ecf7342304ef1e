import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  COCO_PERSON_SIGMAS,
  keypointAgreement,
  objectKeypointSimilarity,
  type Keypoint,
} from './keypoints';

const keypointArbitrary = fc.record({
  x: fc.double({ min: -100, max: 100, noNaN: true }),
  y: fc.double({ min: -100, max: 100, noNaN: true }),
  visibility: fc.constantFrom(0, 1, 2),
});

const skeletonPair = fc.integer({ min: 1, max: 17 }).chain((length) =>
  fc.tuple(
    fc.array(keypointArbitrary, { minLength: length, maxLength: length }),
    fc.array(keypointArbitrary, { minLength: length, maxLength: length }),
    fc.array(fc.double({ min: 0.01, max: 0.2, noNaN: true }), {
      minLength: length,
      maxLength: length,
    }),
    fc.double({ min: 0, max: 1e5, noNaN: true }),
  ),
);

describe('objectKeypointSimilarity', () => {
  it('follows the COCO formula exp(-d² / (2 s² (2σ)²)) averaged over labelled keypoints', () => {
    const sigma = 0.05;
    const area = 400;
    // d² = 2·s²·k² gives exp(-1).
    const d = Math.sqrt(2 * area * (2 * sigma) ** 2);
    const reference: Keypoint[] = [
      { x: 0, y: 0 },
      { x: 10, y: 10 },
    ];
    const candidate: Keypoint[] = [
      { x: d, y: 0 },
      { x: 10, y: 10 },
    ];
    expect(objectKeypointSimilarity(reference, candidate, { sigmas: sigma, area })).toBeCloseTo(
      (Math.exp(-1) + 1) / 2,
      12,
    );
  });

  it('ignores keypoints the reference did not label and scores missing candidates 0', () => {
    const options = { sigmas: [0.05, 0.05, 0.05], area: 100 };
    const reference: Keypoint[] = [
      { x: 0, y: 0, visibility: 2 },
      { x: 5, y: 5, visibility: 1 },
      { x: 99, y: 99, visibility: 0 },
    ];
    const candidate: Keypoint[] = [
      { x: 0, y: 0 },
      { x: 5, y: 5, visibility: 0 },
      { x: -50, y: 40 },
    ];
    expect(objectKeypointSimilarity(reference, candidate, options)).toBeCloseTo(0.5, 12);
    const none = reference.map((point) => ({ ...point, visibility: 0 }));
    expect(objectKeypointSimilarity(none, none, options)).toBe(1);
    expect(objectKeypointSimilarity(none, candidate, options)).toBe(0);
  });

  it('forgives the same distance more on a larger object', () => {
    const reference = [{ x: 0, y: 0 }];
    const candidate = [{ x: 3, y: 4 }];
    const small = objectKeypointSimilarity(reference, candidate, { sigmas: 0.05, area: 100 });
    const large = objectKeypointSimilarity(reference, candidate, { sigmas: 0.05, area: 10_000 });
    expect(large).toBeGreaterThan(small);
  });

  it('is in [0, 1], and 1 for identical keypoints', () => {
    fc.assert(
      fc.property(skeletonPair, ([a, b, sigmas, area]) => {
        const options = { sigmas, area };
        const oks = objectKeypointSimilarity(a, b, options);
        expect(oks).toBeGreaterThanOrEqual(0);
        expect(oks).toBeLessThanOrEqual(1);
        expect(objectKeypointSimilarity(a, a, options)).toBe(1);
        const agreement = keypointAgreement(a, b, options);
        expect(agreement).toBeGreaterThanOrEqual(0);
        expect(agreement).toBeLessThanOrEqual(1);
        expect(agreement).toBe(keypointAgreement(b, a, options));
        expect(keypointAgreement(a, a, options)).toBe(1);
      }),
    );
  });

  it('takes the COCO person sigmas and refuses mismatched input', () => {
    const person = COCO_PERSON_SIGMAS.map((_, i) => ({ x: i, y: i }));
    expect(objectKeypointSimilarity(person, person, { sigmas: COCO_PERSON_SIGMAS, area: 1 })).toBe(
      1,
    );
    expect(() => objectKeypointSimilarity([{ x: 0, y: 0 }], [], { sigmas: 0.1, area: 1 })).toThrow(
      /differ in length/,
    );
    expect(() => objectKeypointSimilarity(person, person, { sigmas: [0.1, 0.1], area: 1 })).toThrow(
      /2 sigmas for 17 keypoints/,
    );
    expect(() =>
      objectKeypointSimilarity([{ x: 0, y: 0 }], [{ x: 0, y: 0 }], { sigmas: 0, area: 1 }),
    ).toThrow(/sigma/);
    expect(() =>
      objectKeypointSimilarity([{ x: 0, y: 0 }], [{ x: 0, y: 0 }], { sigmas: 0.1, area: -1 }),
    ).toThrow(/area/);
    expect(() =>
      objectKeypointSimilarity([{ x: NaN, y: 0 }], [{ x: 0, y: 0 }], { sigmas: 0.1, area: 1 }),
    ).toThrow(/finite/);
  });
});

describe('keypointAgreement', () => {
  it('counts a keypoint labelled by only one annotator as a disagreement', () => {
    const options = { sigmas: 0.1, area: 100 };
    const a: Keypoint[] = [
      { x: 0, y: 0 },
      { x: 1, y: 1, visibility: 0 },
    ];
    const b: Keypoint[] = [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ];
    expect(keypointAgreement(a, b, options)).toBeCloseTo(0.5, 12);
    // COCO's figure with `a` as reference ignores the keypoint a did not label.
    expect(objectKeypointSimilarity(a, b, options)).toBe(1);
  });
});
