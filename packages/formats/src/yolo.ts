import type { ImageAnnotation } from '@quorum/core';
import { FormatError } from './errors';
import {
  axisAlignedBox,
  decimalsOf,
  requireSize,
  roundTo,
  scaleExactly,
  type ImageSize,
  type ImageTaskRecord,
  type Vertex,
} from './geometry';

export interface YoloExportOptions {
  /** Class names; a label's class index is its position here. */
  classes: readonly string[];
  /** Decimals of the normalised coordinates (default 6). */
  precision?: number;
}

function fraction(value: number, precision: number): string {
  const text = value.toFixed(precision);
  const trimmed = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return trimmed === '-0' ? '0' : trimmed;
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));

/**
 * The YOLO label file of one image: `class cx cy w h` for boxes, `class x1 y1 x2 y2 …` for
 * polygons (YOLO segmentation), all normalised to the image size and clipped to it (trainers
 * refuse coordinates outside 0–1). Rotated boxes are written as the axis-aligned box around
 * them. Points, lines and ellipses have no YOLO detect/segment form and are counted in `skipped`.
 */
export function yoloLabelFile(
  record: ImageTaskRecord,
  options: YoloExportOptions,
): { text: string; skipped: Record<string, number> } {
  const { width, height } = requireSize(record, 'YOLO');
  const precision = options.precision ?? 6;
  const skipped: Record<string, number> = {};
  const lines: string[] = [];
  const x = (value: number) => fraction(clamp(value / width), precision);
  const y = (value: number) => fraction(clamp(value / height), precision);
  for (const annotation of record.annotations) {
    if (annotation.type !== 'box' && annotation.type !== 'polygon') {
      skipped[annotation.type] = (skipped[annotation.type] ?? 0) + 1;
      continue;
    }
    const index = annotation.label === undefined ? -1 : options.classes.indexOf(annotation.label);
    if (index < 0)
      throw new FormatError(
        `task ${record.taskId}: ${annotation.label === undefined ? 'an unlabelled shape' : JSON.stringify(annotation.label)} is not one of the YOLO classes`,
        {},
        'classes',
      );
    if (annotation.type === 'box') {
      const box = axisAlignedBox(annotation);
      const left = Math.max(0, box.left);
      const top = Math.max(0, box.top);
      const right = Math.min(width, box.left + box.width);
      const bottom = Math.min(height, box.top + box.height);
      const w = Math.max(0, right - left);
      const h = Math.max(0, bottom - top);
      lines.push(`${index} ${x(left + w / 2)} ${y(top + h / 2)} ${x(w)} ${y(h)}`);
    } else {
      lines.push(`${index} ${annotation.vertices.map((v) => `${x(v.x)} ${y(v.y)}`).join(' ')}`);
    }
  }
  return { text: lines.map((line) => `${line}\n`).join(''), skipped };
}

/** The label file's name for an image file: same path, `.txt` instead of its extension. */
export function yoloLabelFileName(imageFileName: string): string {
  const dot = imageFileName.lastIndexOf('.');
  const slash = imageFileName.lastIndexOf('/');
  return `${dot > slash + 1 ? imageFileName.slice(0, dot) : imageFileName}.txt`;
}

/** `classes.txt`: one class name per line. */
export function yoloClassesTxt(classes: readonly string[]): string {
  for (const name of classes)
    if (/[\r\n]/.test(name) || name.trim() === '')
      throw new FormatError(
        `class ${JSON.stringify(name)} cannot be a line of classes.txt`,
        {},
        'classes',
      );
  return classes.map((name) => `${name}\n`).join('');
}

/** Reads `classes.txt`: one name per line, blank lines ignored. */
export function parseYoloClasses(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Turns a YOLO label file into pre-labels in pixels of `size`: five numbers make a box, more (an
 * even count of coordinates, three points at least) a polygon. Pixels keep the precision the file
 * had (0.123456 of 640 px is 79.01184 px, not 79.01184000000001).
 */
export function parseYoloLabels(
  text: string,
  options: ImageSize & { classes: readonly string[]; file?: string },
): { annotations: ImageAnnotation[] } {
  const { width, height, classes, file } = options;
  const annotations: ImageAnnotation[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const fields = raw.trim().split(/\s+/);
    if (raw.trim() === '') return;
    const fail = (message: string) => new FormatError(message, { file, line });
    const classIndex = Number(fields[0]);
    if (!Number.isInteger(classIndex) || classIndex < 0)
      throw fail(`${JSON.stringify(fields[0])} is not a class number`);
    const label = classes[classIndex];
    if (label === undefined)
      throw fail(`class ${classIndex} is not listed (${classes.length} classes)`);
    const numbers = fields.slice(1).map(Number);
    if (numbers.some((value) => !Number.isFinite(value))) throw fail('coordinates must be numbers');
    if (numbers.length === 4) {
      const [cx, cy, w, h] = numbers as [number, number, number, number];
      if (w < 0 || h < 0) throw fail('a box cannot have a negative width or height');
      const left = roundTo(
        (cx - w / 2) * width,
        Math.max(decimalsOf(cx), decimalsOf(w) + 1) + decimalsOf(width),
      );
      const top = roundTo(
        (cy - h / 2) * height,
        Math.max(decimalsOf(cy), decimalsOf(h) + 1) + decimalsOf(height),
      );
      annotations.push({
        type: 'box',
        label,
        left,
        top,
        width: scaleExactly(w, width),
        height: scaleExactly(h, height),
      });
    } else if (numbers.length >= 6 && numbers.length % 2 === 0) {
      const vertices: Vertex[] = [];
      for (let at = 0; at < numbers.length; at += 2)
        vertices.push({
          x: scaleExactly(numbers[at]!, width),
          y: scaleExactly(numbers[at + 1]!, height),
        });
      annotations.push({ type: 'polygon', label, vertices });
    } else {
      throw fail(`has ${numbers.length} coordinates: a box has 4, a polygon an even number from 6`);
    }
  });
  return { annotations };
}
