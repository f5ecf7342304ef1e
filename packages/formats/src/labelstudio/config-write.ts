import { leafLabels, type LabelEntry } from '@quorum/core';
import { FormatError } from '../errors';
import { escapeXmlAttribute } from '../xml';

const attr = (name: string, value: string) => ` ${name}="${escapeXmlAttribute(value)}"`;

function control(
  tag: string,
  name: string,
  toName: string,
  children: readonly string[],
  extra = '',
): string {
  const child = tag === 'Choices' ? 'Choice' : 'Label';
  return [
    `  <${tag}${attr('name', name)}${attr('toName', toName)}${extra}>`,
    ...children.map((value) => `    <${child}${attr('value', value)}/>`),
    `  </${tag}>`,
  ].join('\n');
}

/** A written config and what it could not offer. */
export interface LabelStudioConfigDocument {
  xml: string;
  /** What the config cannot offer (lines, ellipses, number attributes…), in words. */
  omitted: string[];
}

function view(object: string, controls: readonly string[]): string {
  return `<View>\n${object}\n${controls.join('\n')}\n</View>\n`;
}

type Params = Record<string, unknown>;

function imageConfig(params: Params, omitted: string[]): string {
  const geometries = (params.geometries ?? {}) as Record<
    string,
    { objects_to_annotate?: LabelEntry[]; can_rotate?: boolean } | undefined
  >;
  const attributes = (params.annotation_attributes ?? {}) as Record<
    string,
    {
      type?: string;
      choices?: LabelEntry[];
      allow_multiple?: boolean;
      conditions?: { label_condition?: { label: string | string[] } };
    }
  >;
  const taken = new Set(Object.keys(attributes));
  const name = (preferred: string) => (taken.has(preferred) ? `${preferred}_labels` : preferred);
  const controls: string[] = [];
  const shapes = [
    ['box', 'RectangleLabels'],
    ['polygon', 'PolygonLabels'],
    ['point', 'KeyPointLabels'],
  ] as const;
  for (const [geometry, tag] of shapes) {
    const labels = geometries[geometry]
      ? leafLabels(geometries[geometry].objects_to_annotate ?? [])
      : undefined;
    if (labels === undefined) continue;
    if (labels.length === 0) omitted.push(`${geometry}: Label Studio needs at least one label`);
    else {
      const rotate =
        geometry === 'box' ? attr('canRotate', geometries.box?.can_rotate ? 'true' : 'false') : '';
      controls.push(control(tag, name(geometry), 'image', labels, rotate));
    }
  }
  for (const geometry of ['line', 'ellipse'])
    if (geometries[geometry]) omitted.push(`${geometry}: no Label Studio control is mapped`);
  for (const [attribute, definition] of Object.entries(attributes)) {
    const when = definition.conditions?.label_condition?.label;
    const extra = `${attr('perRegion', 'true')}${when === undefined ? '' : attr('whenLabelValue', ([] as string[]).concat(when).join(','))}`;
    const type = definition.type ?? 'category';
    if (type === 'category')
      controls.push(
        control(
          'Choices',
          attribute,
          'image',
          leafLabels(definition.choices ?? []),
          `${extra}${attr('choice', definition.allow_multiple ? 'multiple' : 'single')}`,
        ),
      );
    else if (type === 'text')
      controls.push(`  <TextArea${attr('name', attribute)}${attr('toName', 'image')}${extra}/>`);
    else
      omitted.push(
        `attribute ${attribute}: ${type} attributes have no mapped Label Studio control`,
      );
  }
  return view('  <Image name="image" value="$image"/>', controls);
}

function nerConfig(params: Params): string {
  const names: string[] = [];
  const visit = (labels: ReadonlyArray<{ name: string; children?: unknown }>) => {
    for (const label of labels) {
      names.push(label.name);
      if (Array.isArray(label.children)) visit(label.children as Array<{ name: string }>);
    }
  };
  visit((params.labels ?? []) as Array<{ name: string }>);
  return view('  <Text name="text" value="$text"/>', [control('Labels', 'label', 'text', names)]);
}

