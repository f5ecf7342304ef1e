import { useEffect, useId, useRef, useState } from 'react';
import type { HazardCategory } from '@quorum/core';
import {
  categoryDescription,
  categoryName,
  hasFlag,
  scaleOf,
  type Criterion,
  type FlagMark,
  type FlagTarget,
} from './feedback';

/** Safety-flag checkboxes for one thing shown (an attachment, a response, a model turn). */
export function FlagChecklist(props: {
  /** Names the group, e.g. "Flags for response A". */
  label: string;
  categories: string[];
  taxonomy?: readonly HazardCategory[] | undefined;
  flags: FlagMark[];
  target: FlagTarget;
  index: number;
  onToggle: (mark: FlagMark) => void;
  disabled?: boolean;
}) {
  const { flags, target, index } = props;
  const count = props.categories.filter((category) =>
    hasFlag(flags, target, index, category),
  ).length;
  return (
    <fieldset className="flags" disabled={props.disabled}>
      <legend>
        {props.label}
        {count > 0 ? ` (${count})` : ''}
      </legend>
      <div className="flag-list">
        {props.categories.map((category) => (
          <label
            key={category}
            className="choice"
            title={categoryDescription(category, props.taxonomy)}
          >
            <input
              type="checkbox"
              checked={hasFlag(flags, target, index, category)}
              onChange={() => props.onToggle({ target, index, category })}
            />
            {categoryName(category, props.taxonomy)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** A score on one criterion of the rubric, as a select with its own accessible name. */
export function RatingSelect(props: {
  label: string;
  criterion: Criterion;
  value: number | undefined;
  onChange: (score: number | undefined) => void;
  disabled?: boolean;
}) {
  const scale = scaleOf(props.criterion);
  return (
    <select
      aria-label={props.label}
      value={props.value === undefined ? '' : String(props.value)}
      disabled={props.disabled}
      onChange={(event) =>
        props.onChange(event.target.value === '' ? undefined : Number(event.target.value))
      }
    >
      <option value="">—</option>
      {scale.map((score) => (
        <option key={score} value={score}>
          {score}
        </option>
      ))}
    </select>
  );
}

/** The ideal response (a demonstration, or a safe rewrite), with the task's instructions. */
export function RewriteField(props: {
  label: string;
  instructions?: string | undefined;
  required: boolean;
  value: string;
  onChange: (text: string) => void;
  readOnly?: boolean;
}) {
  const hint = useId();
  return (
    <div className="rewrite">
      <label className="field">
        <span>
          {props.label}
          {props.required ? ' (required)' : ' (optional)'}
        </span>
        {props.instructions ? (
          <span id={hint} className="hint" dir="auto">
            {props.instructions}
          </span>
        ) : null}
        <textarea
          rows={6}
          dir="auto"
          value={props.value}
          required={props.required}
          readOnly={props.readOnly}
          aria-describedby={props.instructions ? hint : undefined}
          onChange={(event) => props.onChange(event.target.value)}
        />
      </label>
    </div>
  );
}

/**
 * Items ranked best first, reordered by buttons (keyboard and screen reader friendly): the
 * moved item's button keeps the focus, so it can be moved again at once.
 */
export function RankingList(props: {
  ranking: number[];
  name: (item: number) => string;
  onMove: (item: number, by: number) => void;
}) {
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const [focus, setFocus] = useState<{ item: number; direction: 'up' | 'down' } | undefined>();
  useEffect(() => {
    if (!focus) return;
    const position = props.ranking.indexOf(focus.item);
    // At an end the button that moved it is disabled: the other one takes the focus.
    const direction =
      focus.direction === 'up' && position === 0
        ? 'down'
        : focus.direction === 'down' && position === props.ranking.length - 1
          ? 'up'
          : focus.direction;
    buttons.current.get(`${focus.item}:${direction}`)?.focus();
    setFocus(undefined);
  }, [props.ranking, focus]);
  const register = (key: string) => (element: HTMLButtonElement | null) => {
    if (element) buttons.current.set(key, element);
    else buttons.current.delete(key);
  };
  return (
    <ol className="ranking" aria-label="Ranking, best first">
      {props.ranking.map((item, position) => (
        <li key={item}>
          <span className="rank">{position + 1}.</span>
          <span className="ranked">{props.name(item)}</span>
          <button
            type="button"
            ref={register(`${item}:up`)}
            aria-label={`Move ${lowerFirst(props.name(item))} up`}
            disabled={position === 0}
            onClick={() => {
              props.onMove(item, -1);
              setFocus({ item, direction: 'up' });
            }}
          >
            ↑
          </button>
          <button
            type="button"
            ref={register(`${item}:down`)}
            aria-label={`Move ${lowerFirst(props.name(item))} down`}
            disabled={position === props.ranking.length - 1}
            onClick={() => {
              props.onMove(item, 1);
              setFocus({ item, direction: 'down' });
            }}
          >
            ↓
          </button>
        </li>
      ))}
    </ol>
  );
}

/** "Response A" → "response A", for use inside a sentence. */
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
