import { z } from 'zod';
import {
  ATTACHMENT_URL_MESSAGE,
  MAX_TEXT_ATTACHMENT_LENGTH,
  MEDIA_TYPES,
  isAttachmentUrl,
} from './attachments';
import { defineTaskType } from './definition';
import {
  Criteria,
  Flag,
  FlagCategories,
  checkCriteria,
  checkRatings,
  RewriteRequest,
  checkFlags,
  checkRanking,
  checkRewrite,
  testRewrite,
} from './feedback';
import { NonBlankString, listForMessage, reportFirst, type Problem } from './validation';

const ComparisonParamsBase = z.strictObject({
  /** The items compared: URLs, or the texts themselves when `attachment_type` is `text`. */
  attachments: z
    .array(z.string().min(1).max(MAX_TEXT_ATTACHMENT_LENGTH))
    .min(2, { error: 'must list at least 2 attachments to compare' }),
  attachment_type: z.enum(MEDIA_TYPES).default('image'),
  /** One question over all attachments: pick one of these. */
  choices: z.array(NonBlankString).min(1, { error: 'must list at least one choice' }).optional(),
  /** Free-text questions: `{ field_id: description }`. */
  fields: z.record(z.string(), z.string()).optional(),
  /** Shown above the attachments as text: the prompt or conversation the responses answer. */
  context: z.string().max(MAX_TEXT_ATTACHMENT_LENGTH).optional(),
  /**
   * Pairwise (or N-way) preference: which attachment is best, or a tie when `ties` allows it,
   * and how strongly, on the `strength` labels from weakest to strongest (e.g. slightly, clearly,
   * much better).
   */
  preference: z
    .strictObject({
      ties: z.boolean().default(true),
      strength: z.array(NonBlankString).min(1).max(10).optional(),
    })
    .optional(),
  /** Ratings of every attachment on each criterion (a rubric), integers from `min` to `max`. */
  criteria: Criteria.optional(),
  /** Rank every attachment from best to worst (a ranking of N responses). */
  ranking: z.boolean().optional(),
  /** Safety flags any attachment may be given: the categories offered (e.g. hazard ids). */
  flags: FlagCategories.optional(),
  /** Ask for a rewrite: the ideal response, a demonstration for supervised fine-tuning. */
  rewrite: RewriteRequest.optional(),
});

export type ComparisonParams = z.output<typeof ComparisonParamsBase>;

function checkComparisonParams(params: ComparisonParams): Problem | undefined {
  if (params.attachment_type !== 'text') {
    const index = params.attachments.findIndex((attachment) => !isAttachmentUrl(attachment));
    if (index >= 0) {
      return {
        path: ['attachments', index],
        message: `${ATTACHMENT_URL_MESSAGE} when attachment_type is ${JSON.stringify(params.attachment_type)}`,
      };
    }
  }
  if (
    params.choices === undefined &&
    params.fields === undefined &&
    params.preference === undefined &&
    params.criteria === undefined &&
    !params.ranking &&
    params.flags === undefined &&
    params.rewrite === undefined
  ) {
    return {
      path: ['choices'],
      message: 'choices, fields, preference, criteria, ranking, flags or rewrite is required',
    };
  }
  const criteriaProblem = checkCriteria(params.criteria);
  if (criteriaProblem) return criteriaProblem;
  const choices = params.choices ?? [];
  const duplicate = choices.findIndex((choice, index) => choices.indexOf(choice) !== index);
  if (duplicate >= 0) {
    return {
      path: ['choices', duplicate],
      message: `duplicate choice ${JSON.stringify(choices[duplicate])}`,
    };
  }
  if (params.fields !== undefined) {
    const ids = Object.keys(params.fields);
    if (ids.length === 0) return { path: ['fields'], message: 'must have at least one field' };
    const blank = ids.find((id) => id.trim() === '');
    if (blank !== undefined)
      return { path: ['fields', blank], message: 'field ids must not be blank' };
  }
  return undefined;
}

/** `comparison` create params, defaults filled in. */
export const ComparisonParamsSchema = ComparisonParamsBase.superRefine((params, ctx) =>
  reportFirst(ctx, [() => checkComparisonParams(params)]),
);

/**
 * `{choice}` when the task has choices, `{fields: {field_id: answer}}` when it has fields,
 * `{preference: {winner, strength}}` (winner: the attachment's index or "tie") and
 * `{ratings: {criterion: [score per attachment]}}` when it asks for them.
 */
