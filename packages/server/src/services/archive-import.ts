import { Readable } from 'node:stream';
import { DomainError, sniffMediaType, type ArchiveImportResult, type Scope } from '@quorum/core';
import {
  FormatError,
  identifyDataset,
  inFile,
  openZip,
  readImageSize,
  type ArchiveDataset,
  type ImageSize,
  type ZipEntry,
  type ZipLimits,
} from '@quorum/formats';
import type { Kysely } from 'kysely';
import type { AssetStore } from '../assets/store';
import { inTransaction } from '../db/executor';
import type { Database, ProjectRow } from '../db/schema';
import { insertFiles } from '../repositories/files';
import { TaskWriter } from './bulk';
import type { Effects } from './effects';
import { storeAsset, type StoredAsset } from './files';
import { basename, planArchiveImages, type PlannedImage } from './archive-prelabels';
import { checkImportBatch } from './imports';
import { requireProject } from './settings';
import { prepareTask, type Placement } from './tasks';

/** What an archive import needs beyond the caller. */
export interface ArchiveImportDeps {
  db: Kysely<Database>;
  assets: AssetStore;
  effects: Effects;
  now: () => Date;
  /** Caps on the archive's entries (formats' openZip defaults otherwise). */
  limits?: ZipLimits;
}

export interface ArchiveImportOptions {
  /** The project's name or id. */
  project: string;
  batch?: string | undefined;
  /** Which results of a Label Studio file become pre-labels. */
  labels: 'predictions' | 'annotations' | 'none';
}

/** Names the archive in errors about the archive as a whole. */
const ARCHIVE = 'archive';

/** Files whose bytes are read when sorting an archive out: annotation and class files. */
const TEXT_EXTENSIONS = /\.(json|xml|txt|ya?ml|names)$/i;

/**
 * Imports a ZIP of images with their annotation file (COCO, YOLO, Pascal VOC or Label Studio,
 * found by `identifyDataset`): one imageannotation task per image, its annotations as pre-labels
 * (`hypothesis`), its size in `metadata.image_width` / `image_height`, the image stored as a
 * file like an upload. All or nothing: the archive is read and every task checked before any
 * byte is stored, and if storing or recording fails the stored bytes are deleted again.
 */
export async function importArchive(
  deps: ArchiveImportDeps,
  scope: Scope,
  bytes: Uint8Array,
  options: ArchiveImportOptions,
): Promise<ArchiveImportResult> {
  const { db, assets, now } = deps;
  const project = await requireProject(db, scope, options.project);
  if (project.type !== 'imageannotation')
    throw new DomainError(
      'invalid',
      `project: an archive of images makes imageannotation tasks; project "${project.name}" is for ${project.type} tasks`,
      'project',
    );
  await checkImportBatch(db, scope, project, options.batch);
  const { dataset, sizes } = readArchive(bytes, deps.limits);
  const planned = planArchiveImages(dataset, sizes, project, options);
  const placements = new Map<string, Placement>();
  // Every task is checked before anything is stored, with a stand-in for the file's URL.
  for (const image of planned) {
    try {
      await prepareTask(
        db,
        scope,
        'task',
        project.type,
        taskBody(image, 'scaledata://pending/file', project, options),
        now(),
        placements,
      );
    } catch (error) {
      throw inFile(error, { entry: image.path });
    }
  }
  const stored = await storeImages(assets, scope, bytes, planned, deps.limits, now());
  try {
    return await inTransaction(db, async (tx) => {
      const files = planned.map((image, index) => ({ image, asset: stored[index]! }));
      await insertFiles(
        tx,
        scope,
        files.map(({ image, asset }) => ({
          id: asset.id,
          storageKey: asset.storageKey,
          filename: basename(image.path).slice(0, 255) || 'image',
          contentType: asset.contentType,
          size: asset.size,
          sha256: asset.sha256,
          projectName: project.name,
          displayName: null,
          referenceId: null,
          metadata: { archive_path: image.path },
          now: now(),
        })),
      );
      const writer = new TaskWriter(tx, scope, { effects: deps.effects, now });
      const ids: string[] = [];
      for (const { image, asset } of files) {
        const attachment = `scaledata://${scope.organizationId}/${asset.id}`;
        const body = taskBody(image, attachment, project, options);
        const row = await prepareTask(tx, scope, 'task', project.type, body, now(), placements);
        await writer.add(row, 0);
        ids.push(row.id);
      }
      await writer.flush();
      return {
        created: ids.length,
        task_ids: ids,
        prelabeled: planned.filter((image) => image.hasPrelabels).length,
        formats: [...new Set(dataset.annotationFiles.map((file) => file.format))],
        ignored: dataset.ignored,
      };
    });
  } catch (error) {
    await deleteStored(assets, stored);
    throw error;
  }
}

function taskBody(
  image: PlannedImage,
  attachment: string,
  project: ProjectRow,
  options: ArchiveImportOptions,
): Record<string, unknown> {
  return {
    ...image.body,
    attachment,
    project: project.name,
    ...(options.batch !== undefined ? { batch: options.batch } : {}),
  };
}

/**
 * Reads every entry once (checking sizes, ratios and CRCs), keeping only what sorting the archive
 * out needs: the first bytes and size of each image, the whole of annotation and class files.
 */
function readArchive(
  bytes: Uint8Array,
  limits: ZipLimits | undefined,
): { dataset: ArchiveDataset; sizes: Map<string, ImageSize | undefined> } {
  const archive = openZip(bytes, limits, { file: ARCHIVE });
  const entries: ZipEntry[] = [];
  const sizes = new Map<string, ImageSize | undefined>();
  for (const entry of archive.entries) {
    const data = archive.read(entry);
    const head = data.slice(0, 64);
    if (sniffMediaType(head).startsWith('image/')) {
      sizes.set(entry.name, readImageSize(data));
      entries.push({ name: entry.name, data: head });
    } else {
      const isText = TEXT_EXTENSIONS.test(entry.name);
      entries.push({ name: entry.name, data: isText ? data : new Uint8Array(0) });
    }
  }
  const dataset = identifyDataset(entries);
  if (dataset.images.length === 0)
    throw new FormatError('has no images (PNG, JPEG, GIF, WebP, TIFF, HEIC, AVIF)', {
      file: ARCHIVE,
    });
  return { dataset, sizes };
}

/** Stores each image (a second, checked read of its entry); on a failure, deletes what it stored. */
async function storeImages(
  assets: AssetStore,
  scope: Scope,
  bytes: Uint8Array,
  planned: readonly PlannedImage[],
  limits: ZipLimits | undefined,
  now: Date,
): Promise<StoredAsset[]> {
  const archive = openZip(bytes, limits, { file: ARCHIVE });
  const entries = new Map(archive.entries.map((entry) => [entry.name, entry]));
  const stored: StoredAsset[] = [];
  try {
    for (const image of planned) {
      const data = archive.read(entries.get(image.path)!);
      const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      stored.push(await storeAsset(assets, scope, Readable.from([buffer]), now));
    }
  } catch (error) {
    await deleteStored(assets, stored);
    throw error;
  }
  return stored;
}

async function deleteStored(assets: AssetStore, stored: readonly StoredAsset[]): Promise<void> {
  for (const asset of stored) await assets.delete(asset.storageKey).catch(() => undefined);
}
