import { useEffect, useRef, type ReactNode } from 'react';

/** A keyboard shortcut: `mod` is Ctrl (or ⌘ on a Mac). */
export interface Shortcut {
  key: string;
  mod?: boolean;
  shift?: boolean;
  description: string;
  run: () => void;
  /** Also while typing in a field (e.g. submit). */
  inFields?: boolean;
}

function isTyping(target: EventTarget | null) {
  const element = target as HTMLElement | null;
  if (!element) return false;
  return (
    element.tagName === 'INPUT' ||
    element.tagName === 'TEXTAREA' ||
    element.tagName === 'SELECT' ||
    element.isContentEditable
  );
}

/** Binds the shortcuts while the component is mounted; the latest handlers always run. */
export function useShortcuts(shortcuts: Shortcut[]) {
  const current = useRef(shortcuts);
  current.current = shortcuts;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // An open dialog has the keyboard: nothing behind it reacts.
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const mod = event.ctrlKey || event.metaKey;
      for (const shortcut of current.current) {
        if (event.key.toLowerCase() !== shortcut.key.toLowerCase()) continue;
        if (!!shortcut.mod !== mod) continue;
        if (shortcut.shift !== undefined && shortcut.shift !== event.shiftKey) continue;
        if (isTyping(event.target) && !shortcut.inFields) continue;
        event.preventDefault();
        shortcut.run();
        return;
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
}

/** How a shortcut is written in the help overlay. */
export function describeKey(shortcut: Pick<Shortcut, 'key' | 'mod' | 'shift'>): string {
  const name =
    shortcut.key === ' '
      ? 'Space'
      : shortcut.key.length === 1
        ? shortcut.key.toUpperCase()
        : shortcut.key;
  // A character that already needs Shift (`?`) is written as itself.
  const shift = shortcut.shift && !(shortcut.key.length === 1 && !/[a-z0-9]/i.test(shortcut.key));
  return [shortcut.mod ? 'Ctrl' : '', shift ? 'Shift' : '', name].filter(Boolean).join('+');
}

/**
 * A modal dialog: it takes the focus (its first control), Escape closes it, and the page's
 * shortcuts wait while it is open.
 */
export function Dialog(props: { label: string; onClose: () => void; children: ReactNode }) {
  const body = useRef<HTMLDivElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    body.current?.querySelector<HTMLElement>('button, [href], input, select, textarea')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      onClose.current();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label={props.label}>
      <div className="overlay-body" ref={body}>
        {props.children}
      </div>
    </div>
  );
}

/** The help overlay: every shortcut the current screen binds. */
export function ShortcutHelp(props: { shortcuts: Shortcut[]; onClose: () => void }) {
  return (
    <Dialog label="Keyboard shortcuts" onClose={props.onClose}>
      <h2>Keyboard shortcuts</h2>
      <table>
        <tbody>
          {props.shortcuts.map((shortcut) => (
            <tr key={describeKey(shortcut) + shortcut.description}>
              <td>
                <kbd>{describeKey(shortcut)}</kbd>
              </td>
              <td>{shortcut.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={props.onClose}>
        Close
      </button>
    </Dialog>
  );
}
