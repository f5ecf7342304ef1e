import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './csv';

/*
 * Where a download is written: beside its target under a hidden name, renamed into place only
 * once complete, so nobody mistakes half an export for a whole one and a failed or interrupted
 * run leaves nothing behind.
 */

export interface Destination {
  /** The final path. */
  path: string;
  /** Where the bytes go meanwhile (a file, or a folder for extracted archives). */
  staging: string;
  /** Creates the staging folder (a file is created by its writer). */
  prepare(): Promise<void>;
  /** Moves the staged file or folder into place. */
  commit(): Promise<void>;
  /** Removes what was staged (after a failure). */
  discard(): Promise<void>;
}

function stagingPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
}

async function checkParent(path: string, flag: string): Promise<void> {
  const parent = dirname(path);
  const info = await stat(parent).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`${flag}: the folder "${parent}" does not exist`);
}

/** A file to be written whole; an existing file at `path` is replaced when done. */
export async function fileDestination(path: string, flag = '--out'): Promise<Destination> {
  const target = resolve(path);
  await checkParent(target, flag);
  if ((await stat(target).catch(() => undefined))?.isDirectory())
    throw new InputError(`${flag}: "${path}" is a folder; give a file name`);
  const staging = stagingPath(target);
  return {
    path: target,
    staging,
    prepare: async () => undefined,
    commit: () => rename(staging, target),
    discard: () => rm(staging, { force: true }),
  };
}

/** A folder to be filled; `path` must not exist yet, or be an empty folder. */
export async function folderDestination(path: string, flag = '--out'): Promise<Destination> {
  const target = resolve(path);
  await checkParent(target, flag);
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isDirectory())
    throw new InputError(`${flag}: "${path}" is a file; this format is a folder of files`);
  if (existing && (await readdir(target)).length > 0)
    throw new InputError(`${flag}: the folder "${path}" is not empty; give a new or empty folder`);
  const staging = stagingPath(target);
  return {
    path: target,
    staging,
    prepare: async () => void (await mkdir(staging)),
    async commit() {
      // An empty folder given as --out is replaced by the filled one.
      if (existing) await rmdir(target);
      await rename(staging, target);
    },
    discard: () => rm(staging, { recursive: true, force: true }),
  };
}

/**
 * Runs `work` with `destination` staged: commits it when `work` succeeds, discards it when it
 * throws or when the user interrupts (Ctrl-C, SIGTERM), then exits 130 as shells expect.
 */
export async function writeStaged<T>(
  destination: Destination,
  work: (staging: string) => Promise<T>,
): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => {
    // Synchronous: the process is about to exit.
    if (statSync(destination.staging, { throwIfNoEntry: false }))
      rmSync(destination.staging, { recursive: true, force: true });
    process.stderr.write('\n');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await destination.prepare();
    const result = await work(destination.staging);
    await destination.commit();
    return result;
  } catch (error) {
    await destination.discard().catch(() => undefined);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
