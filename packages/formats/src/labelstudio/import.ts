import { parseCreateTaskBody, parseTaskResponse, type ImageAnnotation } from '@quorum/core';
import { FormatError, inFile, type FormatLocation } from '../errors';
import type { ImageSize } from '../geometry';
import type { LabelStudioConfig, LabelStudioControl } from './config';
import { isShapeKind } from './config-params';
import { pointsToVertices, rectangleToBox, percentToPixels } from './regions';
import {
  checkTask,
  numberAt,
  resultSize,
  utf16ToCodePoints,
  type LabelStudioResult,
  type LabelStudioTask,
} from './results';

export interface LabelStudioImportOptions extends FormatLocation {
  /**
   * Which results become the pre-labels: the first annotation not cancelled, else the first
   * prediction (`auto`, the default), or only annotations, or only predictions.
   */
  source?: 'auto' | 'annotations' | 'predictions';
  /** The image size, for results without original_width/original_height. */
  imageSize?: ImageSize;
  /**
   * The unit of text offsets in the file: code points (what Label Studio stores since it fixed
   * emoji offsets, and Python's unit) or UTF-16 units (older exports). Default code points.
   */
  textOffsets?: 'codepoints' | 'utf16';
  /** Check the body (and response) with core's rules (default true). */
  validate?: boolean;
}

/** A Label Studio task as Quorum would create it. */
export interface LabelStudioImport {
  type: LabelStudioConfig['type'];
  /** A create-task body: the config's params, the content, and the pre-labels as `hypothesis` for types that take them. */
  body: Record<string, unknown>;
  /** The chosen results in Quorum's response shape; undefined when the task had none. */
  response?: Record<string, unknown>;
  /** The image size the results were drawn on. */
  image?: ImageSize;
}

type Fail = (message: string) => FormatError;

function chooseResults(
  task: LabelStudioTask,
  source: LabelStudioImportOptions['source'],
): LabelStudioResult[] | undefined {
  const annotation = (task.annotations ?? []).find((item) => !item.was_cancelled);
  const prediction = task.predictions?.[0];
  if (source === 'annotations') return annotation?.result;
  if (source === 'predictions') return prediction?.result;
  return annotation?.result ?? prediction?.result;
}

function labelOf(result: LabelStudioResult, key: string, fail: Fail): string | undefined {
  const labels = result.value[key];
  if (!Array.isArray(labels) || labels.some((label) => typeof label !== 'string'))
    throw fail(`result ${result.id ?? ''}: value.${key} must be an array of labels`);
  if (labels.length > 1)
    throw fail(
      `result ${result.id ?? ''} has ${labels.length} labels; a Quorum annotation has one`,
    );
  return labels[0] as string | undefined;
}

/** The strings a Choices or TextArea result answers with. */
function itemsOf(result: LabelStudioResult, control: LabelStudioControl, fail: Fail): string[] {
  const key = control.kind === 'choices' ? 'choices' : 'text';
  const items = result.value[key];
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string'))
    throw fail(`result ${result.id ?? ''}: value.${key} must be an array of strings`);
  return items as string[];
}

/** One answer when the control takes one (single Choices, a TextArea), else the list. */
function answerOf(
  result: LabelStudioResult,
  control: LabelStudioControl,
  fail: Fail,
  isList = control.multiple,
): unknown {
  const items = itemsOf(result, control, fail);
  if (isList) return items;
  if (items.length !== 1)
    throw fail(
      `result ${result.id ?? ''} gives ${items.length} answers to "${control.name}", which takes one`,
    );
  return items[0];
}

