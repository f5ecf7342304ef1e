import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { DomainError, isInlineMediaType, notFound, sniffMediaType, type Scope } from '@quorum/core';
import type { AssetStore } from '../assets/store';
import type { Executor } from '../db/executor';
import type { FileRow } from '../db/schema';
import { newId } from '../ids';
import { findFile, findFileByReference, insertFile } from '../repositories/files';
import { findProjectByName } from '../repositories/projects';

/** The optional fields of an upload or import. */
export interface FileFields {
  projectName?: string;
  displayName?: string;
  referenceId?: string;
  metadata?: Record<string, unknown>;
}

/** Bytes already in the asset store, not yet recorded. */
export interface StoredAsset {
  id: string;
  storageKey: string;
  size: number;
  sha256: string;
  contentType: string;
}

const SNIFF_BYTES = 512;

/**
 * Streams bytes into the asset store while hashing them and keeping the first bytes to decide
 * the served type. Nothing is buffered beyond that window.
 */
export async function storeAsset(
  assets: AssetStore,
  scope: Scope,
  body: Readable,
  now: Date,
): Promise<StoredAsset> {
  const id = newId(now);
  const storageKey = `${scope.organizationId}/${scope.livemode ? 'live' : 'test'}/${id}`;
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      if (head.length < SNIFF_BYTES)
        head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      callback(null, chunk);
    },
  });
  // `on`, not `once`: a source that errors twice must not crash the process the second time.
  body.on('error', (error) => meter.destroy(error));
  await assets.put(storageKey, body.pipe(meter), { contentType: 'application/octet-stream' });
  return { id, storageKey, size, sha256: hash.digest('hex'), contentType: sniffMediaType(head) };
}

/**
 * Refuses a reused reference_id or an unknown project before any bytes are fetched or stored;
 * recordFile checks both again in its transaction.
 */
export async function assertFileFieldsUsable(db: Executor, scope: Scope, fields: FileFields) {
  if (fields.referenceId && (await findFileByReference(db, scope, fields.referenceId)))
    throw duplicateReference(fields.referenceId);
  if (fields.projectName) await assertProjectExists(db, scope, fields.projectName);
}

async function assertProjectExists(db: Executor, scope: Scope, projectName: string) {
  if (!(await findProjectByName(db, scope, projectName)))
    throw new DomainError('not_found', `Project "${projectName}" was not found`, 'project_name');
}

/** The name an imported file is served under: the last path segment of the URL that answered. */
export function filenameFromUrl(url: string): string {
  let segment: string;
  try {
    segment = new URL(url).pathname.split('/').pop() ?? '';
  } catch {
    return 'file';
  }
  try {
    segment = decodeURIComponent(segment);
  } catch {
    // Malformed percent-encoding (`%E0%A4%A`): keep the segment as it was written.
  }
  return segment || 'file';
}

function duplicateReference(referenceId: string) {
  return new DomainError(
    'conflict',
    `A file with reference_id "${referenceId}" already exists`,
    'reference_id',
  );
}

/** Records a stored asset as a file; the caller deletes the asset if this throws. */
export async function recordFile(
  db: Executor,
  scope: Scope,
  asset: StoredAsset,
  filename: string,
  fields: FileFields,
  now: Date,
): Promise<FileRow> {
  if (fields.projectName) await assertProjectExists(db, scope, fields.projectName);
  const row = await insertFile(db, scope, {
    id: asset.id,
    storageKey: asset.storageKey,
    filename: filename.slice(0, 255) || 'file',
    contentType: asset.contentType,
    size: asset.size,
    sha256: asset.sha256,
    projectName: fields.projectName ?? null,
    displayName: fields.displayName ?? null,
    referenceId: fields.referenceId ?? null,
    metadata: fields.metadata ?? {},
    now,
  });
  if (!row) throw duplicateReference(fields.referenceId ?? '');
  return row;
}

export async function requireFile(db: Executor, scope: Scope, id: string): Promise<FileRow> {
  const file = await findFile(db, scope, id);
  if (!file) throw notFound('File', id);
  return file;
}

/** Response headers for serving a stored file: our type, never sniffed, never run. */
export function contentHeaders(file: FileRow): Record<string, string> {
  const disposition = isInlineMediaType(file.content_type) ? 'inline' : 'attachment';
  return {
    'content-type': file.content_type,
    'content-length': String(file.size),
    'content-disposition': `${disposition}; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
    'content-security-policy': "default-src 'none'; sandbox",
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, max-age=0',
  };
}
