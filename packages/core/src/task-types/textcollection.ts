import { z } from 'zod';
import {
  ATTACHMENT_URL_MESSAGE,
  MAX_TEXT_ATTACHMENT_LENGTH,
  MEDIA_TYPES,
  isAttachmentUrl,
} from './attachments';
import { defineTaskType } from './definition';
import {
  MAX_RESPONSES_PER_FIELD,
  fieldAt,
  leafValues,
  type ChoiceValue,
  type TextCollectionField,
} from './textcollection-fields';
import {
  NonBlankString,
  isJsonObject,
  listForMessage,
  reportFirst,
  type Path,
  type Problem,
} from './validation';

export type { CategoryChoice, TextCollectionField } from './textcollection-fields';

const Attachment = z.strictObject({
  type: z.enum(MEDIA_TYPES),
  /** A URL, or markdown when `type` is `text`. */
  content: z.string().min(1).max(MAX_TEXT_ATTACHMENT_LENGTH),
  /** The fields shown beside this attachment. */
  forms: z.array(NonBlankString).optional(),
});

const TextCollectionParamsBase = z.strictObject({
  attachments: z.array(Attachment),
  fields: z.array(fieldAt(1)).min(1, { error: 'must list at least one field' }),
  title: z.string().optional(),
  description: z.string().optional(),
  responses_required: z.number().int().min(1).max(MAX_RESPONSES_PER_FIELD).optional(),
});

export type TextCollectionParams = z.output<typeof TextCollectionParamsBase>;

/** Every field, nested ones included, with its path in the body. */
function walkFields(
  fields: readonly TextCollectionField[],
  visit: (field: TextCollectionField, path: Path) => void,
  base: Path = ['fields'],
) {
  fields.forEach((field, index) => {
    visit(field, [...base, index]);
    if (field.type === 'field_set') walkFields(field.fields, visit, [...base, index, 'fields']);
  });
}

function checkTextCollectionParams(params: TextCollectionParams): Problem | undefined {
  const ids = new Set<string>();
  let problem: Problem | undefined;
  walkFields(params.fields, (field, path) => {
    if (!problem && ids.has(field.field_id)) {
      problem = {
        path: [...path, 'field_id'],
        message: `duplicate field_id ${JSON.stringify(field.field_id)}`,
      };
    }
    ids.add(field.field_id);
  });
  if (problem) return problem;
  for (const [index, attachment] of params.attachments.entries()) {
    if (attachment.type !== 'text' && !isAttachmentUrl(attachment.content)) {
      return {
        path: ['attachments', index, 'content'],
        message: `${ATTACHMENT_URL_MESSAGE} when type is ${JSON.stringify(attachment.type)}`,
      };
    }
    const unknown = (attachment.forms ?? []).findIndex((id) => !ids.has(id));
    if (unknown >= 0) {
      return {
        path: ['attachments', index, 'forms', unknown],
        message: `no field has field_id ${JSON.stringify(attachment.forms![unknown])}`,
      };
    }
  }
  return undefined;
}

/** `textcollection` create params, defaults filled in. */
export const TextCollectionParamsSchema = TextCollectionParamsBase.superRefine((params, ctx) =>
  reportFirst(ctx, [() => checkTextCollectionParams(params)]),
);

/** `{annotations: {field_id: answer}}`; answers are checked against the fields with the params. */
export const TextCollectionResponseSchema = z.strictObject({
  annotations: z.record(z.string(), z.unknown()),
});
export type TextCollectionResponse = z.output<typeof TextCollectionResponseSchema>;

function checkOneAnswer(
  field: TextCollectionField,
  value: unknown,
  path: Path,
): Problem | undefined {
  switch (field.type) {
    case 'category': {
      if (!Array.isArray(value)) return { path, message: 'must be an array of choice values' };
      if (value.length < field.min_choices)
        return { path, message: `must select at least ${field.min_choices} (min_choices)` };
      if (value.length > field.max_choices)
        return { path, message: `must select at most ${field.max_choices} (max_choices)` };
      const leaves = leafValues(field.choices);
      const index = value.findIndex((item) => !leaves.includes(item as ChoiceValue));
      if (index < 0) return undefined;
      return {
        path: [...path, index],
        message: `${JSON.stringify(value[index])} is not one of ${listForMessage(leaves.map((leaf) => String(leaf)))}`,
      };
    }
    case 'text': {
      if (typeof value !== 'string') return { path, message: 'must be a string' };
      const length = Array.from(value).length;
      if (field.min_characters !== undefined && length < field.min_characters) {
        return { path, message: `must be at least ${field.min_characters} characters long` };
      }
      if (field.max_characters !== undefined && length > field.max_characters) {
        return { path, message: `must be at most ${field.max_characters} characters long` };
      }
      return undefined;
    }
    case 'number': {
      // Scale's own examples deliver numbers as strings ("11.79"); both are accepted.
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number))
        return { path, message: 'must be a number' };
      if (field.min !== undefined && number < field.min)
        return { path, message: `must be >= ${field.min}` };
      if (field.max !== undefined && number > field.max)
        return { path, message: `must be <= ${field.max}` };
      return undefined;
    }
    case 'datetime':
      return typeof value === 'string' && value !== ''
        ? undefined
        : { path, message: 'must be an ISO-8601 date or time string' };
    case 'boolean':
      return typeof value === 'boolean' ? undefined : { path, message: 'must be true or false' };
    case 'field_set':
      if (!isJsonObject(value)) return { path, message: 'must be an object keyed by field_id' };
      return checkAnswers(field.fields, value, path);
  }
}

