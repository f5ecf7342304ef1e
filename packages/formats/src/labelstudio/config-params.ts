import { FormatError } from '../errors';
import type {
  LabelStudioConfig,
  LabelStudioControl,
  LabelStudioControlKind,
  LabelStudioObject,
} from './config';

/** Image shape controls and the Quorum geometry each draws. */
export const SHAPE_GEOMETRY = {
  rectanglelabels: 'box',
  polygonlabels: 'polygon',
  keypointlabels: 'point',
} as const satisfies Partial<Record<LabelStudioControlKind, string>>;

export type ShapeKind = keyof typeof SHAPE_GEOMETRY;

/** Whether a control draws image regions. */
export function isShapeKind(kind: LabelStudioControlKind): kind is ShapeKind {
  return Object.hasOwn(SHAPE_GEOMETRY, kind);
}

function refuse(
  message: string,
  control: LabelStudioControl | undefined,
  file: string | undefined,
): never {
  throw new FormatError(message, { file, line: control?.line }, 'label_config');
}

function attributeDefinitions(controls: readonly LabelStudioControl[]): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  for (const control of controls) {
    const conditions = control.whenLabelValue
      ? {
          conditions: {
            label_condition: {
              label:
                control.whenLabelValue.length === 1
                  ? control.whenLabelValue[0]
                  : control.whenLabelValue,
            },
          },
        }
      : {};
    definitions[control.name] =
      control.kind === 'choices'
        ? {
            type: 'category',
            choices: control.values,
            allow_multiple: control.multiple,
            ...conditions,
          }
        : { type: 'text', ...conditions };
  }
  return definitions;
}

function imageParams(controls: readonly LabelStudioControl[], file: string | undefined) {
  const geometries: Record<string, unknown> = {};
  for (const control of controls) {
    if (!isShapeKind(control.kind)) continue;
    const geometry = SHAPE_GEOMETRY[control.kind];
    if (geometries[geometry])
      refuse(`two ${control.kind} controls label the same image; Quorum maps one`, control, file);
    geometries[geometry] = {
      objects_to_annotate: control.values,
      ...(control.kind === 'rectanglelabels' ? { can_rotate: control.canRotate ?? true } : {}),
    };
  }
  const perRegion = controls.filter((control) => control.perRegion);
  const misplaced = controls.find(
    (control) => control.kind === 'labels' || (control.kind === 'textarea' && !control.perRegion),
  );
  if (misplaced)
    refuse(
      `${misplaced.kind === 'labels' ? 'Labels' : 'a TextArea that is not perRegion'} ("${misplaced.name}") cannot go with image shapes`,
      misplaced,
      file,
    );
  return {
    geometries,
    ...(perRegion.length > 0 ? { annotation_attributes: attributeDefinitions(perRegion) } : {}),
  };
}

function categorizationParams(choices: readonly LabelStudioControl[], attachmentType: string) {
  if (choices.length === 1) {
    const [control] = choices as [LabelStudioControl];
    return {
      attachment_type: attachmentType,
      categories: control.values,
      allow_multiple: control.multiple,
    };
  }
  return {
    attachment_type: attachmentType,
    taxonomies: Object.fromEntries(
      choices.map((control) => [
        control.name,
        { type: 'category', choices: control.values, allow_multiple: control.multiple },
      ]),
    ),
  };
}

function textCollectionParams(controls: readonly LabelStudioControl[]) {
  return {
    fields: controls.map((control) =>
      control.kind === 'textarea'
        ? {
            type: 'text',
            field_id: control.name,
            title: control.title ?? control.name,
            ...(control.maxSubmissions && control.maxSubmissions > 1
              ? { max_responses_required: control.maxSubmissions }
              : {}),
          }
        : {
            type: 'category',
            field_id: control.name,
            title: control.title ?? control.name,
            choices: control.values.map((value) => ({ label: value, value })),
            max_choices: control.multiple ? control.values.length : 1,
          },
    ),
  };
}

/** Decides the task type a config describes and builds its params (see parseLabelStudioConfig). */
export function paramsFor(
  object: LabelStudioObject,
  controls: readonly LabelStudioControl[],
  file: string | undefined,
): Pick<LabelStudioConfig, 'type' | 'params'> {
  if (controls.length === 0) refuse('the config has no control to answer with', undefined, file);
  const shapes = controls.filter((control) => isShapeKind(control.kind));
  const spans = controls.filter((control) => control.kind === 'labels');
  const perRegion = controls.filter((control) => control.perRegion);
  const global = controls.filter(
    (control) => !control.perRegion && !isShapeKind(control.kind) && control.kind !== 'labels',
  );
  if (object.tag === 'Image' && shapes.length > 0)
    return { type: 'imageannotation', params: imageParams(controls, file) };
  if (shapes.length > 0)
    refuse(`${shapes[0]!.kind} ("${shapes[0]!.name}") needs an Image`, shapes[0], file);
  if (spans.length > 0) {
    if (object.tag !== 'Text') refuse(`Labels ("${spans[0]!.name}") needs a Text`, spans[0], file);
    if (spans.length > 1)
      refuse('two Labels controls label the same text; Quorum maps one', spans[1], file);
    if (global.length > 0)
      refuse(
        `"${global[0]!.name}" asks once per text, which named entity tasks cannot hold; make it perRegion`,
        global[0],
        file,
      );
    return {
      type: 'namedentityrecognition',
      params: { labels: spans[0]!.values.map((name) => ({ name })) },
    };
  }
  if (perRegion.length > 0)
    refuse(`"${perRegion[0]!.name}" is perRegion but nothing draws regions`, perRegion[0], file);
  const attachmentType = object.tag === 'Image' ? 'image' : 'text';
  if (controls.some((control) => control.kind === 'textarea'))
    return { type: 'textcollection', params: textCollectionParams(controls) };
  return { type: 'categorization', params: categorizationParams(controls, attachmentType) };
}
