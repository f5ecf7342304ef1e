import { z } from 'zod';
import { labelList, leafLabels } from './labels';
import {
  NonBlankString,
  isJsonObject,
  listForMessage,
  reportFirst,
  type Path,
  type Problem,
  unlessMissing,
} from './validation';

const Scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: unlessMissing('must be a string, a number or true/false'),
});

/** When an attribute is asked: every condition must hold (absent conditions always hold). */
const Conditions = z.strictObject({
  label_condition: z
    .strictObject({
      label: z.union([NonBlankString, z.array(NonBlankString).min(1)], {
        error: unlessMissing('must be a label or a non-empty array of labels'),
      }),
    })
    .optional(),
  attribute_conditions: z
    .array(
      z
        .record(
          z.string(),
          z.union([Scalar, z.array(Scalar)], {
            error: unlessMissing('must be a value or an array of values'),
          }),
        )
        .refine((condition) => Object.keys(condition).length > 0, {
          error: 'must name at least one attribute',
        }),
    )
    .optional(),
});

const common = { description: z.string().optional(), conditions: Conditions.optional() };

const CategoryAttribute = z.strictObject({
  type: z.literal('category'),
  ...common,
  choices: labelList('choice').min(1, { error: 'must list at least one choice' }),
  allow_multiple: z.boolean().default(false),
});

const NumberAttribute = z
  .strictObject({
    type: z.literal('number'),
    ...common,
    min: z.number().optional(),
    max: z.number().optional(),
    step: z.number().positive().default(1),
  })
  .superRefine((attribute, ctx) => {
    if (
      attribute.min !== undefined &&
      attribute.max !== undefined &&
      attribute.max < attribute.min
    ) {
      ctx.addIssue({
        code: 'custom',
        message: `max (${attribute.max}) must be >= min (${attribute.min})`,
        path: ['max'],
      });
    }
  });

/** Angles in degrees, 0–360. */
const AngleAttribute = z.strictObject({ type: z.literal('angle'), ...common });

const TextAttribute = z.strictObject({ type: z.literal('text'), ...common });

/** Its value is the `uuid` of another annotation of the same response. */
const LinkedAttribute = z.strictObject({
  type: z.literal('linked'),
  ...common,
  allowed_labels: z.array(NonBlankString).min(1).optional(),
  required: z.boolean().optional(),
});

/** `type` defaults to `category`, as in Scale. */
const AttributeDefinition = z.preprocess(
  (value) =>
    isJsonObject(value) && value.type === undefined ? { ...value, type: 'category' } : value,
  z.discriminatedUnion('type', [
    CategoryAttribute,
    NumberAttribute,
    AngleAttribute,
    TextAttribute,
    LinkedAttribute,
  ]),
);

export type AttributeDefinition = z.output<typeof AttributeDefinition>;
export type AnnotationAttributes = Record<string, AttributeDefinition>;

function checkAttributeConditions(attributes: AnnotationAttributes): Problem | undefined {
  for (const [name, definition] of Object.entries(attributes)) {
    if (name.trim() === '') return { path: [name], message: 'attribute names must not be blank' };
    const conditions = definition.conditions?.attribute_conditions ?? [];
    for (const [index, condition] of conditions.entries()) {
      for (const [other, expected] of Object.entries(condition)) {
        const path = [name, 'conditions', 'attribute_conditions', index, other];
        if (other === name) return { path, message: 'an attribute cannot depend on itself' };
        const target = attributes[other];
        if (!Object.hasOwn(attributes, other) || !target) {
          return { path, message: `unknown attribute ${JSON.stringify(other)}` };
        }
        if (target.type !== 'category') continue;
        const choices = leafLabels(target.choices);
        for (const value of Array.isArray(expected) ? expected : [expected]) {
          if (typeof value !== 'string' || !choices.includes(value)) {
            return {
              path,
              message: `${JSON.stringify(value)} is not a choice of attribute ${JSON.stringify(other)} (${listForMessage(choices)})`,
            };
          }
        }
      }
    }
  }
  return undefined;
}

/** `annotation_attributes`: attribute name → definition. */
export const AnnotationAttributesSchema = z
  .record(z.string(), AttributeDefinition)
  .superRefine((attributes, ctx) => reportFirst(ctx, [() => checkAttributeConditions(attributes)]));

/** The label names conditions and linked attributes refer to, with where each is mentioned. */
export function labelsReferencedByAttributes(
  attributes: AnnotationAttributes,
): Array<{ label: string; path: Path }> {
  const references: Array<{ label: string; path: Path }> = [];
  for (const [name, definition] of Object.entries(attributes)) {
    const condition = definition.conditions?.label_condition?.label;
    if (typeof condition === 'string') {
      references.push({ label: condition, path: [name, 'conditions', 'label_condition', 'label'] });
    } else if (condition) {
      condition.forEach((label, index) =>
        references.push({ label, path: [name, 'conditions', 'label_condition', 'label', index] }),
      );
    }
    if (definition.type === 'linked') {
      (definition.allowed_labels ?? []).forEach((label, index) =>
        references.push({ label, path: [name, 'allowed_labels', index] }),
      );
    }
  }
  return references;
}

function checkValue(
  definition: AttributeDefinition,
  value: unknown,
  uuids: ReadonlySet<string>,
): string | undefined {
  switch (definition.type) {
    case 'category': {
      const choices = leafLabels(definition.choices);
      const isChoice = (item: unknown) => typeof item === 'string' && choices.includes(item);
      if (definition.allow_multiple) {
        if (!Array.isArray(value)) return 'must be an array of choices (allow_multiple is set)';
        const wrong = value.find((item) => !isChoice(item));
        return wrong === undefined
          ? undefined
          : `${JSON.stringify(wrong)} is not one of ${listForMessage(choices)}`;
      }
      return isChoice(value) ? undefined : `must be one of ${listForMessage(choices)}`;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (definition.min !== undefined && value < definition.min)
        return `must be >= ${definition.min}`;
      if (definition.max !== undefined && value > definition.max)
        return `must be <= ${definition.max}`;
      return undefined;
    case 'angle':
      return typeof value === 'number' && value >= 0 && value <= 360
        ? undefined
        : 'must be an angle from 0 to 360';
    case 'text':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'linked':
      if (typeof value !== 'string') return 'must be the uuid of another annotation';
      return uuids.has(value) ? undefined : `no annotation has uuid ${JSON.stringify(value)}`;
  }
}

/**
 * Checks an annotation's `attributes` against the task's definitions: names must be defined and
 * values fit their type. `uuids` are the annotations a linked attribute may point at.
 */
export function checkAttributeValues(
  values: Record<string, unknown>,
  definitions: AnnotationAttributes | undefined,
  uuids: ReadonlySet<string>,
  path: Path,
): Problem | undefined {
  for (const [name, value] of Object.entries(values)) {
    const definition =
      definitions && Object.hasOwn(definitions, name) ? definitions[name] : undefined;
    if (!definition)
      return { path: [...path, name], message: `unknown attribute ${JSON.stringify(name)}` };
    const message = checkValue(definition, value, uuids);
    if (message) return { path: [...path, name], message };
  }
  return undefined;
}