export const ComparisonResponseSchema = z
  .strictObject({
    choice: NonBlankString.optional(),
    fields: z.record(z.string(), z.string()).optional(),
    preference: z
      .strictObject({
        winner: z.union([z.number().int().nonnegative(), z.literal('tie')]),
        strength: NonBlankString.optional(),
      })
      .optional(),
    ratings: z.record(z.string(), z.array(z.number().int())).optional(),
    /** Attachment indexes, best first. */
    ranking: z.array(z.number().int().nonnegative()).optional(),
    flags: z.array(Flag).optional(),
    rewrite: z.string().max(MAX_TEXT_ATTACHMENT_LENGTH).optional(),
  })
  .superRefine((response, ctx) => {
    if (
      response.choice === undefined &&
      response.fields === undefined &&
      response.preference === undefined &&
      response.ratings === undefined &&
      response.ranking === undefined &&
      response.flags === undefined &&
      response.rewrite === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'choice, fields, preference, ratings, ranking, flags or rewrite is required',
        path: ['choice'],
      });
    }
  });

export type ComparisonResponse = z.output<typeof ComparisonResponseSchema>;

function checkComparisonResponse(
  response: ComparisonResponse,
  params: ComparisonParams,
): Problem | undefined {
  if (params.choices === undefined) {
    if (response.choice !== undefined)
      return { path: ['choice'], message: 'this task has no choices' };
  } else if (response.choice === undefined) {
    return { path: ['choice'], message: 'is required' };
  } else if (!params.choices.includes(response.choice)) {
    return {
      path: ['choice'],
      message: `${JSON.stringify(response.choice)} is not one of ${listForMessage(params.choices)}`,
    };
  }
  for (const id of Object.keys(response.fields ?? {})) {
    if (!params.fields || !Object.hasOwn(params.fields, id)) {
      return { path: ['fields', id], message: `unknown field ${JSON.stringify(id)}` };
    }
  }
  return (
    checkPreference(response, params) ??
    checkRatings(response.ratings, params.criteria, params.attachments.length, 'attachment') ??
    checkRanking(response.ranking, params.ranking === true, params.attachments.length) ??
    checkFlags(response.flags, params.flags, { attachment: params.attachments.length }) ??
    checkRewrite(response.rewrite, params.rewrite)
  );
}

function checkPreference(
  response: ComparisonResponse,
  params: ComparisonParams,
): Problem | undefined {
  const { preference } = response;
  if (!params.preference)
    return preference
      ? { path: ['preference'], message: 'this task asks for no preference' }
      : undefined;
  if (!preference) return { path: ['preference'], message: 'is required' };
  if (preference.winner === 'tie') {
    if (!params.preference.ties)
      return { path: ['preference', 'winner'], message: 'this task allows no ties' };
    if (preference.strength !== undefined)
      return { path: ['preference', 'strength'], message: 'a tie has no strength' };
    return undefined;
  }
  if (preference.winner >= params.attachments.length)
    return {
      path: ['preference', 'winner'],
      message: `must be an attachment index below ${params.attachments.length}, or "tie"`,
    };
  const strengths = params.preference.strength;
  if (!strengths) {
    return preference.strength === undefined
      ? undefined
      : { path: ['preference', 'strength'], message: 'this task asks for no strength' };
  }
  if (preference.strength === undefined)
    return { path: ['preference', 'strength'], message: 'is required' };
  if (!strengths.includes(preference.strength))
    return {
      path: ['preference', 'strength'],
      message: `${JSON.stringify(preference.strength)} is not one of ${listForMessage(strengths)}`,
    };
  return undefined;
}

export const comparison = defineTaskType({
  type: 'comparison',
  params: ComparisonParamsSchema,
  response: ComparisonResponseSchema,
  testResponse(params) {
    const response: ComparisonResponse = {};
    const first = params.choices?.[0];
    if (first !== undefined) response.choice = first;
    if (params.fields !== undefined) response.fields = {};
    if (params.preference !== undefined)
      response.preference = params.preference.ties
        ? { winner: 'tie' }
        : {
            winner: 0,
            ...(params.preference.strength ? { strength: params.preference.strength[0]! } : {}),
          };
    if (params.criteria !== undefined)
      response.ratings = Object.fromEntries(
        params.criteria.map((criterion) => [
          criterion.id,
          params.attachments.map(() => criterion.min),
        ]),
      );
    if (params.ranking) response.ranking = params.attachments.map((_, index) => index);
    if (params.flags !== undefined) response.flags = [];
    if (params.rewrite !== undefined) response.rewrite = testRewrite(params.attachments[0]);
    return response;
  },
  checkResponse: checkComparisonResponse,
});
