import { useCallback, useState } from 'react';

/** Undo/redo over immutable values: past, present, future. */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
}

const LIMIT = 200;

export function startHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

export function record<T>(history: History<T>, next: T): History<T> {
  if (Object.is(next, history.present)) return history;
  return { past: [...history.past, history.present].slice(-LIMIT), present: next, future: [] };
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past[history.past.length - 1];
  if (previous === undefined) return history;
  return {
    past: history.past.slice(0, -1),
    present: previous,
    future: [history.present, ...history.future],
  };
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest };
}

/** A value with undo and redo; `set` records a step. */
export function useHistory<T>(initial: () => T) {
  const [history, setHistory] = useState(() => startHistory(initial()));
  return {
    value: history.present,
    set: useCallback((next: T | ((current: T) => T)) => {
      setHistory((current) =>
        record(current, typeof next === 'function' ? (next as (c: T) => T)(current.present) : next),
      );
    }, []),
    undo: useCallback(() => setHistory(undo), []),
    redo: useCallback(() => setHistory(redo), []),
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
  };
}
