import type { ImageAnnotation } from '@quorum/core';
import { FormatError } from './errors';
import {
  axisAlignedBox,
  decimalsOf,
  recordFileName,
  requireSize,
  roundTo,
  type ImageTaskRecord,
} from './geometry';
import {
  childElement,
  childElements,
  escapeXmlText,
  parseXml,
  textContent,
  type XmlElement,
} from './xml';

export interface VocExportOptions {
  /** `<folder>` (default "images"). */
  folder?: string;
  /** Colour channels, `<depth>` (default 3). */
  depth?: number;
}

const tag = (name: string, value: string | number) =>
  `<${name}>${escapeXmlText(String(value))}</${name}>`;

function attributeXml(attributes: Record<string, unknown> | undefined, indent: string): string[] {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return [];
  return [
    `${indent}<attributes>`,
    ...entries.map(([name, value]) =>
      typeof value === 'string'
        ? `${indent}  <attribute>${tag('name', name)}${tag('value', value)}</attribute>`
        : `${indent}  <attribute>${tag('name', name)}<value json="true">${escapeXmlText(JSON.stringify(value))}</value></attribute>`,
    ),
    `${indent}</attributes>`,
  ];
}

/**
 * The Pascal VOC annotation XML of one image. Boxes become `<object>`s with `<bndbox>` in the
 * pixels Quorum stores (0-based, fractions kept; xmax = left + width); rotated boxes are written
 * as the axis-aligned box around them. Attributes go in CVAT's `<attributes>` form (non-text
 * values as JSON, marked `json="true"`). Other shapes have no VOC form and are counted.
 */
export function vocAnnotationXml(
  record: ImageTaskRecord,
  options: VocExportOptions = {},
): { text: string; skipped: Record<string, number> } {
  const { width, height } = requireSize(record, 'Pascal VOC');
  const skipped: Record<string, number> = {};
  const lines = [
    '<annotation>',
    `  ${tag('folder', options.folder ?? 'images')}`,
    `  ${tag('filename', recordFileName(record))}`,
    `  <source>${tag('database', 'Quorum')}</source>`,
    `  <size>${tag('width', width)}${tag('height', height)}${tag('depth', options.depth ?? 3)}</size>`,
    '  <segmented>0</segmented>',
  ];
  for (const annotation of record.annotations) {
    if (annotation.type !== 'box') {
      skipped[annotation.type] = (skipped[annotation.type] ?? 0) + 1;
      continue;
    }
    const box = axisAlignedBox(annotation);
    const xmax = roundTo(
      box.left + box.width,
      Math.max(decimalsOf(box.left), decimalsOf(box.width)),
    );
    const ymax = roundTo(
      box.top + box.height,
      Math.max(decimalsOf(box.top), decimalsOf(box.height)),
    );
    lines.push(
      '  <object>',
      `    ${tag('name', annotation.label ?? 'object')}`,
      '    <pose>Unspecified</pose>',
      '    <truncated>0</truncated>',
      '    <difficult>0</difficult>',
      `    <bndbox>${tag('xmin', box.left)}${tag('ymin', box.top)}${tag('xmax', xmax)}${tag('ymax', ymax)}</bndbox>`,
      ...attributeXml(annotation.attributes, '    '),
      '  </object>',
    );
  }
  lines.push('</annotation>');
  return { text: `${lines.join('\n')}\n`, skipped };
}

/** What a VOC annotation file says about its image, with its boxes as pre-labels. */
export interface VocImage {
  fileName: string;
  folder?: string;
  width?: number;
  height?: number;
  depth?: number;
  hypothesis: { annotations: ImageAnnotation[] };
}

/**
 * Reads a Pascal VOC annotation file with the safe XML reader (DOCTYPE and ENTITY declarations
 * are refused). Every `<object>` must have a `<name>` and a `<bndbox>` whose maxima are not below
 * its minima; the box is kept in the file's pixels. `labels`, when given, must include each name.
 */
export function parseVocXml(
  text: string,
  options: { file?: string; labels?: readonly string[] } = {},
): VocImage {
  const { file } = options;
  const root = parseXml(text, { file });
  const fail = (message: string, element: XmlElement) =>
    new FormatError(message, { file, line: element.line });
  if (root.name !== 'annotation')
    throw fail(`the root element is <${root.name}>, not <annotation>`, root);
  const text_ = (parent: XmlElement, name: string) => {
    const element = childElement(parent, name);
    return element ? textContent(element).trim() : undefined;
  };
  const number = (parent: XmlElement, name: string): number => {
    const raw = text_(parent, name);
    const value = raw === undefined || raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(value))
      throw fail(
        `<${name}> must be a number${raw === undefined ? '' : `, not ${JSON.stringify(raw)}`}`,
        childElement(parent, name) ?? parent,
      );
    return value;
  };
  const image: VocImage = {
    fileName: text_(root, 'filename') ?? '',
    hypothesis: { annotations: [] },
  };
  const folder = text_(root, 'folder');
  if (folder !== undefined) image.folder = folder;
  const size = childElement(root, 'size');
  if (size) {
    image.width = number(size, 'width');
    image.height = number(size, 'height');
    if (childElement(size, 'depth')) image.depth = number(size, 'depth');
  }
  for (const object of childElements(root, 'object')) {
    const label = text_(object, 'name');
    if (!label) throw fail('an <object> has no <name>', object);
    if (options.labels && !options.labels.includes(label))
      throw fail(`${JSON.stringify(label)} is not a label of the project`, object);
    const box = childElement(object, 'bndbox');
    if (!box) throw fail(`the ${JSON.stringify(label)} <object> has no <bndbox>`, object);
    const [xmin, ymin, xmax, ymax] = ['xmin', 'ymin', 'xmax', 'ymax'].map((name) =>
      number(box, name),
    ) as [number, number, number, number];
    if (xmax < xmin || ymax < ymin) throw fail('a <bndbox> has a maximum below its minimum', box);
    const decimals = (a: number, b: number) => Math.max(decimalsOf(a), decimalsOf(b));
    const annotation: ImageAnnotation = {
      type: 'box',
      label,
      left: xmin,
      top: ymin,
      width: roundTo(xmax - xmin, decimals(xmin, xmax)),
      height: roundTo(ymax - ymin, decimals(ymin, ymax)),
    };
    const attributes = readAttributes(object, fail);
    if (attributes) annotation.attributes = attributes;
    image.hypothesis.annotations.push(annotation);
  }
  return image;
}

function readAttributes(
  object: XmlElement,
  fail: (message: string, element: XmlElement) => FormatError,
): Record<string, unknown> | undefined {
  const container = childElement(object, 'attributes');
  if (!container) return undefined;
  const attributes: Record<string, unknown> = {};
  for (const attribute of childElements(container, 'attribute')) {
    const name = childElement(attribute, 'name');
    const value = childElement(attribute, 'value');
    if (!name || !value) throw fail('an <attribute> needs a <name> and a <value>', attribute);
    const raw = textContent(value);
    let parsed: unknown = raw;
    if (value.attributes.json === 'true') {
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw fail(
          `the value of attribute ${JSON.stringify(textContent(name))} is not JSON`,
          value,
        );
      }
    }
    Object.defineProperty(attributes, textContent(name).trim(), {
      value: parsed,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return attributes;
}
