import type { WorkerRow } from '../db/schema';

/**
 * Worker credentials this process has checked recently, so the work queue's requests do not each
 * look their token up again. An entry lives `CREDENTIAL_CACHE_MS` at most (and never past the
 * credential's own expiry); changing a worker or revoking a credential through this process
 * forgets the worker's entries at once, and other processes see the change within that time.
 */
const CREDENTIAL_CACHE_MS = 2000;
const MAX_ENTRIES = 10_000;

interface Entry {
  worker: WorkerRow;
  credentialId: string;
  /** When the entry is stale, in this process's monotonic milliseconds. */
  staleAt: number;
  /** When the credential itself expires (sessions), on the application clock. */
  expiresAt: Date | null;
}

const entries = new Map<string, Entry>();

/** The worker and credential behind a secret's hash, if checked recently and still valid. */
export function cachedCredential(
  secretHash: string,
  now: Date,
): { worker: WorkerRow; credentialId: string } | undefined {
  const entry = entries.get(secretHash);
  if (!entry) return undefined;
  if (entry.staleAt <= performance.now() || (entry.expiresAt && entry.expiresAt <= now)) {
    entries.delete(secretHash);
    return undefined;
  }
  return { worker: entry.worker, credentialId: entry.credentialId };
}

export function rememberCredential(
  secretHash: string,
  value: { worker: WorkerRow; credentialId: string; expiresAt: Date | null },
) {
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(secretHash, { ...value, staleAt: performance.now() + CREDENTIAL_CACHE_MS });
}

/** Forgets a worker's credentials (or everyone's): their next request looks them up again. */
export function forgetCredentials(workerId?: string) {
  if (workerId === undefined) return entries.clear();
  for (const [key, entry] of entries) if (entry.worker.id === workerId) entries.delete(key);
}
