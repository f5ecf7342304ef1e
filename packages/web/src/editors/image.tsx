import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import Konva from 'konva';
import { leafLabels, type LabelEntry } from '@quorum/core';
import { mediaUrl } from '../api';
import { useHistory } from '../ui/history';
import {
  boxFromCorners,
  ellipseGeometry,
  ellipseVertices,
  fitView,
  GEOMETRIES,
  hitTest,
  moveShape,
  newUuid,
  responseFromShapes,
  shapesFromResponse,
  storeCoordinate,
  zoomAt,
  type Geometry,
  type Shape,
  type Tool,
  type Vertex,
  type View,
} from './image-model';
import { NUMBER_KEYS, useEditorShortcuts, type EditorProps, type Json } from './types';

const COLORS = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#008080',
  '#f032e6',
  '#9a6324',
];
const ATTEMPT_COLORS = ['#00e5ff', '#ffea00', '#ff6d00', '#76ff03', '#d500f9'];
const TOOL_KEYS: Record<Tool, string> = {
  select: 'v',
  box: 'b',
  polygon: 'p',
  line: 'l',
  point: 'k',
  ellipse: 'e',
};
const TOOL_NAMES: Record<Tool, string> = {
  select: 'Select',
  box: 'Box',
  polygon: 'Polygon',
  line: 'Polyline',
  point: 'Point',
  ellipse: 'Ellipse',
};

/** The Konva node drawing a shape, in image pixels; strokes keep their screen width at any zoom. */
function makeNode(shape: Shape, color: string, scale: number): Konva.Shape {
  const style = {
    stroke: color,
    strokeWidth: 2,
    strokeScaleEnabled: false,
    perfectDrawEnabled: false,
    shadowForStrokeEnabled: false,
    name: shape.uuid,
  };
  switch (shape.type) {
    case 'box':
      return new Konva.Rect({
        x: shape.left,
        y: shape.top,
        width: shape.width,
        height: shape.height,
        ...style,
      });
    case 'polygon':
    case 'line':
      return new Konva.Line({
        points: shape.vertices.flatMap((v) => [v.x, v.y]),
        closed: shape.type === 'polygon',
        ...style,
      });
    case 'point':
      return new Konva.Circle({ x: shape.x, y: shape.y, radius: 4 / scale, fill: color, ...style });
    case 'ellipse': {
      const e = ellipseGeometry(shape.vertices);
      return new Konva.Ellipse({
        x: e.cx,
        y: e.cy,
        radiusX: e.radiusX,
        radiusY: e.radiusY,
        rotation: e.rotation,
        ...style,
      });
    }
  }
}

/** Draws every shape but the selected one: one path per colour, stroked (and points filled) once. */
function drawAll(
  context: Konva.Context,
  scene: { shapes: Shape[]; selected: string | undefined; colors: Map<string, string> },
  scale: number,
) {
  const byColor = new Map<string, Shape[]>();
  for (const shape of scene.shapes) {
    if (shape.uuid === scene.selected) continue;
    const color = scene.colors.get(shape.label) ?? COLORS[0]!;
    const list = byColor.get(color);
    if (list) list.push(shape);
    else byColor.set(color, [shape]);
  }
  const ctx = context._context;
  ctx.lineWidth = 2 / scale;
  for (const [color, list] of byColor) {
    ctx.beginPath();
    const points: Vertex[] = [];
    for (const shape of list) {
      switch (shape.type) {
        case 'box':
          ctx.rect(shape.left, shape.top, shape.width, shape.height);
          break;
        case 'polygon':
        case 'line': {
          const [first, ...rest] = shape.vertices;
          if (!first) break;
          ctx.moveTo(first.x, first.y);
          for (const v of rest) ctx.lineTo(v.x, v.y);
          if (shape.type === 'polygon') ctx.closePath();
          break;
        }
        case 'ellipse': {
          const e = ellipseGeometry(shape.vertices);
          ctx.moveTo(
            e.cx + e.radiusX * Math.cos((e.rotation * Math.PI) / 180),
            e.cy + e.radiusX * Math.sin((e.rotation * Math.PI) / 180),
          );
          ctx.ellipse(
            e.cx,
            e.cy,
            e.radiusX,
            e.radiusY,
            (e.rotation * Math.PI) / 180,
            0,
            2 * Math.PI,
          );
          break;
        }
        case 'point':
          points.push({ x: shape.x, y: shape.y });
          break;
      }
    }
    ctx.strokeStyle = color;
    ctx.stroke();
    if (points.length > 0) {
      ctx.beginPath();
      for (const point of points) {
        ctx.moveTo(point.x + 4 / scale, point.y);
        ctx.arc(point.x, point.y, 4 / scale, 0, 2 * Math.PI);
      }
      ctx.fillStyle = color;
      ctx.fill();
    }
  }
}

