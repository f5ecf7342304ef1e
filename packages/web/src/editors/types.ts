import { createContext, useContext, useEffect } from 'react';
import { useShortcuts, type Shortcut } from '../ui/keys';

/** The task as an assignment shows it. */
export interface ClaimedTask {
  id: string;
  type: string;
  project: string;
  instruction: string | null;
  params: Record<string, unknown>;
  attachments: Array<{ type: string; content: string }>;
}

export type Json = Record<string, unknown>;

/** What every editor gets: the task, a starting response (pre-labels, a review's consensus). */
export interface EditorProps {
  task: ClaimedTask;
  initial: Json | undefined;
  /**
   * The response to submit; `complete`, when given, is the response as the server will complete
   * it (a live chat's recorded conversation is filled in by the server), and is what is checked
   * before submitting.
   */
  onChange: (response: Json, complete?: Json) => void;
  /** The assignment the task is shown for: its id (for live work such as chat) and stage. */
  assignment?: { id: string; stage: string } | undefined;
  /** Reviews: the attempts, shown beside (or, for images, over) the consensus being edited. */
  overlays?: Array<{ name: string; response: Json }> | undefined;
}

/** Where editors announce their shortcuts, so the help overlay lists them. */
export const ShortcutRegistry = createContext<(owner: string, shortcuts: Shortcut[]) => void>(
  () => undefined,
);

/** Binds an editor's shortcuts and lists them in the help overlay. */
export function useEditorShortcuts(owner: string, shortcuts: Shortcut[]) {
  useShortcuts(shortcuts);
  const register = useContext(ShortcutRegistry);
  const signature = shortcuts.map((s) => `${s.key}${s.mod}${s.shift}${s.description}`).join('|');
  useEffect(() => {
    register(owner, shortcuts);
    return () => register(owner, []);
  }, [owner, signature]);
}

/** Keys 1-9 then 0 pick the first ten options of a list. */
export const NUMBER_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