function imageResponse(
  results: readonly LabelStudioResult[],
  controls: Map<string, LabelStudioControl>,
  options: LabelStudioImportOptions,
  fail: Fail,
) {
  const annotations: ImageAnnotation[] = [];
  const regions = new Map<string, ImageAnnotation>();
  const globals: Record<string, unknown> = {};
  let size: ImageSize | undefined;
  results.forEach((result, index) => {
    const control = controls.get(result.from_name)!;
    if (!isShapeKind(control.kind)) return;
    const id = result.id ?? `r${index + 1}`;
    if (regions.has(id)) throw fail(`two regions have id ${JSON.stringify(id)}`);
    const resultImage = resultSize(result, options.imageSize, fail);
    size ??= resultImage;
    const label = labelOf(result, control.kind, fail);
    const common = { uuid: id, ...(label !== undefined ? { label } : {}) };
    const value = result.value;
    let annotation: ImageAnnotation;
    if (control.kind === 'rectanglelabels') {
      const rectangle = {
        x: numberAt(value, 'x', fail, id),
        y: numberAt(value, 'y', fail, id),
        width: numberAt(value, 'width', fail, id),
        height: numberAt(value, 'height', fail, id),
        rotation: value.rotation === undefined ? 0 : numberAt(value, 'rotation', fail, id),
      };
      annotation = { type: 'box', ...common, ...rectangleToBox(rectangle, resultImage) };
    } else if (control.kind === 'polygonlabels') {
      const points = value.points;
      if (
        !Array.isArray(points) ||
        !points.every(
          (point) =>
            Array.isArray(point) &&
            point.length === 2 &&
            point.every((n) => typeof n === 'number' && Number.isFinite(n)),
        )
      )
        throw fail(`result ${id}: value.points must be [[x, y], …] in percent`);
      annotation = {
        type: 'polygon',
        ...common,
        vertices: pointsToVertices(points as Array<[number, number]>, resultImage),
      };
    } else {
      annotation = {
        type: 'point',
        ...common,
        x: percentToPixels(numberAt(value, 'x', fail, id), resultImage.width),
        y: percentToPixels(numberAt(value, 'y', fail, id), resultImage.height),
      };
    }
    annotations.push(annotation);
    regions.set(id, annotation);
  });
  for (const result of results) {
    const control = controls.get(result.from_name)!;
    if (isShapeKind(control.kind)) continue;
    const answer = answerOf(result, control, fail);
    if (!control.perRegion) {
      globals[control.name] = answer;
      continue;
    }
    const region = result.id === undefined ? undefined : regions.get(result.id);
    if (!region)
      throw fail(
        `result ${result.id ?? ''} answers "${control.name}" for a region that is not in the results`,
      );
    region.attributes = { ...region.attributes, [control.name]: answer };
  }
  return {
    response: {
      annotations,
      ...(Object.keys(globals).length > 0 ? { global_attributes: globals } : {}),
    },
    size,
  };
}

function nerResponse(
  results: readonly LabelStudioResult[],
  text: string,
  controls: Map<string, LabelStudioControl>,
  options: LabelStudioImportOptions,
  fail: Fail,
) {
  const points = Array.from(text);
  const spans = new Map<
    string,
    {
      id: string;
      start: number;
      end: number;
      text: string;
      label: string;
      attributes?: Record<string, unknown>;
    }
  >();
  results.forEach((result, index) => {
    const control = controls.get(result.from_name)!;
    if (control.kind !== 'labels') return;
    const id = result.id ?? `r${index + 1}`;
    if (spans.has(id)) throw fail(`two spans have id ${JSON.stringify(id)}`);
    let start = numberAt(result.value, 'start', fail, id);
    let end = numberAt(result.value, 'end', fail, id);
    const unit = options.textOffsets ?? 'codepoints';
    if (unit === 'utf16') {
      const inside = () =>
        fail(
          `result ${id}: offsets ${start}–${end} do not fall between characters of the text (UTF-16 units)`,
        );
      start = utf16ToCodePoints(text, start, inside);
      end = utf16ToCodePoints(text, end, inside);
    }
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start < 0 ||
      end > points.length ||
      start >= end
    )
      throw fail(
        `result ${id}: start ${start} and end ${end} must satisfy 0 <= start < end <= ${points.length}`,
      );
    const spanText = points.slice(start, end).join('');
    const given = result.value.text;
    if (typeof given === 'string' && given !== spanText)
      throw fail(
        `result ${id}: its text ${JSON.stringify(given)} is not the text at ${start}–${end} (${JSON.stringify(spanText)}) counting ${unit === 'utf16' ? 'UTF-16 units' : 'code points'}; ${unit === 'utf16' ? 'try textOffsets "codepoints"' : 'an older Label Studio counts UTF-16 units: try textOffsets "utf16"'}`,
      );
    const label = labelOf(result, 'labels', fail);
    if (label === undefined) throw fail(`result ${id} has no label`);
    spans.set(id, { id, start, end, text: spanText, label });
  });
  for (const result of results) {
    const control = controls.get(result.from_name)!;
    if (control.kind === 'labels') continue;
    const span = result.id === undefined ? undefined : spans.get(result.id);
    if (!span)
      throw fail(
        `result ${result.id ?? ''} answers "${control.name}" for a span that is not in the results`,
      );
    span.attributes = { ...span.attributes, [control.name]: answerOf(result, control, fail) };
  }
  return { annotations: [...spans.values()] };
}