/** The classes offered per geometry the task asks for. */
function classesOf(params: Json): Partial<Record<Geometry, string[]>> {
  const geometries = (params.geometries ?? {}) as Record<
    string,
    { objects_to_annotate?: LabelEntry[] }
  >;
  const out: Partial<Record<Geometry, string[]>> = {};
  for (const geometry of GEOMETRIES)
    if (geometries[geometry])
      out[geometry] = leafLabels(geometries[geometry].objects_to_annotate ?? []);
  return out;
}

/** How each leaf class is shown: its display text and the parents it sits under. */
function classDisplay(params: Json): Map<string, { display: string; group: string }> {
  const out = new Map<string, { display: string; group: string }>();
  const walk = (entries: LabelEntry[], parents: string[]) => {
    for (const entry of entries) {
      if (typeof entry === 'string') out.set(entry, { display: entry, group: parents.join(' › ') });
      else if (entry.subchoices?.length)
        walk(entry.subchoices, [...parents, entry.display ?? entry.choice]);
      else
        out.set(entry.choice, {
          display: entry.display ?? entry.choice,
          group: parents.join(' › '),
        });
    }
  };
  const geometries = (params.geometries ?? {}) as Record<
    string,
    { objects_to_annotate?: LabelEntry[] }
  >;
  for (const geometry of GEOMETRIES) walk(geometries[geometry]?.objects_to_annotate ?? [], []);
  return out;
}

/**
 * Boxes, polygons, polylines, points and ellipses on an image, drawn with Konva. Everything is
 * kept in image pixels; zoom and pan only move the stage, so stored coordinates never depend on
 * the screen. Wheel zooms at the cursor, Space+drag (or the middle button) pans.
 */
