/**
 * The image editor's model, in image pixels: shapes, the view (zoom and pan) and the conversions
 * between screen and image. Pure, so the exactness of stored coordinates is tested without a browser.
 */

export type Tool = 'select' | 'box' | 'polygon' | 'line' | 'point' | 'ellipse';
export type Geometry = Exclude<Tool, 'select'>;
export const GEOMETRIES: Geometry[] = ['box', 'polygon', 'line', 'point', 'ellipse'];

export interface Vertex {
  x: number;
  y: number;
}

export type Shape = { uuid: string; label: string; attributes: Record<string, unknown> } & (
  | { type: 'box'; left: number; top: number; width: number; height: number }
  | { type: 'polygon' | 'line'; vertices: Vertex[] }
  | { type: 'point'; x: number; y: number }
  | { type: 'ellipse'; vertices: Vertex[] }
);

/** screen = image × scale + offset. */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export function toImage(view: View, screen: Vertex): Vertex {
  return { x: (screen.x - view.x) / view.scale, y: (screen.y - view.y) / view.scale };
}

export function toScreen(view: View, image: Vertex): Vertex {
  return { x: image.x * view.scale + view.x, y: image.y * view.scale + view.y };
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 64;

/** Zooms by `factor` keeping the image point under `anchor` (a screen point) in place. */
export function zoomAt(view: View, factor: number, anchor: Vertex): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const fixed = toImage(view, anchor);
  return { scale, x: anchor.x - fixed.x * scale, y: anchor.y - fixed.y * scale };
}

/** The whole image centred in the stage. */
export function fitView(
  image: { width: number; height: number },
  stage: { width: number; height: number },
): View {
  const scale = Math.min(stage.width / image.width, stage.height / image.height) || 1;
  return {
    scale,
    x: (stage.width - image.width * scale) / 2,
    y: (stage.height - image.height * scale) / 2,
  };
}

/**
 * A coordinate as stored: whole pixels when the task asks for them, else to 1/100 pixel (finer
 * than any mouse can point at any zoom this editor allows, and free of float noise).
 */
export function storeCoordinate(value: number, integerPixels: boolean): number {
  return integerPixels ? Math.round(value) : Math.round(value * 100) / 100;
}

/** A box from two corners dragged in any direction. */
export function boxFromCorners(a: Vertex, b: Vertex, integerPixels: boolean) {
  const left = storeCoordinate(Math.min(a.x, b.x), integerPixels);
  const top = storeCoordinate(Math.min(a.y, b.y), integerPixels);
  const right = storeCoordinate(Math.max(a.x, b.x), integerPixels);
  const bottom = storeCoordinate(Math.max(a.y, b.y), integerPixels);
  return {
    left,
    top,
    width: storeCoordinate(right - left, integerPixels),
    height: storeCoordinate(bottom - top, integerPixels),
  };
}

/** An axis-aligned ellipse in a box, as its four extremal points (top, right, bottom, left). */
export function ellipseVertices(box: {
  left: number;
  top: number;
  width: number;
  height: number;
}): Vertex[] {
  const cx = box.left + box.width / 2;
  const cy = box.top + box.height / 2;
  return [
    { x: cx, y: box.top },
    { x: box.left + box.width, y: cy },
    { x: cx, y: box.top + box.height },
    { x: box.left, y: cy },
  ];
}

/** Centre and radii of an ellipse from its four extremal points (rotation from the first axis). */
export function ellipseGeometry(vertices: Vertex[]) {
  const [top, right, bottom, left] = vertices as [Vertex, Vertex, Vertex, Vertex];
  const cx = (top.x + bottom.x + left.x + right.x) / 4;
  const cy = (top.y + bottom.y + left.y + right.y) / 4;
  const radiusY = Math.hypot(bottom.x - top.x, bottom.y - top.y) / 2;
  const radiusX = Math.hypot(right.x - left.x, right.y - left.y) / 2;
  const rotation = (Math.atan2(right.y - left.y, right.x - left.x) * 180) / Math.PI;
  return { cx, cy, radiusX, radiusY, rotation };
}

