import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  boxFromCorners,
  ellipseGeometry,
  ellipseVertices,
  fitView,
  toImage,
  toScreen,
  zoomAt,
} from './image-model';

describe('image editor model', () => {
  it('maps screen to image and back at any zoom and pan', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 40, noNaN: true }),
        fc.double({ min: -5000, max: 5000, noNaN: true }),
        fc.double({ min: -5000, max: 5000, noNaN: true }),
        fc.integer({ min: 0, max: 4000 }),
        fc.integer({ min: 0, max: 4000 }),
        (scale, x, y, px, py) => {
          const view = { scale, x, y };
          const back = toImage(view, toScreen(view, { x: px, y: py }));
          expect(back.x).toBeCloseTo(px, 6);
          expect(back.y).toBeCloseTo(py, 6);
        },
      ),
    );
  });

  it('keeps the point under the cursor fixed while zooming', () => {
    const view = fitView({ width: 800, height: 600 }, { width: 400, height: 400 });
    const anchor = { x: 123, y: 77 };
    const before = toImage(view, anchor);
    const after = toImage(zoomAt(view, 2.5, anchor), anchor);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
  });

  it('stores a box dragged in any direction, in whole pixels when asked', () => {
    expect(boxFromCorners({ x: 30.456, y: 40 }, { x: 10.1, y: 5.555 }, false)).toEqual({
      left: 10.1,
      top: 5.56,
      width: 20.36,
      height: 34.44,
    });
    expect(boxFromCorners({ x: 30.6, y: 40.2 }, { x: 10.4, y: 5.5 }, true)).toEqual({
      left: 10,
      top: 6,
      width: 21,
      height: 34,
    });
  });

  it('round-trips an ellipse through its extremal points', () => {
    const geometry = ellipseGeometry(ellipseVertices({ left: 10, top: 20, width: 40, height: 10 }));
    expect(geometry).toEqual({ cx: 30, cy: 25, radiusX: 20, radiusY: 5, rotation: 0 });
  });
});