function checkAnswer(field: TextCollectionField, value: unknown, path: Path): Problem | undefined {
  if (field.max_responses_required <= 1) return checkOneAnswer(field, value, path);
  if (!Array.isArray(value))
    return {
      path,
      message: `must be an array of answers (max_responses_required is ${field.max_responses_required})`,
    };
  if (value.length < field.min_responses_required) {
    return {
      path,
      message: `must have at least ${field.min_responses_required} answers (min_responses_required)`,
    };
  }
  if (value.length > field.max_responses_required) {
    return {
      path,
      message: `must have at most ${field.max_responses_required} answers (max_responses_required)`,
    };
  }
  for (const [index, item] of value.entries()) {
    const problem = checkOneAnswer(field, item, [...path, index]);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Whether a form must carry an answer to the field: it is `required` and always shown (the
 * `conditions` that show a field are kept as given, not evaluated, so a conditional field is never
 * demanded).
 */
function demanded(field: TextCollectionField): boolean {
  return field.required === true && field.conditions === undefined;
}

/** An answer that says nothing: left out, null, blank text or an empty list. */
function isBlank(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

function checkAnswers(
  fields: readonly TextCollectionField[],
  answers: Record<string, unknown>,
  base: Path,
  /** Fields answered in a form this check does not read (`isRichAnswer`). */
  answeredElsewhere: ReadonlySet<string> = new Set(),
): Problem | undefined {
  for (const [id, value] of Object.entries(answers)) {
    const field = fields.find((candidate) => candidate.field_id === id);
    if (!field) return { path: [...base, id], message: `unknown field ${JSON.stringify(id)}` };
    if (demanded(field) && isBlank(value)) continue;
    const problem = checkAnswer(field, value, [...base, id]);
    if (problem) return problem;
  }
  const missing = fields.find(
    (field) =>
      demanded(field) &&
      !answeredElsewhere.has(field.field_id) &&
      isBlank(Object.hasOwn(answers, field.field_id) ? answers[field.field_id] : undefined),
  );
  if (missing) return { path: [...base, missing.field_id], message: 'is required' };
  return undefined;
}

/** A valid answer for each field a form must answer, and nothing for the rest. */
function sampleAnswers(fields: readonly TextCollectionField[]): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const field of fields.filter(demanded)) {
    const one = sampleAnswer(field);
    answers[field.field_id] =
      field.max_responses_required > 1 ? Array(field.min_responses_required).fill(one) : one;
  }
  return answers;
}

function sampleAnswer(field: TextCollectionField): unknown {
  switch (field.type) {
    case 'category':
      return leafValues(field.choices).slice(0, Math.max(1, field.min_choices));
    case 'text':
      return 'x'.repeat(Math.max(1, field.min_characters ?? 1));
    case 'number':
      return field.min ?? Math.min(0, field.max ?? 0);
    case 'datetime':
      return '1970-01-01T00:00:00Z';
    case 'boolean':
      return false;
    case 'field_set':
      return sampleAnswers(field.fields);
  }
}

/**
 * Evaluation tasks' expected responses may use Scale's richer form
 * `{type, field_id, response: [[…]]}` per field; it is accepted as given.
 */
function isRichAnswer(id: string, value: unknown): boolean {
  return isJsonObject(value) && value.field_id === id && 'response' in value;
}

export const textCollection = defineTaskType({
  type: 'textcollection',
  params: TextCollectionParamsSchema,
  response: TextCollectionResponseSchema,
  testResponse: (params) => ({ annotations: sampleAnswers(params.fields) }),
  checkResponse(response, params) {
    const plain: Record<string, unknown> = {};
    const rich = new Set<string>();
    for (const [id, value] of Object.entries(response.annotations)) {
      if (!isRichAnswer(id, value)) Object.defineProperty(plain, id, { value, enumerable: true });
      else if (!params.fields.some((field) => field.field_id === id)) {
        return { path: ['annotations', id], message: `unknown field ${JSON.stringify(id)}` };
      } else rich.add(id);
    }
    return checkAnswers(params.fields, plain, ['annotations'], rich);
  },
});
