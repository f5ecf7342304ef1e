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
