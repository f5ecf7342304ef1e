import { FormatError, type FormatLocation } from '../errors';
import type { ImageSize } from '../geometry';

/** One item of an annotation's `result` (or a prediction's), as Label Studio writes it. */
export interface LabelStudioResult {
  id?: string;
  from_name: string;
  to_name: string;
  type: string;
  value: Record<string, unknown>;
  original_width?: number;
  original_height?: number;
  image_rotation?: number;
}

/** A Label Studio task: its data, people's annotations and models' predictions. */
export interface LabelStudioTask {
  id?: string | number;
  data: Record<string, unknown>;
  annotations?: Array<{
    id?: string | number;
    result: LabelStudioResult[];
    was_cancelled?: boolean;
  }>;
  predictions?: Array<{ result: LabelStudioResult[]; model_version?: string; score?: number }>;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the outline of a task and its results, naming what is wrong. */
export function checkTask(value: unknown, location: FormatLocation): LabelStudioTask {
  const fail = (message: string) => new FormatError(message, location, 'task');
  if (!isObject(value)) throw fail('a Label Studio task must be a JSON object');
  if (!isObject(value.data)) throw fail('a Label Studio task needs a "data" object');
  for (const key of ['annotations', 'predictions'] as const) {
    const list = value[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw fail(`"${key}" must be an array`);
    list.forEach((item: unknown, index) => {
      if (!isObject(item) || !Array.isArray(item.result))
        throw fail(`${key}.${index} needs a "result" array`);
      item.result.forEach((result: unknown, at) => {
        const path = `${key}.${index}.result.${at}`;
        if (!isObject(result)) throw fail(`${path} must be an object`);
        for (const field of ['from_name', 'to_name', 'type'])
          if (typeof result[field] !== 'string') throw fail(`${path} needs a "${field}" string`);
        if (!isObject(result.value)) throw fail(`${path} needs a "value" object`);
        if (result.id !== undefined && typeof result.id !== 'string')
          throw fail(`${path}.id must be a string`);
      });
    });
  }
  return value as unknown as LabelStudioTask;
}

/** The image size a result was drawn on, else the one given, else an error naming the result. */
export function resultSize(
  result: LabelStudioResult,
  fallback: ImageSize | undefined,
  fail: (message: string) => FormatError,
): ImageSize {
  if ((result.image_rotation ?? 0) !== 0)
    throw fail(
      `result ${result.id ?? ''} was drawn on a rotated image (image_rotation ${result.image_rotation}), which Quorum cannot place`,
    );
  const { original_width: width, original_height: height } = result;
  if (typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0)
    return { width, height };
  if (fallback) return fallback;
  throw fail(
    `result ${result.id ?? ''} has no original_width/original_height; pass the image size`,
  );
}

/** A finite number at `value[key]`, or an error naming the result. */
export function numberAt(
  value: Record<string, unknown>,
  key: string,
  fail: (message: string) => FormatError,
  id: string,
): number {
  const number = value[key];
  if (typeof number !== 'number' || !Number.isFinite(number))
    throw fail(`result ${id}: value.${key} must be a number`);
  return number;
}

/** UTF-16 index → code point index in `text`, refusing an index inside a surrogate pair. */
export function utf16ToCodePoints(text: string, index: number, fail: () => FormatError): number {
  if (index > text.length) throw fail();
  let points = 0;
  for (let at = 0; at < index; at++) {
    const code = text.charCodeAt(at);
    if (
      code >= 0xd800 &&
      code <= 0xdbff &&
      at + 1 < text.length &&
      (text.charCodeAt(at + 1) & 0xfc00) === 0xdc00
    ) {
      if (at + 1 === index) throw fail();
      at++;
    }
    points++;
  }
  return points;
}

/** Code point index → UTF-16 index in `text`. */
export function codePointsToUtf16(text: string, points: number): number {
  let index = 0;
  for (let seen = 0; seen < points && index < text.length; seen++) {
    const code = text.charCodeAt(index);
    index +=
      code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return index;
}