let counter = 0;
export function newUuid(): string {
  counter++;
  return `${Date.now().toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Shapes from a response or pre-labels (`hypothesis`). */
export function shapesFromResponse(response: Record<string, unknown> | undefined): Shape[] {
  const annotations = (response?.annotations as Array<Record<string, unknown>> | undefined) ?? [];
  const shapes: Shape[] = [];
  for (const annotation of annotations) {
    const common = {
      uuid: typeof annotation.uuid === 'string' ? annotation.uuid : newUuid(),
      label: String(annotation.label ?? ''),
      attributes: (annotation.attributes as Record<string, unknown> | undefined) ?? {},
    };
    switch (annotation.type) {
      case 'box':
        shapes.push({
          ...common,
          type: 'box',
          left: Number(annotation.left),
          top: Number(annotation.top),
          width: Number(annotation.width),
          height: Number(annotation.height),
        });
        break;
      case 'polygon':
      case 'line':
      case 'ellipse':
        shapes.push({
          ...common,
          type: annotation.type,
          vertices: annotation.vertices as Vertex[],
        });
        break;
      case 'point':
        shapes.push({ ...common, type: 'point', x: Number(annotation.x), y: Number(annotation.y) });
        break;
    }
  }
  return shapes;
}

/** The response the API stores: Scale's `imageannotation` shape, coordinates in image pixels. */
export function responseFromShapes(shapes: Shape[]): {
  annotations: Array<Record<string, unknown>>;
} {
  return {
    annotations: shapes.map(({ attributes, ...shape }) => ({
      ...shape,
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    })),
  };
}

/** Moves a shape by (dx, dy) image pixels. */
export function moveShape(shape: Shape, dx: number, dy: number, integerPixels: boolean): Shape {
  const at = (value: number, delta: number) => storeCoordinate(value + delta, integerPixels);
  switch (shape.type) {
    case 'box':
      return { ...shape, left: at(shape.left, dx), top: at(shape.top, dy) };
    case 'point':
      return { ...shape, x: at(shape.x, dx), y: at(shape.y, dy) };
    default:
      return {
        ...shape,
        vertices: shape.vertices.map((v) => ({ x: at(v.x, dx), y: at(v.y, dy) })),
      };
  }
}

/** Distance from p to the segment a–b. */
function segmentDistance(p: Vertex, a: Vertex, b: Vertex): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = dx * dx + dy * dy;
  const t =
    length === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

function insidePolygon(p: Vertex, vertices: Vertex[]): boolean {
  let inside = false;
  for (let i = 0, j = vertices.length - 1; i < vertices.length; j = i++) {
    const a = vertices[i]!;
    const b = vertices[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < a.x + ((p.y - a.y) * (b.x - a.x)) / (b.y - a.y))
      inside = !inside;
  }
  return inside;
}

/** Whether `p` (image pixels) is on the shape, within `tolerance` pixels of its outline. */
export function hitsShape(shape: Shape, p: Vertex, tolerance: number): boolean {
  switch (shape.type) {
    case 'box':
      return (
        p.x >= shape.left - tolerance &&
        p.x <= shape.left + shape.width + tolerance &&
        p.y >= shape.top - tolerance &&
        p.y <= shape.top + shape.height + tolerance
      );
    case 'point':
      return Math.hypot(p.x - shape.x, p.y - shape.y) <= tolerance * 2;
    case 'polygon':
    case 'line': {
      const { vertices } = shape;
      const closed = shape.type === 'polygon';
      if (closed && insidePolygon(p, vertices)) return true;
      for (let i = 0; i < vertices.length - (closed ? 0 : 1); i++)
        if (segmentDistance(p, vertices[i]!, vertices[(i + 1) % vertices.length]!) <= tolerance)
          return true;
      return (
        vertices.length === 1 && Math.hypot(p.x - vertices[0]!.x, p.y - vertices[0]!.y) <= tolerance
      );
    }
    case 'ellipse': {
      const e = ellipseGeometry(shape.vertices);
      const angle = (-e.rotation * Math.PI) / 180;
      const x = (p.x - e.cx) * Math.cos(angle) - (p.y - e.cy) * Math.sin(angle);
      const y = (p.x - e.cx) * Math.sin(angle) + (p.y - e.cy) * Math.cos(angle);
      const rx = e.radiusX + tolerance;
      const ry = e.radiusY + tolerance;
      return rx > 0 && ry > 0 && (x * x) / (rx * rx) + (y * y) / (ry * ry) <= 1;
    }
  }
}

/**
 * The topmost shape under `p` (the last drawn wins). Among nested shapes the smallest box that
 * holds the point is what a click on its inside means, so boxes inside boxes stay reachable.
 */
export function hitTest(shapes: readonly Shape[], p: Vertex, tolerance: number): Shape | undefined {
  let best: Shape | undefined;
  let bestArea = Infinity;
  for (let i = shapes.length - 1; i >= 0; i--) {
    const shape = shapes[i]!;
    if (!hitsShape(shape, p, tolerance)) continue;
    const area = shape.type === 'box' ? shape.width * shape.height : 0;
    if (area < bestArea) {
      best = shape;
      bestArea = area;
    }
    if (area === 0) break;
  }
  return best;
}
