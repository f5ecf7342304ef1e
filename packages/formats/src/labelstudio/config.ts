import { FormatError } from '../errors';
import { childElements, parseXml, type XmlElement } from '../xml';
import { paramsFor } from './config-params';

/** The control tags Quorum maps, by the result `type` Label Studio writes for them. */
export type LabelStudioControlKind =
  'rectanglelabels' | 'polygonlabels' | 'keypointlabels' | 'labels' | 'choices' | 'textarea';

/** One control of a labeling config: what it is called in results and what it offers. */
export interface LabelStudioControl {
  kind: LabelStudioControlKind;
  /** `from_name` in results. */
  name: string;
  /** `to_name` in results: the object tag it labels. */
  toName: string;
  /** The `value`s (or `alias`es) of its Label or Choice children. */
  values: string[];
  /** Choices with `choice="multiple"`. */
  multiple: boolean;
  /** Asked for each region rather than once per task: Quorum annotation attributes. */
  perRegion: boolean;
  /** `whenLabelValue`: the region labels the control applies to. */
  whenLabelValue?: string[];
  /** RectangleLabels `canRotate` (Label Studio lets boxes turn unless it is "false"). */
  canRotate?: boolean;
  /** TextArea `maxSubmissions`. */
  maxSubmissions?: number;
  /** The text of the closest Header before the control, as a field title. */
  title?: string;
  line: number;
}

/** The object tag a config labels and where its content is in a task's `data`. */
export interface LabelStudioObject {
  tag: 'Image' | 'Text';
  name: string;
  /** `value="$image"` → `image`. */
  dataKey: string;
}

/** A labeling config as Quorum understands it: a task type, its params, and the names to map. */
export interface LabelStudioConfig {
  type: 'imageannotation' | 'namedentityrecognition' | 'categorization' | 'textcollection';
  /** The task's params without its content (attachment or text), which comes from each task. */
  params: Record<string, unknown>;
  object: LabelStudioObject;
  controls: LabelStudioControl[];
}

const CONTROL_KINDS: Readonly<Record<string, LabelStudioControlKind>> = {
  rectanglelabels: 'rectanglelabels',
  polygonlabels: 'polygonlabels',
  keypointlabels: 'keypointlabels',
  labels: 'labels',
  choices: 'choices',
  textarea: 'textarea',
};
const OBJECTS: Readonly<Record<string, LabelStudioObject['tag']>> = {
  image: 'Image',
  text: 'Text',
};
const LAYOUT = new Set(['view', 'header', 'style']);
const SUPPORTED =
  'View, Header, Style, Image, Text, RectangleLabels, PolygonLabels, KeyPointLabels, Labels, Label, Choices, Choice, TextArea';

interface Walk {
  objects: Array<{ element: XmlElement; tag: LabelStudioObject['tag'] }>;
  controls: LabelStudioControl[];
  unsupported: string[];
  title?: string;
}

function attribute(element: XmlElement, name: string): string | undefined {
  // Label Studio reads attribute names without regard to case (toName, toname).
  const key = Object.keys(element.attributes).find(
    (candidate) => candidate.toLowerCase() === name.toLowerCase(),
  );
  return key === undefined ? undefined : element.attributes[key];
}

function required(element: XmlElement, name: string, file?: string): string {
  const value = attribute(element, name)?.trim();
  if (!value)
    throw new FormatError(`<${element.name}> needs a ${name} attribute`, {
      file,
      line: element.line,
    });
  return value;
}

