import { z } from 'zod';
import { MAX_LABEL_DEPTH } from './labels';
import {
  JsonObjectValue,
  NonBlankString,
  reportFirst,
  unlessMissing,
  type Path,
  type Problem,
} from './validation';

/** Field sets nest at most this many levels (top-level fields are level 1). */
export const MAX_FIELD_DEPTH = 4;
/** Most answers one field may collect (`max_responses_required`). */
export const MAX_RESPONSES_PER_FIELD = 100;

/** A selectable answer of a category field; only leaves are selectable when it has subchoices. */
export interface CategoryChoice {
  label: string;
  value: string | number | boolean;
  hint?: string | undefined;
  subchoices?: CategoryChoice[] | undefined;
}

export type ChoiceValue = CategoryChoice['value'];

function choiceAt(level: number): z.ZodType<CategoryChoice> {
  const subchoices =
    level >= MAX_LABEL_DEPTH
      ? z.never({ error: `choices nest at most ${MAX_LABEL_DEPTH} levels deep` }).optional()
      : z
          .array(choiceAt(level + 1))
          .min(1, { error: 'must list at least one subchoice (omit subchoices for a leaf)' })
          .optional();
  return z.strictObject({
    label: NonBlankString,
    value: z.union([z.string(), z.number(), z.boolean()], {
      error: unlessMissing('must be a string, a number or true/false'),
    }),
    hint: z.string().optional(),
    subchoices,
  });
}

function walkChoices(
  choices: readonly CategoryChoice[],
  visit: (choice: CategoryChoice, path: Path) => void,
  base: Path = [],
) {
  choices.forEach((choice, index) => {
    visit(choice, [...base, index]);
    walkChoices(choice.subchoices ?? [], visit, [...base, index, 'subchoices']);
  });
}

/** The selectable (leaf) values of a category field. */
export function leafValues(choices: readonly CategoryChoice[]): ChoiceValue[] {
  const values: ChoiceValue[] = [];
  walkChoices(choices, (choice) => {
    if ((choice.subchoices ?? []).length === 0) values.push(choice.value);
  });
  return values;
}

const fieldCommon = {
  /** The key of this field's answer in the response; unique across the whole form. */
  field_id: NonBlankString,
  title: z.string(),
  description: z.string().optional(),
  hint: z.string().optional(),
  required: z.boolean().optional(),
  min_responses_required: z.number().int().min(1).max(MAX_RESPONSES_PER_FIELD).default(1),
  max_responses_required: z.number().int().min(1).max(MAX_RESPONSES_PER_FIELD).default(1),
  /** When the field is shown. Scale does not publish the shape, so it is kept as given. */
  conditions: z
    .union([JsonObjectValue, z.array(JsonObjectValue)], {
      error: unlessMissing('must be an object or an array of objects'),
    })
    .optional(),
};

function rangeProblem(
  path: string,
  low: string,
  lowValue: number | undefined,
  highValue: number | undefined,
): Problem | undefined {
  if (lowValue === undefined || highValue === undefined || highValue >= lowValue) return undefined;
  return { path: [path], message: `${path} (${highValue}) must be >= ${low} (${lowValue})` };
}

interface FieldBase {
  field_id: string;
  min_responses_required: number;
  max_responses_required: number;
}

function checkResponseCounts(field: FieldBase): Problem | undefined {
  return rangeProblem(
    'max_responses_required',
    'min_responses_required',
    field.min_responses_required,
    field.max_responses_required,
  );
}