function objectFor(type: unknown, omitted: string[]): { tag: string; name: string } {
  if (type === 'image') return { tag: '  <Image name="image" value="$image"/>', name: 'image' };
  if (type !== 'text' && type !== undefined)
    omitted.push(`attachment type ${String(type)}: shown as text`);
  return { tag: '  <Text name="text" value="$text"/>', name: 'text' };
}

function categorizationConfig(params: Params, omitted: string[]): string {
  const object = objectFor(params.attachment_type, omitted);
  const controls: string[] = [];
  if (Array.isArray(params.categories))
    controls.push(
      control(
        'Choices',
        'category',
        object.name,
        params.categories as string[],
        attr('choice', params.allow_multiple ? 'multiple' : 'single'),
      ),
    );
  const taxonomies = (params.taxonomies ?? {}) as Record<
    string,
    { choices: LabelEntry[]; allow_multiple?: boolean }
  >;
  for (const [question, taxonomy] of Object.entries(taxonomies))
    controls.push(
      control(
        'Choices',
        question,
        object.name,
        leafLabels(taxonomy.choices),
        attr('choice', taxonomy.allow_multiple ? 'multiple' : 'single'),
      ),
    );
  return view(object.tag, controls);
}

interface Field {
  type: string;
  field_id: string;
  title?: string;
  choices?: Array<{ value: unknown; subchoices?: unknown[] }>;
  max_choices?: number;
  max_responses_required?: number;
}

function leafChoiceValues(
  choices: ReadonlyArray<{ value: unknown; subchoices?: unknown[] }>,
): string[] {
  return choices.flatMap((choice) =>
    Array.isArray(choice.subchoices) && choice.subchoices.length > 0
      ? leafChoiceValues(choice.subchoices as Array<{ value: unknown }>)
      : [String(choice.value)],
  );
}

function textCollectionConfig(params: Params, omitted: string[]): string {
  const attachments = (params.attachments ?? []) as Array<{ type?: string }>;
  const object = objectFor(attachments[0]?.type ?? 'text', omitted);
  const controls: string[] = [];
  for (const field of (params.fields ?? []) as Field[]) {
    const header = field.title ? `  <Header${attr('value', field.title)}/>\n` : '';
    if (field.type === 'text') {
      const max =
        (field.max_responses_required ?? 1) > 1
          ? attr('maxSubmissions', String(field.max_responses_required))
          : '';
      controls.push(
        `${header}  <TextArea${attr('name', field.field_id)}${attr('toName', object.name)}${max}/>`,
      );
    } else if (field.type === 'category') {
      const multiple = (field.max_choices ?? 1) > 1 ? 'multiple' : 'single';
      controls.push(
        `${header}${control('Choices', field.field_id, object.name, leafChoiceValues(field.choices ?? []), attr('choice', multiple))}`,
      );
    } else {
      omitted.push(
        `field ${field.field_id}: ${field.type} fields have no mapped Label Studio control`,
      );
    }
  }
  return view(object.tag, controls);
}

/**
 * A Label Studio labeling config for a Quorum task type and params, so an export can be opened in
 * Label Studio as is. Control names are the ones `toLabelStudioTask` writes with (`box`,
 * `polygon`, `point`, attribute and field ids, taxonomy questions); what has no control is listed.
 */
export function labelStudioConfigXml(type: string, params: Params): LabelStudioConfigDocument {
  const omitted: string[] = [];
  switch (type) {
    case 'imageannotation':
      return { xml: imageConfig(params, omitted), omitted };
    case 'namedentityrecognition':
      return { xml: nerConfig(params), omitted };
    case 'categorization':
      return { xml: categorizationConfig(params, omitted), omitted };
    case 'textcollection':
      return { xml: textCollectionConfig(params, omitted), omitted };
    default:
      throw new FormatError(
        `${type} tasks have no Label Studio config (imageannotation, namedentityrecognition, categorization, textcollection)`,
        {},
        'type',
      );
  }
}
