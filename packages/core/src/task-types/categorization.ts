import { z } from 'zod';
import {
  ATTACHMENT_URL_MESSAGE,
  MAX_TEXT_ATTACHMENT_LENGTH,
  MEDIA_TYPES,
  isAttachmentUrl,
} from './attachments';
import { defineTaskType } from './definition';
import { LayersSchema } from './geometry';
import { labelList, leafLabels } from './labels';
import {
  NonBlankString,
  listForMessage,
  reportFirst,
  type Problem,
  unlessMissing,
} from './validation';

/**
 * One question of `taxonomies`. Scale does not publish the inner shape; Quorum takes the one its
 * categorical attributes use.
 */
const Taxonomy = z.strictObject({
  type: z.literal('category').default('category'),
  description: z.string().optional(),
  choices: labelList('choice').min(1, { error: 'must list at least one choice' }),
  allow_multiple: z.boolean().default(false),
});

const CategorizationParamsBase = z.strictObject({
  /** A URL, or the text itself when `attachment_type` is `text`. */
  attachment: z.string().min(1).max(MAX_TEXT_ATTACHMENT_LENGTH),
  attachment_type: z.enum(MEDIA_TYPES).default('text'),
  /** The legacy single question: pick one (or, with allow_multiple, several) of these. */
  categories: z
    .array(NonBlankString)
    .min(1, { error: 'must list at least one category' })
    .optional(),
  /** Optional ids for categories: `{ "<id>": "<category>" }`; the response then names the id. */
  category_ids: z.record(z.string(), z.string()).optional(),
  allow_multiple: z.boolean().default(false),
  /** The current form: one key per question. */
  taxonomies: z.record(z.string(), Taxonomy).optional(),
  layers: LayersSchema.optional(),
});

export type CategorizationParams = z.output<typeof CategorizationParamsBase>;

function checkCategorizationParams(params: CategorizationParams): Problem | undefined {
  if (params.attachment_type !== 'text' && !isAttachmentUrl(params.attachment)) {
    return {
      path: ['attachment'],
      message: `${ATTACHMENT_URL_MESSAGE} when attachment_type is ${JSON.stringify(params.attachment_type)}`,
    };
  }
  if (params.categories === undefined && params.taxonomies === undefined) {
    return { path: ['categories'], message: 'categories or taxonomies is required' };
  }
  const categories = params.categories ?? [];
  const duplicate = categories.findIndex(
    (category, index) => categories.indexOf(category) !== index,
  );
  if (duplicate >= 0) {
    return {
      path: ['categories', duplicate],
      message: `duplicate category ${JSON.stringify(categories[duplicate])}`,
    };
  }
  if (params.category_ids !== undefined) {
    if (params.categories === undefined)
      return { path: ['category_ids'], message: 'needs categories' };
    for (const [id, category] of Object.entries(params.category_ids)) {
      if (!categories.includes(category)) {
        return {
          path: ['category_ids', id],
          message: `${JSON.stringify(category)} is not one of the categories`,
        };
      }
    }
  }
  if (params.taxonomies !== undefined) {
    const questions = Object.keys(params.taxonomies);
    if (questions.length === 0)
      return { path: ['taxonomies'], message: 'must have at least one question' };
    const blank = questions.find((question) => question.trim() === '');
    if (blank !== undefined)
      return { path: ['taxonomies', blank], message: 'question names must not be blank' };
  }
  if (params.layers !== undefined && params.attachment_type !== 'image') {
    return { path: ['layers'], message: 'only apply when attachment_type is "image"' };
  }
  return undefined;
}

/** `categorization` create params, defaults filled in. */
export const CategorizationParamsSchema = CategorizationParamsBase.superRefine((params, ctx) =>
  reportFirst(ctx, [() => checkCategorizationParams(params)]),
);

/** `{category}` for `categories` (an array with allow_multiple), `{taxonomies: {question: [choice…]}}`. */
export const CategorizationResponseSchema = z
  .strictObject({
    category: z
      .union([NonBlankString, z.array(NonBlankString)], {
        error: unlessMissing('must be a category or an array of categories'),
      })
      .optional(),
    category_id: z.string().nullable().optional(),
    taxonomies: z.record(z.string(), z.array(z.string())).optional(),
  })
  .superRefine((response, ctx) => {
    if (response.category === undefined && response.taxonomies === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'category or taxonomies is required',
        path: ['category'],
      });
    }
  });

