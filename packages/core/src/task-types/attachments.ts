import { z } from 'zod';

/** Longest attachment URL accepted; presigned cloud URLs run to a few thousand characters. */
export const MAX_URL_LENGTH = 8192;

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** An absolute `http://` or `https://` URL with a host. */
export function isHttpUrl(value: string): boolean {
  const url = parseUrl(value);
  return (
    url !== undefined &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== ''
  );
}

/** What Scale accepts as a fetchable attachment: http(s), or a file uploaded to it (`scaledata://`). */
export function isAttachmentUrl(value: string): boolean {
  if (isHttpUrl(value)) return true;
  return /^scaledata:\/\/\S+$/.test(value);
}

/** A deliberately loose address check: one `@`, no spaces, a dot in the domain. */
export function isEmailAddress(value: string): boolean {
  return /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(value);
}

/** Longest inline text (a `text` attachment, an NER document). */
export const MAX_TEXT_ATTACHMENT_LENGTH = 1_000_000;

export const ATTACHMENT_URL_MESSAGE = 'must be an http(s) URL or a scaledata:// reference';

/** The URL of a file a task shows (image, video, page…). */
export const AttachmentUrl = z
  .string()
  .min(1)
  .max(MAX_URL_LENGTH)
  .refine(isAttachmentUrl, { error: ATTACHMENT_URL_MESSAGE });

/** Media kinds Scale's categorization, comparison and text-collection attachments take. */
export const MEDIA_TYPES = ['text', 'image', 'video', 'audio', 'website', 'pdf'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];
