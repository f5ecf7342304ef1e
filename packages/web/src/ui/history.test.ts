import { describe, expect, it } from 'vitest';
import { record, redo, startHistory, undo } from './history';

describe('history', () => {
  it('undoes and redoes, and a new step drops the redo branch', () => {
    let h = startHistory(0);
    h = record(h, 1);
    h = record(h, 2);
    h = undo(h);
    expect(h.present).toBe(1);
    h = redo(h);
    expect(h.present).toBe(2);
    h = undo(undo(h));
    expect(h.present).toBe(0);
    expect(undo(h)).toBe(h);
    h = record(h, 5);
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
  });
});
