import type { Scope } from '@quorum/core';
import { readImageSize, type ImageSize } from '@quorum/formats';
import type { AssetStore } from '../assets/store';
import type { Executor } from '../db/executor';
import { listFilesByIds } from '../repositories/files';
import { attachmentFileName, safeFileName } from './export-support';

/** What the image exports need to look at stored files. */
export interface StoredImages {
  assets: AssetStore;
  /** The server's public URL, whose `/v1/files/{id}/content` links are stored files too. */
  publicUrl: string;
}

/** An image as an export writes it: its size when known, and the name the attachment suggests. */
export interface ImageFacts {
  size: ImageSize | undefined;
  fileName: string;
}

/** Bytes read at most to find a header: JPEG's size follows its EXIF block, often 10–64 KiB. */
const HEADER_BYTES = 256 * 1024;
const READS_AT_ONCE = 8;

/** A positive whole number from metadata text (`"1280"`), else undefined. */
function dimension(text: string | null): number | undefined {
  if (text === null) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The id of a file stored on the platform that `attachment` names, if it names one of ours. */
export function storedFileId(
  attachment: string,
  scope: Scope,
  publicUrl: string,
): string | undefined {
  const scaledata = /^scaledata:\/\/([^/]+)\/([^/?#]+)$/.exec(attachment);
  if (scaledata) return scaledata[1] === scope.organizationId ? scaledata[2] : undefined;
  const prefix = `${publicUrl}/v1/files/`;
  if (!attachment.startsWith(prefix)) return undefined;
  return /^([^/?#]+)\/content$/.exec(attachment.slice(prefix.length))?.[1];
}

async function headerSize(assets: AssetStore, key: string): Promise<ImageSize | undefined> {
  let stored: Awaited<ReturnType<AssetStore['get']>>;
  try {
    stored = await assets.get(key);
  } catch {
    return undefined; // reported as a task without an image size
  }
  if (!stored) return undefined;
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stored.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      const size = readImageSize(chunks.length === 1 ? chunk : Buffer.concat(chunks));
      if (size || length >= HEADER_BYTES) return size;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    stored.body.destroy();
  }
}

/**
 * Each row's image size and file name. The size is `metadata.image_width` × `image_height` when
 * both are positive whole numbers; otherwise, for a file stored on the platform (`scaledata://`
 * or this server's `/v1/files/{id}/content`), the size its header gives (PNG, JPEG, GIF, WebP;
 * at most 256 KiB read, eight files at a time); otherwise unknown. Stored files are named by
 * their upload name, other attachments by their URL's last segment.
 */
export async function imageFactsOf(
  db: Executor,
  scope: Scope,
  stored: StoredImages,
  rows: ReadonlyArray<{ attachment: string | null; width: string | null; height: string | null }>,
): Promise<ImageFacts[]> {
  const fileIds = rows.map((row) =>
    row.attachment === null ? undefined : storedFileId(row.attachment, scope, stored.publicUrl),
  );
  const wanted = [...new Set(fileIds.filter((id) => id !== undefined))];
  const files = new Map(
    (await listFilesByIds(db, scope, wanted)).map((file) => [file.id, file] as const),
  );
  const facts: ImageFacts[] = rows.map((row, index) => {
    const file = files.get(fileIds[index] ?? '');
    const width = dimension(row.width);
    const height = dimension(row.height);
    return {
      size: width !== undefined && height !== undefined ? { width, height } : undefined,
      fileName: file ? safeFileName(file.filename) : attachmentFileName(row.attachment ?? ''),
    };
  });
  const toRead = facts.flatMap((fact, index) => {
    const file = files.get(fileIds[index] ?? '');
    return !fact.size && file?.content_type.startsWith('image/')
      ? [{ fact, key: file.storage_key }]
      : [];
  });
  for (let at = 0; at < toRead.length; at += READS_AT_ONCE)
    await Promise.all(
      toRead.slice(at, at + READS_AT_ONCE).map(async ({ fact, key }) => {
        fact.size = await headerSize(stored.assets, key);
      }),
    );
  return facts;
}
