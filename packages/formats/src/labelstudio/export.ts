import type { ImageAnnotation } from '@quorum/core';
import { FormatError } from '../errors';
import type { ImageSize } from '../geometry';
import type { LabelStudioConfig, LabelStudioControl } from './config';
import { SHAPE_GEOMETRY, isShapeKind, type ShapeKind } from './config-params';
import { boxToRectangle, pixelsToPercent, verticesToPoints } from './regions';
import {
  codePointsToUtf16,
  isObject,
  type LabelStudioResult,
  type LabelStudioTask,
} from './results';

/** A Quorum task as the Label Studio exporter takes it. */
export interface LabelStudioSourceTask {
  id?: string | number;
  /** The task's params (content, pre-labels in `hypothesis`). */
  params: Record<string, unknown>;
  /** The completed response, when there is one. */
  response?: Record<string, unknown> | undefined;
  /** The image's size, needed to write image regions in percent. */
  image?: ImageSize | undefined;
}

export interface LabelStudioExportOptions {
  /** The unit to write text offsets in (default code points, as Label Studio reads them now). */
  textOffsets?: 'codepoints' | 'utf16';
}

class ResultIds {
  #used = new Set<string>();
  #next = 0;
  claim(id: string | undefined): string {
    if (id !== undefined && !this.#used.has(id)) {
      this.#used.add(id);
      return id;
    }
    let fresh: string;
    do fresh = `r${++this.#next}`;
    while (this.#used.has(fresh));
    this.#used.add(fresh);
    return fresh;
  }
}

interface Context {
  config: LabelStudioConfig;
  ids: ResultIds;
  dropped: string[];
  image?: ImageSize | undefined;
  text?: string;
  options: LabelStudioExportOptions;
}

const toName = (context: Context) => context.config.object.name;

function attributeResults(
  context: Context,
  id: string,
  attributes: Record<string, unknown> | undefined,
  base: Pick<LabelStudioResult, 'original_width' | 'original_height' | 'image_rotation'>,
  geometry: Record<string, unknown>,
  owner: string,
): LabelStudioResult[] {
  const results: LabelStudioResult[] = [];
  const values = attributes ?? {};
  for (const name of Object.keys(values))
    if (!context.config.controls.some((control) => control.perRegion && control.name === name))
      context.dropped.push(`${owner}: attribute "${name}" has no perRegion control`);
  for (const control of context.config.controls) {
    if (!control.perRegion || !Object.hasOwn(values, control.name)) continue;
    const answer = values[control.name];
    const items = Array.isArray(answer) ? answer.map(String) : [String(answer)];
    results.push({
      id,
      from_name: control.name,
      to_name: toName(context),
      type: control.kind,
      ...base,
      value: { ...geometry, [control.kind === 'choices' ? 'choices' : 'text']: items },
    });
  }
  return results;
}

function shapeControl(
  context: Context,
  type: ImageAnnotation['type'],
): LabelStudioControl | undefined {
  return context.config.controls.find(
    (control) => isShapeKind(control.kind) && SHAPE_GEOMETRY[control.kind as ShapeKind] === type,
  );
}

function imageResults(context: Context, response: Record<string, unknown>): LabelStudioResult[] {
  const annotations = (response.annotations ?? []) as ImageAnnotation[];
  const results: LabelStudioResult[] = [];
  for (const [index, annotation] of annotations.entries()) {
    const owner = `annotation ${annotation.uuid ?? index}`;
    const control = shapeControl(context, annotation.type);
    if (!control) {
      context.dropped.push(
        `${owner}: a ${annotation.type} has no Label Studio control in this config`,
      );
      continue;
    }
    const size = context.image;
    if (!size)
      throw new FormatError(
        'Label Studio regions are in percent of the image: the image size is needed',
        {},
        'image',
      );
    const id = context.ids.claim(annotation.uuid);
    const base = {
      original_width: size.width,
      original_height: size.height,
      image_rotation: 0,
    };
    let geometry: Record<string, unknown>;
    if (annotation.type === 'box') geometry = { ...boxToRectangle(annotation, size) };
    else if (annotation.type === 'polygon')
      geometry = { points: verticesToPoints(annotation.vertices, size) };
    else if (annotation.type === 'point')
      geometry = {
        x: pixelsToPercent(annotation.x, size.width),
        y: pixelsToPercent(annotation.y, size.height),
      };
    else {
      context.dropped.push(`${owner}: a ${annotation.type} has no Label Studio form`);
      continue;
    }
    const labels = annotation.label === undefined ? [] : [annotation.label];
    results.push({
      id,
      from_name: control.name,
      to_name: toName(context),
      type: control.kind,
      ...base,
      value: { ...geometry, [control.kind]: labels },
    });
    results.push(...attributeResults(context, id, annotation.attributes, base, geometry, owner));
  }
  const globals = isObject(response.global_attributes) ? response.global_attributes : {};
  for (const [name, answer] of Object.entries(globals)) {
    const control = context.config.controls.find(
      (candidate) =>
        !candidate.perRegion && candidate.name === name && candidate.kind === 'choices',
    );
    if (!control) {
      context.dropped.push(`global attribute "${name}" has no Choices control`);
      continue;
    }
    results.push(choiceResult(context, control, answer));
  }
  return results;
}

function choiceResult(
  context: Context,
  control: LabelStudioControl,
  answer: unknown,
): LabelStudioResult {
  const items = (Array.isArray(answer) ? answer : [answer]).map(String);
  return {
    id: context.ids.claim(undefined),
    from_name: control.name,
    to_name: toName(context),
    type: control.kind,
    value: { [control.kind === 'choices' ? 'choices' : 'text']: items },
  };
}

function nerResults(context: Context, response: Record<string, unknown>): LabelStudioResult[] {
  const control = context.config.controls.find((candidate) => candidate.kind === 'labels')!;
  const text = context.text ?? '';
  const points = Array.from(text);
  const utf16 = context.options.textOffsets === 'utf16';
  const results: LabelStudioResult[] = [];
  const spans = (response.annotations ?? []) as Array<{
    id?: string;
    start: number;
    end: number;
    label: string;
    attributes?: Record<string, unknown>;
  }>;
  for (const [index, span] of spans.entries()) {
    const id = context.ids.claim(span.id);
    const geometry = {
      start: utf16 ? codePointsToUtf16(text, span.start) : span.start,
      end: utf16 ? codePointsToUtf16(text, span.end) : span.end,
      text: points.slice(span.start, span.end).join(''),
    };
    results.push({
      id,
      from_name: control.name,
      to_name: toName(context),
      type: 'labels',
      value: { ...geometry, labels: [span.label] },
    });
    results.push(
      ...attributeResults(context, id, span.attributes, {}, geometry, `span ${span.id ?? index}`),
    );
  }
  return results;
}

function answerResults(context: Context, response: Record<string, unknown>): LabelStudioResult[] {
  const { config } = context;
  let answers: Record<string, unknown>;
  if (config.type === 'textcollection')
    answers = isObject(response.annotations) ? response.annotations : {};
  else if (config.params.taxonomies !== undefined)
    answers = isObject(response.taxonomies) ? response.taxonomies : {};
  else
    answers =
      response.category === undefined ? {} : { [config.controls[0]!.name]: response.category };
  const results: LabelStudioResult[] = [];
  for (const [name, answer] of Object.entries(answers)) {
    const control = config.controls.find((candidate) => candidate.name === name);
    if (!control) context.dropped.push(`answer "${name}" has no control in this config`);
    else results.push(choiceResult(context, control, answer));
  }
  return results;
}

function resultsFor(context: Context, response: Record<string, unknown>): LabelStudioResult[] {
  switch (context.config.type) {
    case 'imageannotation':
      return imageResults(context, response);
    case 'namedentityrecognition':
      return nerResults(context, response);
    default:
      return answerResults(context, response);
  }
}

function contentOf(config: LabelStudioConfig, params: Record<string, unknown>): unknown {
  if (config.type === 'namedentityrecognition') return params.text;
  if (config.type === 'textcollection') {
    const attachments = params.attachments;
    return Array.isArray(attachments) && isObject(attachments[0])
      ? attachments[0].content
      : undefined;
  }
  return params.attachment;
}

/**
 * A Quorum task as a Label Studio task under `config` (parsed from the project's labeling config,
 * or one written by `labelStudioConfigXml`): the content in `data`, the response as the task's
 * annotation, the pre-labels (`hypothesis`) as its prediction. Boxes, polygons and points are
 * written in percent of `image`; uuids and span ids become result ids (per-region answers share
 * their region's id). What the config has no control for is listed in `dropped`.
 */
export function toLabelStudioTask(
  task: LabelStudioSourceTask,
  config: LabelStudioConfig,
  options: LabelStudioExportOptions = {},
): { task: LabelStudioTask; dropped: string[] } {
  const content = contentOf(config, task.params);
  if (typeof content !== 'string')
    throw new FormatError(
      `the task's params have no ${config.object.tag === 'Image' ? 'attachment' : 'text'} for a ${config.type} config`,
      {},
      'params',
    );
  const dropped: string[] = [];
  const convert = (response: Record<string, unknown>) =>
    resultsFor(
      { config, ids: new ResultIds(), dropped, image: task.image, text: content, options },
      response,
    );
  const out: LabelStudioTask = {
    ...(task.id !== undefined ? { id: task.id } : {}),
    data: { [config.object.dataKey]: content },
  };
  if (task.response) out.annotations = [{ result: convert(task.response) }];
  const hypothesis = task.params.hypothesis;
  if (isObject(hypothesis)) out.predictions = [{ result: convert(hypothesis) }];
  return { task: out, dropped };
}
