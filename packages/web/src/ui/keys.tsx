import { useEffect, useRef } from 'react';

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
  return [shortcut.mod ? 'Ctrl' : '', shortcut.shift ? 'Shift' : '', name]
    .filter(Boolean)
    .join('+');
}

/** The help overlay: every shortcut the current screen binds. */
export function ShortcutHelp(props: { shortcuts: Shortcut[]; onClose: () => void }) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
      <div className="overlay-body">
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
        <button type="button" onClick={props.onClose} autoFocus>
          Close
        </button>
      </div>
    </div>
  );
}
