import { z } from 'zod';
import {
  ATTACHMENT_URL_MESSAGE,
  MAX_TEXT_ATTACHMENT_LENGTH,
  MEDIA_TYPES,
  isAttachmentUrl,
} from './attachments';
import { defineTaskType } from './definition';
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
  if (params.choices === undefined && params.fields === undefined) {
    return { path: ['choices'], message: 'choices or fields is required' };
  }
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

/** `{choice}` when the task has choices, `{fields: {field_id: answer}}` when it has fields. */
export const ComparisonResponseSchema = z
  .strictObject({
    choice: NonBlankString.optional(),
    fields: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((response, ctx) => {
    if (response.choice === undefined && response.fields === undefined) {
      ctx.addIssue({ code: 'custom', message: 'choice or fields is required', path: ['choice'] });
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
    return response;
  },
  checkResponse: checkComparisonResponse,
});
