import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '@quorum/core';

export interface DirectoryLock {
  release(): void;
}

const LOCK_FILE = 'quorum.lock';

/**
 * Claims the embedded database directory for this process.
 *
 * PGlite is one Postgres session in this process's memory: a second process opening the same
 * files would corrupt them, so it is refused with an error that says what to do instead.
 */
export function acquireDirectoryLock(directory: string): DirectoryLock {
  const path = join(directory, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new DomainError(
          'conflict',
          `The embedded database in ${directory} is in use by process ${holder}. ` +
            'PGlite allows one process at a time: stop that process, or run every server against ' +
            'a shared PostgreSQL server with DATABASE_URL.',
        );
      }
      // The holder died without cleaning up: the lock is stale.
      unlinkSync(path);
    }
  }
  throw new DomainError('conflict', `Could not lock the embedded database in ${directory}.`);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