function taskAnswers(
  results: readonly LabelStudioResult[],
  config: LabelStudioConfig,
  controls: Map<string, LabelStudioControl>,
  fail: Fail,
) {
  const answers = new Map<string, unknown>();
  const fields = (config.params.fields ?? []) as Array<{
    field_id: string;
    max_responses_required?: number;
  }>;
  for (const result of results) {
    const control = controls.get(result.from_name)!;
    if (answers.has(control.name)) throw fail(`two results answer "${control.name}"`);
    const field = fields.find((candidate) => candidate.field_id === control.name);
    // Category fields and taxonomies always answer with a list; text fields with one text unless they collect several.
    const isList =
      config.type === 'textcollection'
        ? control.kind === 'choices' || (field?.max_responses_required ?? 1) > 1
        : config.params.taxonomies !== undefined || control.multiple;
    answers.set(control.name, answerOf(result, control, fail, isList));
  }
  if (config.type === 'textcollection') return { annotations: Object.fromEntries(answers) };
  if (config.params.taxonomies !== undefined) return { taxonomies: Object.fromEntries(answers) };
  const [answer] = answers.values();
  return answer === undefined ? undefined : { category: answer };
}

/**
 * Turns a Label Studio task into a Quorum create-task body under `config`: the content from
 * `data`, the chosen results (see `source`) converted to Quorum's response shape (percentages
 * to pixels of original_width × original_height, to the precision they had; region ids kept as
 * uuids; per-region Choices and TextArea as attributes), which become `hypothesis` for image and
 * named-entity tasks. The task's other data fields and its id go to `metadata`.
 */
export function fromLabelStudioTask(
  value: unknown,
  config: LabelStudioConfig,
  options: LabelStudioImportOptions = {},
): LabelStudioImport {
  const location: FormatLocation = { file: options.file, entry: options.entry, line: options.line };
  const task = checkTask(value, location);
  const fail: Fail = (message) => new FormatError(message, location, 'task');
  const content = task.data[config.object.dataKey];
  if (typeof content !== 'string' || content === '')
    throw fail(
      `data.${config.object.dataKey} must hold the ${config.object.tag === 'Image' ? 'image URL' : 'text'}`,
    );
  const controls = new Map(config.controls.map((control) => [control.name, control]));
  const results = chooseResults(task, options.source) ?? [];
  for (const result of results) {
    const control = controls.get(result.from_name);
    if (!control)
      throw fail(
        `result ${result.id ?? ''} comes from "${result.from_name}", which the config does not have`,
      );
    if (result.type.toLowerCase() !== control.kind)
      throw fail(
        `result ${result.id ?? ''} is a ${result.type}, but "${control.name}" is a ${control.kind}`,
      );
  }
  const hasResults = chooseResults(task, options.source) !== undefined;
  const body: Record<string, unknown> = structuredClone(config.params);
  let response: Record<string, unknown> | undefined;
  let image: ImageSize | undefined;
  switch (config.type) {
    case 'imageannotation': {
      body.attachment = content;
      const converted = imageResponse(results, controls, options, fail);
      image = converted.size ?? options.imageSize;
      if (hasResults) response = body.hypothesis = converted.response;
      break;
    }
    case 'namedentityrecognition':
      body.text = content;
      if (hasResults)
        response = body.hypothesis = nerResponse(results, content, controls, options, fail);
      break;
    case 'categorization':
      body.attachment = content;
      if (results.length > 0) response = taskAnswers(results, config, controls, fail);
      break;
    case 'textcollection':
      body.attachments = [{ type: config.object.tag === 'Image' ? 'image' : 'text', content }];
      if (results.length > 0) response = taskAnswers(results, config, controls, fail);
      break;
  }
  const metadata: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(task.data))
    if (key !== config.object.dataKey)
      Object.defineProperty(metadata, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  if (task.id !== undefined) metadata.label_studio_id = task.id;
  if (Object.keys(metadata).length > 0) body.metadata = metadata;
  if (options.validate !== false) {
    try {
      const { params } = parseCreateTaskBody(config.type, body);
      if (response) parseTaskResponse(config.type, response, params);
    } catch (error) {
      throw inFile(error, location);
    }
  }
  return {
    type: config.type,
    body,
    ...(response ? { response } : {}),
    ...(image ? { image } : {}),
  };
}