const CategoryField = z
  .strictObject({
    type: z.literal('category'),
    ...fieldCommon,
    choices: z.array(choiceAt(1)).min(1, { error: 'must list at least one choice' }),
    min_choices: z.number().int().nonnegative().default(1),
    max_choices: z.number().int().min(1).default(1),
  })
  .superRefine((field, ctx) =>
    reportFirst(ctx, [
      () => checkResponseCounts(field),
      () => rangeProblem('max_choices', 'min_choices', field.min_choices, field.max_choices),
      () => {
        const leaves = leafValues(field.choices).length;
        return field.min_choices > leaves
          ? {
              path: ['min_choices'],
              message: `min_choices (${field.min_choices}) exceeds the number of choices (${leaves})`,
            }
          : undefined;
      },
      () => {
        const seen = new Set<ChoiceValue>();
        let problem: Problem | undefined;
        walkChoices(field.choices, (choice, path) => {
          if (!problem && seen.has(choice.value)) {
            problem = {
              path: ['choices', ...path, 'value'],
              message: `duplicate value ${JSON.stringify(choice.value)}`,
            };
          }
          seen.add(choice.value);
        });
        return problem;
      },
    ]),
  );

const TextField = z
  .strictObject({
    type: z.literal('text'),
    ...fieldCommon,
    min_characters: z.number().int().nonnegative().optional(),
    max_characters: z.number().int().min(1).optional(),
  })
  .superRefine((field, ctx) =>
    reportFirst(ctx, [
      () => checkResponseCounts(field),
      () =>
        rangeProblem(
          'max_characters',
          'min_characters',
          field.min_characters,
          field.max_characters,
        ),
    ]),
  );

const NumberField = z
  .strictObject({
    type: z.literal('number'),
    ...fieldCommon,
    min: z.number().optional(),
    max: z.number().optional(),
    step: z.number().positive().optional(),
  })
  .superRefine((field, ctx) =>
    reportFirst(ctx, [
      () => checkResponseCounts(field),
      () => rangeProblem('max', 'min', field.min, field.max),
    ]),
  );

/** `format` is passed to the editor as given; answers are ISO-8601 strings. */
const DatetimeField = z
  .strictObject({ type: z.literal('datetime'), ...fieldCommon, format: z.string().optional() })
  .superRefine((field, ctx) => reportFirst(ctx, [() => checkResponseCounts(field)]));

const BooleanField = z
  .strictObject({ type: z.literal('boolean'), ...fieldCommon })
  .superRefine((field, ctx) => reportFirst(ctx, [() => checkResponseCounts(field)]));

export type TextCollectionField =
  | z.output<typeof CategoryField>
  | z.output<typeof TextField>
  | z.output<typeof NumberField>
  | z.output<typeof DatetimeField>
  | z.output<typeof BooleanField>
  | FieldSetField;

export interface FieldSetField extends FieldBase {
  type: 'field_set';
  title: string;
  description?: string | undefined;
  hint?: string | undefined;
  required?: boolean | undefined;
  conditions?: Record<string, unknown> | Array<Record<string, unknown>> | undefined;
  fields: TextCollectionField[];
  /** Shown on one line; at most two text or number children. */
  inline?: boolean | undefined;
}

/** A field of a text-collection form; field sets nest below MAX_FIELD_DEPTH. */
export function fieldAt(level: number): z.ZodType<TextCollectionField> {
  const children =
    level >= MAX_FIELD_DEPTH
      ? z.never({ error: `field sets nest at most ${MAX_FIELD_DEPTH} levels deep` })
      : z.array(fieldAt(level + 1)).min(2, { error: 'a field_set needs at least 2 fields' });
  const FieldSet = z
    .strictObject({
      type: z.literal('field_set'),
      ...fieldCommon,
      fields: children,
      inline: z.boolean().optional(),
    })
    .superRefine((field, ctx) =>
      reportFirst(ctx, [
        () => checkResponseCounts(field),
        () => {
          if (!field.inline) return undefined;
          if (field.fields.length > 2)
            return { path: ['fields'], message: 'an inline field_set has at most 2 fields' };
          const index = field.fields.findIndex(
            (child) => child.type !== 'text' && child.type !== 'number',
          );
          return index < 0
            ? undefined
            : {
                path: ['fields', index, 'type'],
                message: 'an inline field_set holds only text and number fields',
              };
        },
      ]),
    );
  return z.discriminatedUnion('type', [
    CategoryField,
    TextField,
    NumberField,
    DatetimeField,
    BooleanField,
    FieldSet,
  ]) as z.ZodType<TextCollectionField>;
}