export function ImageEditor({ task, initial, onChange, overlays }: EditorProps) {
  const params = task.params;
  const integerPixels = Boolean(
    (params.geometries as Record<string, Record<string, unknown>>)?.box?.integer_pixels,
  );
  const classes = useMemo(() => classesOf(params), [params]);
  const shown = useMemo(() => classDisplay(params), [params]);
  const tools = GEOMETRIES.filter((geometry) => classes[geometry]);
  const single = tools.length === 1 && classes[tools[0]!]!.length === 1;
  const [tool, setToolState] = useState<Tool>(
    tools.length === 1 ? tools[0]! : (tools[0] ?? 'select'),
  );
  const [label, setLabel] = useState<string>(
    single ? classes[tools[0]!]![0]! : (classes[tools[0]!]?.[0] ?? ''),
  );
  // A drawing tool keeps the class it had last, or starts with its first.
  const lastClass = useRef<Partial<Record<Tool, string>>>({});
  const setTool = (next: Tool) => {
    if (next !== 'select') {
      lastClass.current[tool] = label;
      const choices = classes[next] ?? [];
      const kept = lastClass.current[next];
      setLabel(kept && choices.includes(kept) ? kept : (choices[0] ?? ''));
    }
    setToolState(next);
  };
  const [selected, setSelected] = useState<string | undefined>();
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const [generation, setGeneration] = useState(0);
  const [hiddenAttempts, setHiddenAttempts] = useState<ReadonlySet<number>>(new Set());
  const attemptShapes = useMemo(
    () => (overlays ?? []).map((overlay) => shapesFromResponse(overlay.response)),
    [overlays],
  );
  const [imageSize, setImageSize] = useState<{ width: number; height: number } | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const shapes = useHistory<Shape[]>(() =>
    shapesFromResponse(initial ?? (params.hypothesis as Json | undefined)),
  );
  useEffect(() => onChange(responseFromShapes(shapes.value)), [shapes.value]);

  const container = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage | undefined>(undefined);
  const layers = useRef<
    | { image: Konva.Layer; attempts: Konva.Layer; shapes: Konva.Layer; draft: Konva.Layer }
    | undefined
  >(undefined);
  const state = useRef({
    tool,
    label,
    view,
    selected,
    drawing: undefined as Vertex[] | undefined,
    spaceDown: false,
  });
  state.current.tool = tool;
  state.current.label = label;
  state.current.view = view;
  state.current.selected = selected;
  const setShapes = shapes.set;

  // The stage, its layers and the input handlers: made once per task.
  useEffect(() => {
    const element = container.current!;
    const stage = new Konva.Stage({
      container: element,
      width: element.clientWidth,
      height: element.clientHeight,
    });
    const image = new Konva.Layer({ listening: false });
    const attemptsLayer = new Konva.Layer({ listening: false });
    const shapesLayer = new Konva.Layer();
    const draft = new Konva.Layer({ listening: false });
    stage.add(image, attemptsLayer, shapesLayer, draft);
    stageRef.current = stage;
    layers.current = { image, attempts: attemptsLayer, shapes: shapesLayer, draft };
    setGeneration((g) => g + 1);

    const picture = new Image();
    let live = true;
    picture.onload = () => {
      if (!live) return;
      image.add(
        new Konva.Image({
          image: picture,
          width: picture.naturalWidth,
          height: picture.naturalHeight,
        }),
      );
      const size = { width: picture.naturalWidth, height: picture.naturalHeight };
      setImageSize(size);
      setView(fitView(size, { width: stage.width(), height: stage.height() }));
    };
    picture.onerror = () =>
      live && setLoadError(`The image could not be loaded: ${String(params.attachment)}`);
    picture.src = mediaUrl(String(params.attachment ?? ''));

    const pointer = (): Vertex | undefined => stage.getRelativePointerPosition() ?? undefined;
    let panFrom: { x: number; y: number; view: View } | undefined;
    stage.on('mousedown', (event) => {
      const s = state.current;
      const native = event.evt;
      if (native.button === 1 || s.spaceDown) {
        panFrom = { x: native.clientX, y: native.clientY, view: s.view };
        return;
      }
      if (native.button !== 0) return;
      const at = pointer();
      if (!at) return;
      if (s.tool === 'box' || s.tool === 'ellipse') s.drawing = [at, at];
      else if (s.tool === 'point') {
        const uuid = newUuid();
        setShapes((current) => [
          ...current,
          {
            uuid,
            type: 'point',
            label: s.label,
            attributes: {},
            x: storeCoordinate(at.x, false),
            y: storeCoordinate(at.y, false),
          },
        ]);
        setSelected(uuid);
      } else if (s.tool === 'polygon' || s.tool === 'line') {
        // The path so far, then the vertex following the cursor.
        s.drawing = [...(s.drawing ?? [at]).slice(0, -1), at, at];
      } else if (s.tool === 'select' && event.target === stage) {
        // Committed at once, not at the next frame: the click is answered in the frame it came.
        const hit = hitTest(drawn.current.shapes, at, 4 / s.view.scale)?.uuid;
        flushSync(() => setSelected(hit));
      }
      drawDraft();
    });
    stage.on('mousemove', (event) => {
      const s = state.current;
      if (panFrom) {
        const native = event.evt;
        setView({
          ...panFrom.view,
          x: panFrom.view.x + native.clientX - panFrom.x,
          y: panFrom.view.y + native.clientY - panFrom.y,
        });
        return;
      }
      if (!s.drawing) return;
      const at = pointer();
      if (!at) return;
      s.drawing[s.drawing.length - 1] = at;
      drawDraft();
    });
    const finishDrag = () => {
      const s = state.current;
      if (panFrom) {
        panFrom = undefined;
        return;
      }
      if (!s.drawing || (s.tool !== 'box' && s.tool !== 'ellipse')) return;
      const [a, b] = s.drawing as [Vertex, Vertex];
      s.drawing = undefined;
      drawDraft();
      // A click without a drag is not a box.
      if (Math.abs(a.x - b.x) * s.view.scale < 3 || Math.abs(a.y - b.y) * s.view.scale < 3) return;
      const box = boxFromCorners(a, b, integerPixels);
      const uuid = newUuid();
      setShapes((current) => [
        ...current,
        s.tool === 'box'
          ? { uuid, type: 'box', label: s.label, attributes: {}, ...box }
          : {
              uuid,
              type: 'ellipse',
              label: s.label,
              attributes: {},
              vertices: ellipseVertices(box),
            },
      ]);
      setSelected(uuid);
    };
    stage.on('mouseup', finishDrag);
    // A double click on the last corner closes the path; two quick clicks on different spots
    // are two corners.
    stage.on('dblclick', () => {
      const points = state.current.drawing;
      if (!points || points.length < 3) return;
      const a = points[points.length - 2]!;
      const b = points[points.length - 3]!;
      if (Math.hypot(a.x - b.x, a.y - b.y) * state.current.view.scale <= 6) finishPath();
    });
    stage.on('wheel', (event) => {
      event.evt.preventDefault();
      const at = stage.getPointerPosition();
      if (!at) return;
      setView((current) => zoomAt(current, event.evt.deltaY < 0 ? 1.15 : 1 / 1.15, at));
    });

    function drawDraft() {
      const s = state.current;
      draft.destroyChildren();
      const points = s.drawing;
      if (points && points.length >= 2) {
        const stroke = {
          stroke: '#ffcc00',
          strokeWidth: 2,
          strokeScaleEnabled: false,
          dash: [6, 4],
        };
        if (s.tool === 'box' || s.tool === 'ellipse') {
          const box = boxFromCorners(points[0]!, points[1]!, false);
          draft.add(
            s.tool === 'box'
              ? new Konva.Rect({
                  x: box.left,
                  y: box.top,
                  width: box.width,
                  height: box.height,
                  ...stroke,
                })
              : new Konva.Ellipse({
                  x: box.left + box.width / 2,
                  y: box.top + box.height / 2,
                  radiusX: box.width / 2,
                  radiusY: box.height / 2,
                  ...stroke,
                }),
          );
        } else {
          draft.add(
            new Konva.Line({ points: points.flatMap((p) => [p.x, p.y]), closed: false, ...stroke }),
          );
        }
      }
      draft.batchDraw();
    }
    function finishPath() {
      const s = state.current;
      if (!s.drawing || (s.tool !== 'polygon' && s.tool !== 'line')) return;
      const vertices = s.drawing
        .slice(0, -1)
        .map((p) => ({ x: storeCoordinate(p.x, false), y: storeCoordinate(p.y, false) }))
        .filter((p, i, all) => i === 0 || p.x !== all[i - 1]!.x || p.y !== all[i - 1]!.y);
      s.drawing = undefined;
      drawDraft();
      if (vertices.length < (s.tool === 'polygon' ? 3 : 2)) return;
      const uuid = newUuid();
      setShapes((current) => [
        ...current,
        { uuid, type: s.tool as 'polygon' | 'line', label: s.label, attributes: {}, vertices },
      ]);
      setSelected(uuid);
    }
    finishPathRef.current = finishPath;
    cancelDraftRef.current = () => {
      state.current.drawing = undefined;
      drawDraft();
    };

    const resize = new ResizeObserver(() => {
      stage.size({ width: element.clientWidth, height: element.clientHeight });
    });
    resize.observe(element);
    const keyDown = (event: KeyboardEvent) => {
      if (event.key === ' ' && event.target === document.body) {
        state.current.spaceDown = true;
        event.preventDefault();
      }
    };
    const keyUp = (event: KeyboardEvent) => {
      if (event.key === ' ') state.current.spaceDown = false;
    };
    addEventListener('keydown', keyDown);
    addEventListener('keyup', keyUp);
    addEventListener('mouseup', finishDrag);
    return () => {
      live = false;
      removeEventListener('keydown', keyDown);
      removeEventListener('keyup', keyUp);
      removeEventListener('mouseup', finishDrag);
      resize.disconnect();
      stage.destroy();
    };
  }, [task.id]);
  const finishPathRef = useRef<() => void>(() => undefined);
  const cancelDraftRef = useRef<() => void>(() => undefined);

  // The view: one transform on the stage, so the shapes are never recomputed for zoom or pan.
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage) return;
    stage.scale({ x: view.scale, y: view.scale });
    stage.position({ x: view.x, y: view.y });
    stage.batchDraw();
  }, [view, generation]);

  // A review's attempts, dashed, each in its own colour, under the consensus being edited.
  useEffect(() => {
    const layer = layers.current?.attempts;
    if (!layer) return;
    layer.destroyChildren();
    attemptShapes.forEach((list, index) => {
      if (hiddenAttempts.has(index)) return;
      const color = ATTEMPT_COLORS[index % ATTEMPT_COLORS.length]!;
      for (const shape of list) {
        const node = makeNode(shape, color, layer.getStage()?.scaleX() ?? 1);
        node.dash([6, 4]);
        node.strokeWidth(1.5);
        node.listening(false);
        layer.add(node);
      }
    });
    layer.batchDraw();
  }, [attemptShapes, hiddenAttempts, generation]);

  // Every shape but the selected one is drawn by one Konva shape: a path per class colour,
  // stroked once, so 2,000 boxes cost a few draw calls per frame. Clicks are hit-tested in image
  // pixels (`hitTest`); the selected shape alone is its own node, draggable.
  const drawn = useRef<{
    shapes: Shape[];
    selected: string | undefined;
    colors: Map<string, string>;
  }>({
    shapes: [],
    selected: undefined,
    colors: new Map(),
  });
  const batch = useRef<Konva.Shape | undefined>(undefined);
  const selectedNode = useRef<
    { shape: Shape; node: Konva.Shape; tool: Tool; extras: Konva.Node[] } | undefined
  >(undefined);
  useEffect(() => {
    const layer = layers.current?.shapes;
    if (!layer) return;
    const labels = Object.values(classes).flat();
    const colorOf = (label: string) => COLORS[Math.max(0, labels.indexOf(label)) % COLORS.length]!;
    drawn.current = {
      shapes: shapes.value,
      selected,
      colors: new Map(labels.map((label) => [label, colorOf(label)])),
    };
    // A new stage (the editor's canvas was made again) needs its own nodes.
    if (batch.current && batch.current.getLayer() !== layer) {
      batch.current = undefined;
      selectedNode.current = undefined;
    }
    if (!batch.current) {
      batch.current = new Konva.Shape({
        listening: false,
        perfectDrawEnabled: false,
        sceneFunc: (context) => drawAll(context, drawn.current, layer.getStage()?.scaleX() ?? 1),
      });
      layer.add(batch.current);
    }
    // Resize a box by its handles; move a polygon's or polyline's corners one by one.
    const editHandles = (shape: Shape, node: Konva.Shape, target: Konva.Layer): Konva.Node[] => {
      const replace = (next: Shape) =>
        setShapes((all) => all.map((s) => (s.uuid === shape.uuid ? next : s)));
      if (shape.type === 'box') {
        const transformer = new Konva.Transformer({
          nodes: [node],
          rotateEnabled: false,
          flipEnabled: false,
          keepRatio: false,
          ignoreStroke: true,
        });
        node.on('transformend', () => {
          const box = boxFromCorners(
            { x: node.x(), y: node.y() },
            {
              x: node.x() + node.width() * node.scaleX(),
              y: node.y() + node.height() * node.scaleY(),
            },
            integerPixels,
          );
          replace({ ...shape, ...box });
        });
        target.add(transformer);
        return [transformer];
      }
      if (shape.type !== 'polygon' && shape.type !== 'line') return [];
      const scale = target.getStage()?.scaleX() ?? 1;
      return shape.vertices.map((vertex, index) => {
        const handle = new Konva.Circle({
          x: vertex.x,
          y: vertex.y,
          radius: 5 / scale,
          fill: '#fff',
          stroke: '#1d2330',
          strokeWidth: 1,
          strokeScaleEnabled: false,
          draggable: true,
          name: `vertex-${index}`,
        });
        handle.on('mousedown', (event) => {
          event.cancelBubble = true;
        });
        handle.on('dragend', () => {
          const vertices = shape.vertices.map((v, i) =>
            i === index
              ? { x: storeCoordinate(handle.x(), false), y: storeCoordinate(handle.y(), false) }
              : v,
          );
          replace({ ...shape, vertices });
        });
        target.add(handle);
        return handle;
      });
    };
    const shape = shapes.value.find((candidate) => candidate.uuid === selected);
    const current = selectedNode.current;
    if (current && (current.shape !== shape || current.tool !== tool)) {
      current.node.destroy();
      for (const extra of current.extras) extra.destroy();
      selectedNode.current = undefined;
    }
    if (shape && !selectedNode.current) {
      const color = colorOf(shape.label);
      const node = makeNode(shape, color, layer.getStage()?.scaleX() ?? 1);
      node.strokeWidth(3);
      if (shape.type !== 'line' && shape.type !== 'point') node.fill(`${color}33`);
      node.draggable(tool === 'select');
      const start = { x: node.x(), y: node.y() };
      node.on('mousedown', (event) => {
        // Selecting keeps the press for dragging; a drawing tool draws through it.
        if (state.current.tool === 'select') event.cancelBubble = true;
      });
      node.on('dragend', () => {
        const dx = node.x() - start.x;
        const dy = node.y() - start.y;
        setShapes((all) =>
          all.map((s) => (s.uuid === shape.uuid ? moveShape(s, dx, dy, integerPixels) : s)),
        );
      });
      layer.add(node);
      const extras = tool === 'select' ? editHandles(shape, node, layer) : [];
      selectedNode.current = { shape, node, tool, extras };
    }
    layer.batchDraw();
  }, [shapes.value, selected, tool, classes, generation]);

  const pick = useCallback((uuid: string) => {
    setTool('select');
    setSelected(uuid);
  }, []);
  const selectedShape = shapes.value.find((shape) => shape.uuid === selected);
  const classChoices =
    tool === 'select'
      ? selectedShape
        ? (classes[selectedShape.type] ?? [])
        : []
      : (classes[tool] ?? []);
  const chooseClass = (choice: string) => {
    setLabel(choice);
    if (selected)
      setShapes((current) =>
        current.map((shape) => (shape.uuid === selected ? { ...shape, label: choice } : shape)),
      );
  };
  const remove = () => {
    if (!selected) return;
    setShapes((current) => current.filter((shape) => shape.uuid !== selected));
    setSelected(undefined);
  };
  const zoom = (factor: number) => {
    const stage = stageRef.current;
    if (stage)
      setView((current) =>
        zoomAt(current, factor, { x: stage.width() / 2, y: stage.height() / 2 }),
      );
  };
  const fit = () => {
    const stage = stageRef.current;
    if (stage && imageSize)
      setView(fitView(imageSize, { width: stage.width(), height: stage.height() }));
  };
  const attributeDefs = (params.annotation_attributes ?? {}) as Record<
    string,
    { type: string; description?: string; choices?: LabelEntry[]; min?: number; max?: number }
  >;

  useEditorShortcuts('image', [
    ...(['select', ...tools] as Tool[]).map((t) => ({
      key: TOOL_KEYS[t],
      description: `${TOOL_NAMES[t]} tool`,
      run: () => setTool(t),
    })),
    ...classChoices.slice(0, 10).map((choice, index) => ({
      key: NUMBER_KEYS[index]!,
      description: `Class “${choice}”`,
      run: () => chooseClass(choice),
    })),
    {
      key: 'Enter',
      description: 'Finish the polygon or polyline',
      run: () => finishPathRef.current(),
    },
    {
      key: 'Escape',
      description: 'Cancel drawing, deselect',
      run: () => {
        cancelDraftRef.current();
        setSelected(undefined);
      },
    },
    { key: 'Delete', description: 'Delete the selected object', run: remove },
    { key: 'Backspace', description: 'Delete the selected object', run: remove },
    { key: '+', description: 'Zoom in', run: () => zoom(1.25) },
    { key: '=', description: 'Zoom in', run: () => zoom(1.25) },
    { key: '-', description: 'Zoom out', run: () => zoom(0.8) },
    { key: '0', mod: true, description: 'Fit the image', run: fit },
    { key: 'z', mod: true, shift: false, description: 'Undo', run: shapes.undo },
    { key: 'z', mod: true, shift: true, description: 'Redo', run: shapes.redo },
    { key: 'y', mod: true, description: 'Redo', run: shapes.redo },
  ]);

  return (
    <div className="editor image-editor">
      <div className="toolbar" role="toolbar" aria-label="Drawing tools">
        {(['select', ...tools] as Tool[]).map((t) => (
          <button
            key={t}
            type="button"
            aria-pressed={tool === t}
            onClick={() => setTool(t)}
            title={`${TOOL_NAMES[t]} (${TOOL_KEYS[t].toUpperCase()})`}
          >
            {TOOL_NAMES[t]}
          </button>
        ))}
        <span className="separator" />
        <button type="button" onClick={() => zoom(1.25)}>
          Zoom in
        </button>
        <button type="button" onClick={() => zoom(0.8)}>
          Zoom out
        </button>
        <button type="button" onClick={fit}>
          Fit
        </button>
        <output aria-label="Zoom">{Math.round(view.scale * 100)}%</output>
        <button type="button" onClick={shapes.undo} disabled={!shapes.canUndo}>
          Undo
        </button>
        <button type="button" onClick={shapes.redo} disabled={!shapes.canRedo}>
          Redo
        </button>
      </div>
      <div className="image-workspace">
        <div
          ref={container}
          className="image-stage"
          data-testid="image-stage"
          data-view={`${view.scale} ${view.x} ${view.y}`}
          data-image-size={imageSize ? `${imageSize.width} ${imageSize.height}` : undefined}
          aria-label="Image"
          role="img"
        />
        <aside className="image-side">
          <fieldset>
            <legend>Class</legend>
            {classChoices.map((choice, index) => {
              const { display, group } = shown.get(choice) ?? { display: choice, group: '' };
              const previous = index > 0 ? shown.get(classChoices[index - 1]!)?.group : undefined;
              return (
                <div key={choice}>
                  {group && group !== previous ? <div className="class-group">{group}</div> : null}
                  <label className={`choice${group ? ' nested' : ''}`}>
                    <input
                      type="radio"
                      name="image-class"
                      checked={(selectedShape?.label ?? label) === choice}
                      onChange={() => chooseClass(choice)}
                    />
                    {index < 10 ? <kbd>{NUMBER_KEYS[index]}</kbd> : null}
                    {display}
                  </label>
                </div>
              );
            })}
          </fieldset>
          {selectedShape && Object.keys(attributeDefs).length > 0 ? (
            <fieldset>
              <legend>Attributes</legend>
              {Object.entries(attributeDefs).map(([name, def]) => (
                <label key={name} className="field">
                  {def.description ?? name}
                  {def.type === 'category' ? (
                    <select
                      value={String(selectedShape.attributes[name] ?? '')}
                      onChange={(event) =>
                        setShapes((current) =>
                          current.map((s) =>
                            s.uuid === selected
                              ? {
                                  ...s,
                                  attributes: { ...s.attributes, [name]: event.target.value },
                                }
                              : s,
                          ),
                        )
                      }
                    >
                      <option value="">—</option>
                      {leafLabels(def.choices ?? []).map((choice) => (
                        <option key={choice}>{choice}</option>
                      ))}
                    </select>
                  ) : (
                    <input
                      type={def.type === 'number' || def.type === 'angle' ? 'number' : 'text'}
                      value={String(selectedShape.attributes[name] ?? '')}
                      onChange={(event) => {
                        const raw = event.target.value;
                        const value =
                          def.type === 'number' || def.type === 'angle'
                            ? raw === ''
                              ? ''
                              : Number(raw)
                            : raw;
                        setShapes((current) =>
                          current.map((s) =>
                            s.uuid === selected
                              ? { ...s, attributes: { ...s.attributes, [name]: value } }
                              : s,
                          ),
                        );
                      }}
                    />
                  )}
                </label>
              ))}
            </fieldset>
          ) : null}
          {overlays?.length ? (
            <fieldset>
              <legend>Attempts</legend>
              {overlays.map((overlay, index) => (
                <label key={overlay.name} className="choice">
                  <input
                    type="checkbox"
                    checked={!hiddenAttempts.has(index)}
                    onChange={() =>
                      setHiddenAttempts((hidden) => {
                        const next = new Set(hidden);
                        if (next.has(index)) next.delete(index);
                        else next.add(index);
                        return next;
                      })
                    }
                  />
                  <span
                    className={`swatch swatch-${index % ATTEMPT_COLORS.length}`}
                    aria-hidden="true"
                  />
                  Show {overlay.name}
                </label>
              ))}
            </fieldset>
          ) : null}
          <h3>Objects</h3>
          <ObjectList shapes={shapes.value} selected={selected} onPick={pick} />
          {selected ? (
            <button type="button" onClick={remove}>
              Delete object
            </button>
          ) : null}
        </aside>
      </div>
      {loadError ? <p role="alert">{loadError}</p> : null}
    </div>
  );
}

/** The objects as a list (the canvas's accessible twin); a row re-renders only when it changes. */
const ObjectList = memo(function ObjectList(props: {
  shapes: Shape[];
  selected: string | undefined;
  onPick: (uuid: string) => void;
}) {
  return (
    <ul aria-label="Objects" className="object-list">
      {props.shapes.map((shape, index) => (
        <ObjectItem
          key={shape.uuid}
          shape={shape}
          index={index}
          isSelected={shape.uuid === props.selected}
          onPick={props.onPick}
        />
      ))}
    </ul>
  );
});

const ObjectItem = memo(function ObjectItem(props: {
  shape: Shape;
  index: number;
  isSelected: boolean;
  onPick: (uuid: string) => void;
}) {
  const { shape } = props;
  return (
    <li aria-selected={props.isSelected}>
      <button type="button" onClick={() => props.onPick(shape.uuid)}>
        {props.index + 1}. {TOOL_NAMES[shape.type]} {shape.label || '(no class)'}
      </button>
    </li>
  );
});
