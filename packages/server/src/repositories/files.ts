import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { FileRow } from '../db/schema';
import { tenant } from './tenant';

export interface NewFile {
  id: string;
  storageKey: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  projectName: string | null;
  displayName: string | null;
  referenceId: string | null;
  metadata: Record<string, unknown>;
  now: Date;
}

function fileValues(scope: Scope, file: NewFile) {
  return {
    ...tenant(scope),
    id: file.id,
    storage_key: file.storageKey,
    filename: file.filename,
    content_type: file.contentType,
    size: file.size,
    sha256: file.sha256,
    project_name: file.projectName,
    display_name: file.displayName,
    reference_id: file.referenceId,
    metadata: JSON.stringify(file.metadata),
    created_at: file.now,
  };
}

/** Inserts the file row; undefined when its reference_id is already used. */
export async function insertFile(
  db: Executor,
  scope: Scope,
  file: NewFile,
): Promise<FileRow | undefined> {
  return db
    .insertInto('files')
    .values(fileValues(scope, file))
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'livemode', 'reference_id'])
        .where('reference_id', 'is not', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Inserts many file rows in one statement per thousand (files without a reference_id). */
export async function insertFiles(db: Executor, scope: Scope, files: NewFile[]): Promise<void> {
  for (let at = 0; at < files.length; at += 1000) {
    await db
      .insertInto('files')
      .values(files.slice(at, at + 1000).map((file) => fileValues(scope, file)))
      .execute();
  }
}

export async function findFile(db: Executor, scope: Scope, id: string) {
  return db
    .selectFrom('files')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findFileByReference(db: Executor, scope: Scope, referenceId: string) {
  return db
    .selectFrom('files')
    .select('id')
    .where((eb) => eb.and(tenant(scope)))
    .where('reference_id', '=', referenceId)
    .executeTakeFirst();
}

/** The stored files among `ids` (exports read an image's size from its header). */
export async function listFilesByIds(db: Executor, scope: Scope, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('files')
    .select(['id', 'storage_key', 'filename', 'content_type'])
    .where((eb) => eb.and(tenant(scope)))
    .where('id', 'in', [...ids])
    .execute();
}
