import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boxCorners,
  decimalsOf,
  fileNameOf,
  imageLabels,
  polygonArea,
  scaleExactly,
} from './geometry';
import { percentToPixels, pixelsToPercent } from './labelstudio/regions';

describe('geometry helpers', () => {
  it('counts decimals of the shortest form, exponents included', () => {
    expect([12.5, 3, 1e-7, 1.25e-5, 0.1 + 0.2].map(decimalsOf)).toEqual([1, 0, 7, 7, 17]);
  });

  it('scales without float noise', () => {
    expect(0.1 * 3).not.toBe(0.3);
    expect(scaleExactly(0.1, 3)).toBe(0.3);
    expect(scaleExactly(0.123457, 640)).toBe(79.01248);
  });

  it('turns a box clockwise about its centre, image y pointing down', () => {
    const [topLeft, topRight] = boxCorners({
      left: 0,
      top: 0,
      width: 2,
      height: 2,
      rotation: Math.PI / 2,
    });
    expect(topLeft!.x).toBeCloseTo(2, 12);
    expect(topLeft!.y).toBeCloseTo(0, 12);
    expect(topRight!.x).toBeCloseTo(2, 12);
    expect(topRight!.y).toBeCloseTo(2, 12);
  });

  it('measures polygons whichever way they wind', () => {
    const square = [
      { x: 0, y: 0 },
      { x: 3, y: 0 },
      { x: 3, y: 3 },
      { x: 0, y: 3 },
    ];
    expect(polygonArea(square)).toBe(9);
    expect(polygonArea([...square].reverse())).toBe(9);
  });

  it('names files after the attachment URL', () => {
    expect(fileNameOf('https://cdn.example.com/a/b%20c.jpg?sig=1')).toBe('b c.jpg');
    expect(fileNameOf('scaledata://xyz/')).toBe('xyz');
  });

  it('lists the labels of every geometry once, leaves only', () => {
    expect(
      imageLabels({
        geometries: {
          box: { objects_to_annotate: ['car', { choice: 'animal', subchoices: ['dog', 'cat'] }] },
          point: { objects_to_annotate: ['dog', 'nose'] },
        },
      }),
    ).toEqual(['car', 'dog', 'cat', 'nose']);
  });

  it('converts percentages to pixels and back exactly, for any image size', () => {
    const percent = fc.integer({ min: 0, max: 100_000_000 }).map((value) => value / 1_000_000);
    fc.assert(
      fc.property(percent, fc.integer({ min: 1, max: 100_000 }), (value, size) => {
        expect(pixelsToPercent(percentToPixels(value, size), size)).toBe(value);
      }),
    );
  });

  it('keeps any double within float precision through percent and back', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 100_000 }),
        (value, size) => {
          expect(pixelsToPercent(percentToPixels(value, size), size)).toBeCloseTo(value, 10);
        },
      ),
    );
  });
});
