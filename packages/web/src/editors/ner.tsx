import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useHistory } from '../ui/history';
import {
  graphemeBoundaries,
  segmentText,
  snapToGraphemes,
  toCodePoint,
  toUtf16Cached as toUtf16,
} from './text-offsets';
import { NUMBER_KEYS, useEditorShortcuts, type EditorProps } from './types';

interface Entity {
  key: string;
  start: number;
  end: number;
  label: string;
}

interface NerLabel {
  name: string;
  display_name?: string;
  children?: NerLabel[];
}

/** The labels a span can take: the leaves of the task's label tree, by name. */
function nerLeaves(labels: NerLabel[]): string[] {
  return labels.flatMap((label) =>
    label.children?.length ? nerLeaves(label.children) : [label.name],
  );
}

let counter = 0;
const nextKey = () => `e${++counter}`;

/** The UTF-16 offset of a DOM position inside the document element. */
function offsetIn(root: HTMLElement, node: Node, offset: number): number {
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/**
 * Named entities by selection: select text, and it becomes a span of the active label, widened to
 * whole characters as the reader sees them. Offsets are code points, exactly as stored.
 */
export function NerEditor({ task, initial, onChange, overlays }: EditorProps) {
  const text = String(task.params.text ?? '');
  const labels = useMemo(() => nerLeaves((task.params.labels as NerLabel[]) ?? []), [task]);
  const bounds = useMemo(() => graphemeBoundaries(text), [text]);
  const [active, setActive] = useState(labels[0] ?? '');
  const [selected, setSelected] = useState<string | undefined>();
  const entities = useHistory<Entity[]>(() =>
    (
      ((initial ?? (task.params.hypothesis as typeof initial))?.annotations as
        Array<Omit<Entity, 'key'>> | undefined) ?? []
    ).map((entity) => ({
      key: nextKey(),
      start: entity.start,
      end: entity.end,
      label: entity.label,
    })),
  );
  useEffect(
    () =>
      onChange({
        annotations: entities.value.map(({ start, end, label }) => ({
          start,
          end,
          label,
          text: text.slice(toUtf16(text, start), toUtf16(text, end)),
        })),
      }),
    [entities.value],
  );
  const documentRef = useRef<HTMLDivElement>(null);
  // A review's attempts: their spans, underlined where they differ from what is being edited.
  const attempts = useMemo(
    () =>
      (overlays ?? []).flatMap((overlay, index) =>
        ((overlay.response.annotations as Array<Omit<Entity, 'key'>> | undefined) ?? []).map(
          (span, j) => ({ ...span, key: `a${index}:${j}`, attempt: overlay.name }),
        ),
      ),
    [overlays],
  );
  // The list follows the document at a lower priority: a long document is labelable at once.
  const listed = useDeferredValue(entities.value, []);

  const addFromSelection = () => {
    const selection = getSelection();
    const root = documentRef.current;
    if (!selection || selection.isCollapsed || !root || !active) return;
    const range = selection.getRangeAt(0);
    if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return;
    const from = offsetIn(root, range.startContainer, range.startOffset);
    const to = offsetIn(root, range.endContainer, range.endOffset);
    const [start, end] = snapToGraphemes(bounds, Math.min(from, to), Math.max(from, to));
    selection.removeAllRanges();
    if (end <= start) return;
    const entity = {
      key: nextKey(),
      start: toCodePoint(text, start),
      end: toCodePoint(text, end),
      label: active,
    };
    entities.set((current) => [...current, entity]);
    setSelected(entity.key);
  };

  const setEntities = entities.set;
  const remove = useCallback(
    (key: string) => {
      setEntities((current) => current.filter((entity) => entity.key !== key));
      setSelected(undefined);
    },
    [setEntities],
  );
  const relabel = (label: string) => {
    setActive(label);
    if (selected)
      entities.set((current) =>
        current.map((entity) => (entity.key === selected ? { ...entity, label } : entity)),
      );
  };

  useEditorShortcuts('ner', [
    ...labels.slice(0, 10).map((label, index) => ({
      key: NUMBER_KEYS[index]!,
      description: `Label “${label}” (relabels the selected span)`,
      run: () => relabel(label),
    })),
    {
      key: 'Delete',
      description: 'Delete the selected span',
      run: () => selected && remove(selected),
    },
    { key: 'Escape', description: 'Deselect', run: () => setSelected(undefined) },
    { key: 'z', mod: true, shift: false, description: 'Undo', run: entities.undo },
    { key: 'z', mod: true, shift: true, description: 'Redo', run: entities.redo },
  ]);

  return (
    <div className="editor ner">
      <div role="radiogroup" aria-label="Entity label" className="toolbar">
        {labels.map((label, index) => (
          <button
            key={label}
            type="button"
            role="radio"
            aria-checked={active === label}
            className={`label-${labels.indexOf(label) % 8}`}
            onClick={() => relabel(label)}
          >
            {index < 10 ? <kbd>{NUMBER_KEYS[index]}</kbd> : null} {label}
          </button>
        ))}
      </div>
      <Document
        ref={documentRef}
        text={text}
        entities={entities.value}
        attempts={attempts}
        labels={labels}
        selected={selected}
        onSelect={setSelected}
        onMouseUp={addFromSelection}
      />
      <h3>Spans</h3>
      <SpanList
        text={text}
        entities={listed}
        selected={selected}
        onPick={setSelected}
        onRemove={remove}
      />
    </div>
  );
}

interface DocumentProps {
  ref: React.Ref<HTMLDivElement>;
  text: string;
  entities: Entity[];
  attempts: Array<Entity & { attempt: string }>;
  labels: string[];
  selected: string | undefined;
  onSelect: (key: string) => void;
  onMouseUp: () => void;
}

/** The document cut into pieces at span edges; its text content is exactly the task's text. */
const Document = memo(function Document(props: DocumentProps) {
  const { text, entities, attempts, labels, selected } = props;
  const pieces = useMemo(
    () => segmentText(text, attempts.length ? [...entities, ...attempts] : entities),
    [text, entities, attempts],
  );
  const byKey = useMemo(
    () =>
      new Map<string, Entity & { attempt?: string }>(
        [...entities, ...attempts].map((e) => [e.key, e]),
      ),
    [entities, attempts],
  );
  const attemptCount = new Set(attempts.map((span) => span.attempt)).size;
  return (
    <div
      ref={props.ref}
      className="document"
      role="document"
      aria-label="Document"
      dir="auto"
      onMouseUp={props.onMouseUp}
      onClick={(event) => {
        // One handler for every span: the clicked mark names its span.
        const key = (event.target as HTMLElement).closest('mark')?.dataset.span;
        if (key) props.onSelect(key);
      }}
    >
      {pieces.map((piece) => {
        const content = text.slice(piece.from, piece.to);
        if (piece.covering.length === 0) return content;
        const own = piece.covering.filter((key) => !key.startsWith('a'));
        const theirs = piece.covering
          .filter((key) => key.startsWith('a'))
          .map((key) => byKey.get(key)!);
        if (own.length === 0) {
          // Only attempts marked this text: a span the consensus does not have.
          return (
            <span
              key={piece.from}
              className="attempt-only"
              title={theirs.map((span) => `${span.attempt}: ${span.label}`).join(', ')}
            >
              {content}
            </span>
          );
        }
        const top = byKey.get(own[own.length - 1]!)!;
        const agreeing = new Set(
          theirs.filter((span) => span.label === top.label).map((span) => span.attempt),
        ).size;
        const disputed = attemptCount > 0 && agreeing < attemptCount;
        return (
          <mark
            key={piece.from}
            title={disputed ? `${agreeing} of ${attemptCount} attempts agree` : undefined}
            className={`label-${labels.indexOf(top.label) % 8}${own.includes(selected ?? '') ? ' selected' : ''}${own.length > 1 ? ' nested' : ''}${disputed ? ' disputed' : ''}`}
            data-label={top.label}
            data-span={top.key}
          >
            {content}
          </mark>
        );
      })}
    </div>
  );
});

/** The spans as a list; a row re-renders only when its span or its selection changes. */
const SpanList = memo(function SpanList(props: {
  text: string;
  entities: Entity[];
  selected: string | undefined;
  onPick: (key: string) => void;
  onRemove: (key: string) => void;
}) {
  return (
    <ul aria-label="Spans" className="span-list">
      {props.entities.map((entity) => (
        <SpanItem
          key={entity.key}
          text={props.text}
          entity={entity}
          isSelected={entity.key === props.selected}
          onPick={props.onPick}
          onRemove={props.onRemove}
        />
      ))}
    </ul>
  );
});

const SpanItem = memo(function SpanItem(props: {
  text: string;
  entity: Entity;
  isSelected: boolean;
  onPick: (key: string) => void;
  onRemove: (key: string) => void;
}) {
  const { text, entity } = props;
  const shown = text.slice(toUtf16(text, entity.start), toUtf16(text, entity.end));
  return (
    <li aria-selected={props.isSelected}>
      <button type="button" onClick={() => props.onPick(entity.key)}>
        {entity.label}: “{shown}” [{entity.start}, {entity.end})
      </button>
      <button
        type="button"
        aria-label={`Delete span “${shown}” (${entity.label})`}
        onClick={() => props.onRemove(entity.key)}
      >
        ×
      </button>
    </li>
  );
});
