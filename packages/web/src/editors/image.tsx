import { useEffect, useMemo, useRef, useState } from 'react';
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

/**
 * Boxes, polygons, polylines, points and ellipses on an image, drawn with Konva. Everything is
 * kept in image pixels; zoom and pan only move the stage, so stored coordinates never depend on
 * the screen. Wheel zooms at the cursor, Space+drag (or the middle button) pans.
 */
export function ImageEditor({ task, initial, onChange }: EditorProps) {
  const params = task.params;
  const integerPixels = Boolean(
    (params.geometries as Record<string, Record<string, unknown>>)?.box?.integer_pixels,
  );
  const classes = useMemo(() => classesOf(params), [params]);
  const tools = GEOMETRIES.filter((geometry) => classes[geometry]);
  const single = tools.length === 1 && classes[tools[0]!]!.length === 1;
  const [tool, setTool] = useState<Tool>(tools.length === 1 ? tools[0]! : (tools[0] ?? 'select'));
  const [label, setLabel] = useState<string>(
    single ? classes[tools[0]!]![0]! : (classes[tools[0]!]?.[0] ?? ''),
  );
  const [selected, setSelected] = useState<string | undefined>();
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const [imageSize, setImageSize] = useState<{ width: number; height: number } | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const shapes = useHistory<Shape[]>(() =>
    shapesFromResponse(initial ?? (params.hypothesis as Json | undefined)),
  );
  useEffect(() => onChange(responseFromShapes(shapes.value)), [shapes.value]);

  const container = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage | undefined>(undefined);
  const layers = useRef<
    { image: Konva.Layer; shapes: Konva.Layer; draft: Konva.Layer } | undefined
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
    const shapesLayer = new Konva.Layer();
    const draft = new Konva.Layer({ listening: false });
    stage.add(image, shapesLayer, draft);
    stageRef.current = stage;
    layers.current = { image, shapes: shapesLayer, draft };

    const picture = new Image();
    picture.onload = () => {
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
      setLoadError(`The image could not be loaded: ${String(params.attachment)}`);
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
      } else if (s.tool === 'select' && event.target === stage) setSelected(undefined);
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
    stage.on('dblclick', () => finishPath());
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
  }, [view]);

  // The shapes, rebuilt when they change.
  useEffect(() => {
    const layer = layers.current?.shapes;
    if (!layer) return;
    layer.destroyChildren();
    const labels = Object.values(classes).flat();
    for (const shape of shapes.value) {
      const color = COLORS[Math.max(0, labels.indexOf(shape.label)) % COLORS.length]!;
      const isSelected = shape.uuid === selected;
      const style = {
        stroke: color,
        strokeWidth: isSelected ? 3 : 2,
        strokeScaleEnabled: false,
        perfectDrawEnabled: false,
        shadowForStrokeEnabled: false,
        draggable: isSelected && tool === 'select',
        name: shape.uuid,
      };
      let node: Konva.Shape;
      switch (shape.type) {
        case 'box':
          node = new Konva.Rect({
            x: shape.left,
            y: shape.top,
            width: shape.width,
            height: shape.height,
            fill: isSelected ? `${color}33` : undefined,
            ...style,
          });
          break;
        case 'polygon':
        case 'line':
          node = new Konva.Line({
            points: shape.vertices.flatMap((v) => [v.x, v.y]),
            closed: shape.type === 'polygon',
            fill: shape.type === 'polygon' && isSelected ? `${color}33` : undefined,
            ...style,
          });
          break;
        case 'point':
          node = new Konva.Circle({
            x: shape.x,
            y: shape.y,
            radius: 4 / (layer.getStage()?.scaleX() ?? 1),
            fill: color,
            ...style,
          });
          break;
        case 'ellipse': {
          const e = ellipseGeometry(shape.vertices);
          node = new Konva.Ellipse({
            x: e.cx,
            y: e.cy,
            radiusX: e.radiusX,
            radiusY: e.radiusY,
            rotation: e.rotation,
            ...style,
          });
          break;
        }
      }
      node.on('mousedown', (event) => {
        if (tool !== 'select') return;
        event.cancelBubble = true;
        setSelected(shape.uuid);
      });
      const start = { x: node.x(), y: node.y() };
      node.on('dragend', () => {
        const dx = node.x() - start.x;
        const dy = node.y() - start.y;
        setShapes((current) =>
          current.map((s) => (s.uuid === shape.uuid ? moveShape(s, dx, dy, integerPixels) : s)),
        );
      });
      layer.add(node);
    }
    layer.batchDraw();
  }, [shapes.value, selected, tool, classes]);

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
            {classChoices.map((choice, index) => (
              <label key={choice} className="choice">
                <input
                  type="radio"
                  name="image-class"
                  checked={(selectedShape?.label ?? label) === choice}
                  onChange={() => chooseClass(choice)}
                />
                {index < 10 ? <kbd>{NUMBER_KEYS[index]}</kbd> : null}
                {choice}
              </label>
            ))}
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
          <h3>Objects</h3>
          <ul aria-label="Objects" className="object-list">
            {shapes.value.map((shape, index) => (
              <li key={shape.uuid} aria-selected={shape.uuid === selected}>
                <button
                  type="button"
                  onClick={() => {
                    setTool('select');
                    setSelected(shape.uuid);
                  }}
                >
                  {index + 1}. {TOOL_NAMES[shape.type]} {shape.label || '(no class)'}
                </button>
              </li>
            ))}
          </ul>
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