function walk(element: XmlElement, state: Walk, file: string | undefined): void {
  const tag = element.name.toLowerCase();
  if (LAYOUT.has(tag)) {
    if (tag === 'header') state.title = attribute(element, 'value') ?? textOf(element);
    if (tag !== 'style') for (const child of childElements(element)) walk(child, state, file);
    return;
  }
  const objectTag = OBJECTS[tag];
  if (objectTag) {
    state.objects.push({ element, tag: objectTag });
    return;
  }
  const kind = CONTROL_KINDS[tag];
  if (!kind) {
    state.unsupported.push(`${element.name} (line ${element.line})`);
    return;
  }
  const childTag = kind === 'choices' ? 'choice' : 'label';
  const values: string[] = [];
  for (const child of childElements(element)) {
    if (kind === 'textarea' || child.name.toLowerCase() !== childTag) {
      state.unsupported.push(`${child.name} inside ${element.name} (line ${child.line})`);
      continue;
    }
    values.push(attribute(child, 'alias') ?? required(child, 'value', file));
  }
  if (kind !== 'textarea' && values.length === 0)
    throw new FormatError(
      `<${element.name} name="${attribute(element, 'name') ?? ''}"> offers no ${childTag === 'choice' ? 'Choice' : 'Label'}`,
      { file, line: element.line },
    );
  const toName = required(element, 'toName', file);
  if (toName.includes(','))
    throw new FormatError(
      `<${element.name}> labels several objects (toName="${toName}"); Quorum maps one`,
      { file, line: element.line },
    );
  const when = attribute(element, 'whenLabelValue');
  const maxSubmissions = Number(attribute(element, 'maxSubmissions'));
  state.controls.push({
    kind,
    name: required(element, 'name', file),
    toName,
    values,
    multiple: attribute(element, 'choice') === 'multiple',
    perRegion: attribute(element, 'perRegion') === 'true',
    ...(when ? { whenLabelValue: when.split(',').map((label) => label.trim()) } : {}),
    ...(kind === 'rectanglelabels'
      ? { canRotate: attribute(element, 'canRotate') !== 'false' }
      : {}),
    ...(Number.isInteger(maxSubmissions) && maxSubmissions > 0 ? { maxSubmissions } : {}),
    ...(state.title !== undefined ? { title: state.title } : {}),
    line: element.line,
  });
}

function textOf(element: XmlElement): string {
  return element.children
    .map((child) => (typeof child === 'string' ? child : textOf(child)))
    .join('')
    .trim();
}

/**
 * Parses a Label Studio labeling config (XML, read safely) into a Quorum task type and params:
 * Image with RectangleLabels / PolygonLabels / KeyPointLabels → imageannotation (per-region
 * Choices and TextArea → annotation_attributes; other Choices → global attributes); Text with
 * Labels → namedentityrecognition; Choices alone → categorization (several → taxonomies);
 * TextArea (with Choices) → textcollection. View, Header and Style are layout; any other tag is
 * refused with its name and line.
 */
export function parseLabelStudioConfig(
  xml: string,
  options: { file?: string } = {},
): LabelStudioConfig {
  const { file } = options;
  const root = parseXml(xml, { file });
  const state: Walk = { objects: [], controls: [], unsupported: [] };
  walk(root, state, file);
  if (state.unsupported.length > 0)
    throw new FormatError(
      `unsupported Label Studio tags: ${state.unsupported.join(', ')}; Quorum maps ${SUPPORTED}`,
      { file },
      'label_config',
    );
  if (state.objects.length !== 1)
    throw new FormatError(
      state.objects.length === 0
        ? 'the config has no Image or Text to label'
        : `the config labels ${state.objects.length} objects (${state.objects.map((o) => o.element.name).join(', ')}); Quorum maps one`,
      { file },
      'label_config',
    );
  const { element, tag } = state.objects[0]!;
  const name = required(element, 'name', file);
  const value = required(element, 'value', file);
  if (!/^\$[\w.-]+$/.test(value))
    throw new FormatError(
      `<${element.name}> value must name a data field ("$image"), not ${JSON.stringify(value)}`,
      { file, line: element.line },
    );
  const names = new Set<string>();
  for (const control of state.controls) {
    if (control.toName !== name)
      throw new FormatError(
        `control "${control.name}" labels "${control.toName}", but the object is "${name}"`,
        { file, line: control.line },
      );
    if (names.has(control.name))
      throw new FormatError(`two controls are named "${control.name}"`, {
        file,
        line: control.line,
      });
    names.add(control.name);
  }
  const object: LabelStudioObject = { tag, name, dataKey: value.slice(1) };
  const { type, params } = paramsFor(object, state.controls, file);
  return { type, params, object, controls: state.controls };
}
