import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  boxFromCorners,
  ellipseGeometry,
  ellipseVertices,
  fitView,
  hitTest,
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

describe('hit testing', () => {
  const common = { label: 'x', attributes: {} };
  const outer = {
    ...common,
    uuid: 'outer',
    type: 'box' as const,
    left: 0,
    top: 0,
    width: 100,
    height: 100,
  };
  const inner = {
    ...common,
    uuid: 'inner',
    type: 'box' as const,
    left: 40,
    top: 40,
    width: 10,
    height: 10,
  };
  const line = {
    ...common,
    uuid: 'line',
    type: 'line' as const,
    vertices: [
      { x: 200, y: 0 },
      { x: 300, y: 0 },
    ],
  };
  const point = { ...common, uuid: 'point', type: 'point' as const, x: 500, y: 500 };
  const triangle = {
    ...common,
    uuid: 'tri',
    type: 'polygon' as const,
    vertices: [
      { x: 0, y: 200 },
      { x: 100, y: 200 },
      { x: 50, y: 300 },
    ],
  };

  it('finds the shape under the point, the smallest box among nested ones', () => {
    const shapes = [outer, inner, line, point, triangle];
    expect(hitTest(shapes, { x: 45, y: 45 }, 2)?.uuid).toBe('inner');
    expect(hitTest(shapes, { x: 10, y: 10 }, 2)?.uuid).toBe('outer');
    expect(hitTest(shapes, { x: 250, y: 1.5 }, 2)?.uuid).toBe('line');
    expect(hitTest(shapes, { x: 250, y: 5 }, 2)).toBeUndefined();
    expect(hitTest(shapes, { x: 503, y: 500 }, 2)?.uuid).toBe('point');
    expect(hitTest(shapes, { x: 50, y: 250 }, 2)?.uuid).toBe('tri');
    expect(hitTest(shapes, { x: 5, y: 295 }, 2)).toBeUndefined();
  });
});
