import { createContext, useContext } from 'react';

export interface SessionWorker {
  id: string;
  email: string;
  name: string;
  roles: string[];
  password_change_required: boolean;
}

export interface Session {
  worker: SessionWorker;
  csrfToken: string | null;
}

export const SessionContext = createContext<{
  session: Session;
  signOut: () => Promise<void>;
  refresh: (session: Session) => void;
} | null>(null);

export function useSession() {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}

const RANK: Record<string, number> = { annotator: 1, reviewer: 2, manager: 3, admin: 4, owner: 5 };

/** Whether the worker holds the role or a higher one. */
export function hasRole(worker: SessionWorker, role: keyof typeof RANK) {
  return worker.roles.some((held) => (RANK[held] ?? 0) >= RANK[role]!);
}