export type CategorizationResponse = z.output<typeof CategorizationResponseSchema>;

function checkCategory(
  response: CategorizationResponse,
  params: CategorizationParams,
): Problem | undefined {
  const categories = params.categories;
  if (categories === undefined) {
    if (response.category !== undefined || response.category_id !== undefined) {
      return { path: ['category'], message: 'this task asks taxonomies, not categories' };
    }
    return undefined;
  }
  const category = response.category;
  if (category === undefined) return { path: ['category'], message: 'is required' };
  let choices: string[];
  if (params.allow_multiple) {
    if (!Array.isArray(category)) {
      return {
        path: ['category'],
        message: 'must be an array of categories (allow_multiple is set)',
      };
    }
    choices = category;
  } else {
    if (typeof category !== 'string') {
      return { path: ['category'], message: 'must be one category (allow_multiple is not set)' };
    }
    choices = [category];
  }
  if (choices.length === 0)
    return { path: ['category'], message: 'must name at least one category' };
  for (const [index, choice] of choices.entries()) {
    const path = params.allow_multiple ? ['category', index] : ['category'];
    if (!categories.includes(choice)) {
      return {
        path,
        message: `${JSON.stringify(choice)} is not one of ${listForMessage(categories)}`,
      };
    }
    if (choices.indexOf(choice) !== index)
      return { path, message: `duplicate category ${JSON.stringify(choice)}` };
  }
  const id = response.category_id;
  if (id !== undefined && id !== null) {
    const named =
      params.category_ids && Object.hasOwn(params.category_ids, id)
        ? params.category_ids[id]
        : undefined;
    if (named === undefined)
      return { path: ['category_id'], message: `unknown category id ${JSON.stringify(id)}` };
    if (!choices.includes(named)) {
      return {
        path: ['category_id'],
        message: `${JSON.stringify(id)} is the id of ${JSON.stringify(named)}, not of the chosen category`,
      };
    }
  }
  return undefined;
}

function checkTaxonomies(
  response: CategorizationResponse,
  params: CategorizationParams,
): Problem | undefined {
  const taxonomies = params.taxonomies;
  if (taxonomies === undefined) {
    return response.taxonomies === undefined
      ? undefined
      : { path: ['taxonomies'], message: 'this task asks categories, not taxonomies' };
  }
  const answers = response.taxonomies;
  if (answers === undefined) return { path: ['taxonomies'], message: 'is required' };
  for (const question of Object.keys(answers)) {
    if (!Object.hasOwn(taxonomies, question)) {
      return {
        path: ['taxonomies', question],
        message: `unknown question ${JSON.stringify(question)}`,
      };
    }
  }
  for (const [question, taxonomy] of Object.entries(taxonomies)) {
    const answer = Object.hasOwn(answers, question) ? answers[question] : undefined;
    if (answer === undefined) return { path: ['taxonomies', question], message: 'is required' };
    if (answer.length === 0)
      return { path: ['taxonomies', question], message: 'must name at least one choice' };
    if (!taxonomy.allow_multiple && answer.length > 1) {
      return {
        path: ['taxonomies', question],
        message: 'must name exactly one choice (allow_multiple is not set)',
      };
    }
    const leaves = leafLabels(taxonomy.choices);
    for (const [index, choice] of answer.entries()) {
      if (!leaves.includes(choice)) {
        return {
          path: ['taxonomies', question, index],
          message: `${JSON.stringify(choice)} is not one of ${listForMessage(leaves)}`,
        };
      }
    }
  }
  return undefined;
}

export const categorization = defineTaskType({
  type: 'categorization',
  params: CategorizationParamsSchema,
  response: CategorizationResponseSchema,
  testResponse(params) {
    const response: CategorizationResponse = {};
    const first = params.categories?.[0];
    if (first !== undefined) response.category = params.allow_multiple ? [first] : first;
    if (params.taxonomies) {
      response.taxonomies = Object.fromEntries(
        Object.entries(params.taxonomies).map(([question, taxonomy]) => [
          question,
          leafLabels(taxonomy.choices).slice(0, 1),
        ]),
      );
    }
    return response;
  },
  checkResponse: (response, params) =>
    checkCategory(response, params) ?? checkTaxonomies(response, params),
});
