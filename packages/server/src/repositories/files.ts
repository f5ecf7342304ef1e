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

/** Inserts the file row; undefined when its reference_id is already used. */
export async function insertFile(
  db: Executor,
  scope: Scope,
  file: NewFile,
): Promise<FileRow | undefined> {
  return db
    .insertInto('files')
    .values({
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
    })
    .onConflict((oc) =>
      oc
        .columns(['organization_id', 'livemode', 'reference_id'])
        .where('reference_id', 'is not', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
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
