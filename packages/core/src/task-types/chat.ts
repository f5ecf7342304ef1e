import { z } from 'zod';
import { ChatMessageSchema, type ChatMessage } from '../api/models';
import { DEFAULT_SEVERITIES } from '../hazards';
import { MAX_TEXT_ATTACHMENT_LENGTH } from './attachments';
import { defineTaskType } from './definition';
import {
  Criteria,
  Flag,
  FlagCategories,
  RewriteRequest,
  checkCriteria,
  checkFlags,
  checkRatings,
  checkRewrite,
  testRewrite,
} from './feedback';
import { NonBlankString, listForMessage, reportFirst, type Problem } from './validation';

const MAX_MESSAGES = 400;

const HazardCategorySchema = z.strictObject({
  id: NonBlankString,
  name: NonBlankString,
  description: z.string().max(2000).default(''),
});

/** What a red-team attempt is after: the assigned category, the campaign's taxonomy, severities. */
const RedTeamRequest = z.strictObject({
  category: NonBlankString,
  taxonomy: z.array(HazardCategorySchema).min(1).max(100),
  severities: z
    .array(NonBlankString)
    .min(1)
    .max(10)
    .default(() => [...DEFAULT_SEVERITIES]),
});

const ChatParamsBase = z.strictObject({
  /** The conversation so far. */
  messages: z.array(ChatMessageSchema).max(MAX_MESSAGES).default([]),
  /**
   * Live chat: the model endpoint (id or name) that answers the annotator's turns. The server
   * records every turn; the submitted conversation is the recorded one.
   */
  endpoint: NonBlankString.optional(),
  /** The annotator's turns at most, in live chat. */
  max_turns: z.number().int().min(1).max(100).default(10),
  /** Candidate responses to the conversation's last user turn, to rate, flag or rewrite. */
  responses: z.array(z.string().min(1).max(MAX_TEXT_ATTACHMENT_LENGTH)).min(1).max(10).optional(),
  /** Likert or rubric ratings of each response (or of the live conversation as a whole). */
  criteria: Criteria.optional(),
  flags: FlagCategories.optional(),
  /** The ideal response: a demonstration for supervised fine-tuning. */
  rewrite: RewriteRequest.optional(),
  /** A red-team attempt: elicit harm in `category` from the live model. */
  redteam: RedTeamRequest.optional(),
});

export type ChatParams = z.output<typeof ChatParamsBase>;

function checkChatParams(params: ChatParams): Problem | undefined {
  const live = params.endpoint !== undefined;
  if (live && params.responses)
    return { path: ['responses'], message: 'a live chat has no given responses' };
  if (!live && !params.responses && !params.rewrite)
    return { path: ['endpoint'], message: 'endpoint, responses or rewrite is required' };
  if (!live && params.messages.at(-1)?.role !== 'user')
    return {
      path: ['messages'],
      message: 'must end with the user’s turn that the responses (or the rewrite) answer',
    };
  if (params.redteam) {
    if (!live) return { path: ['endpoint'], message: 'a red-team attempt needs a live model' };
    if (params.rewrite)
      return {
        path: ['rewrite'],
        message: 'a red-team attempt asks for a safe rewrite when it succeeds; leave rewrite out',
      };
    const ids = params.redteam.taxonomy.map((category) => category.id);
    const duplicate = ids.findIndex((id, index) => ids.indexOf(id) !== index);
    if (duplicate >= 0)
      return {
        path: ['redteam', 'taxonomy', duplicate, 'id'],
        message: `duplicate category ${JSON.stringify(ids[duplicate])}`,
      };
    if (!ids.includes(params.redteam.category))
      return {
        path: ['redteam', 'category'],
        message: `${JSON.stringify(params.redteam.category)} is not one of ${listForMessage(ids)}`,
      };
  }
  return checkCriteria(params.criteria);
}

/** `chat` create params, defaults filled in. */
export const ChatParamsSchema = ChatParamsBase.superRefine((params, ctx) =>
  reportFirst(ctx, [() => checkChatParams(params)]),
);

const RedTeamOutcome = z.strictObject({
  /** Whether the model produced harmful content. */
  success: z.boolean(),
  /** The category the harm fell into (the assigned one, or another of the taxonomy). */
  category: NonBlankString,
  severity: NonBlankString.optional(),
  /** The index in `messages` of the harmful assistant turn. */
  message: z.number().int().nonnegative().optional(),
  notes: z.string().max(10_000).optional(),
});

/**
 * `{messages}` (live chat: the conversation as it happened), `{ratings: {criterion: [score per
 * response]}}`, `{flags: [{response | message, category}]}`, `{rewrite}` and, for red-team
 * attempts, `{outcome: {success, category, severity, message}}` with a safe `rewrite` of the
 * harmful turn when the attack succeeded.
 */
export const ChatResponseSchema = z.strictObject({
  messages: z.array(ChatMessageSchema).max(MAX_MESSAGES).optional(),
  ratings: z.record(z.string(), z.array(z.number().int())).optional(),
  flags: z.array(Flag).optional(),
  rewrite: z.string().max(MAX_TEXT_ATTACHMENT_LENGTH).optional(),
  outcome: RedTeamOutcome.optional(),
});

export type ChatResponse = z.output<typeof ChatResponseSchema>;

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return a.role === b.role && a.content === b.content;
}

function checkConversation(response: ChatResponse, params: ChatParams): Problem | undefined {
  if (params.endpoint === undefined)
    return response.messages
      ? { path: ['messages'], message: 'only a live chat records messages' }
      : undefined;
  const messages = response.messages;
  if (!messages) return { path: ['messages'], message: 'is required' };
  const changed = params.messages.findIndex(
    (message, index) => !messages[index] || !sameMessage(message, messages[index]),
  );
  if (changed >= 0)
    return { path: ['messages', changed], message: 'must keep the conversation the task gave' };
  const turns = messages.slice(params.messages.length);
  const userTurns = turns.filter((message) => message.role === 'user').length;
  if (userTurns > params.max_turns)
    return { path: ['messages'], message: `must hold at most ${params.max_turns} user turns` };
  return undefined;
}

function checkOutcome(response: ChatResponse, params: ChatParams): Problem | undefined {
  const { outcome } = response;
  const request = params.redteam;
  if (!request)
    return outcome
      ? { path: ['outcome'], message: 'this task is not a red-team attempt' }
      : undefined;
  if (!outcome) return { path: ['outcome'], message: 'is required' };
  const ids = request.taxonomy.map((category) => category.id);
  if (!ids.includes(outcome.category))
    return {
      path: ['outcome', 'category'],
      message: `${JSON.stringify(outcome.category)} is not one of ${listForMessage(ids)}`,
    };
  if (!outcome.success) {
    if (outcome.severity !== undefined)
      return { path: ['outcome', 'severity'], message: 'an attempt that failed has no severity' };
    if (outcome.message !== undefined)
      return {
        path: ['outcome', 'message'],
        message: 'an attempt that failed has no harmful turn',
      };
    return undefined;
  }
  if (outcome.severity === undefined)
    return { path: ['outcome', 'severity'], message: 'is required when the attempt succeeded' };
  if (!request.severities.includes(outcome.severity))
    return {
      path: ['outcome', 'severity'],
      message: `${JSON.stringify(outcome.severity)} is not one of ${listForMessage(request.severities)}`,
    };
  if (outcome.message === undefined)
    return { path: ['outcome', 'message'], message: 'is required when the attempt succeeded' };
  const messages = response.messages ?? [];
  if (outcome.message < params.messages.length || messages[outcome.message]?.role !== 'assistant')
    return {
      path: ['outcome', 'message'],
      message: 'must be the index of a model turn of the live chat',
    };
  if (response.rewrite === undefined || response.rewrite.trim() === '')
    return { path: ['rewrite'], message: 'a safe rewrite of the harmful turn is required' };
  return undefined;
}

function checkChatResponse(response: ChatResponse, params: ChatParams): Problem | undefined {
  const conversation = response.messages ?? params.messages;
  const rated = params.responses?.length ?? 1;
  return (
    checkConversation(response, params) ??
    checkRatings(
      response.ratings,
      params.criteria,
      rated,
      params.responses ? 'response' : 'chat',
    ) ??
    checkFlags(
      response.flags,
      params.flags,
      {
        ...(params.responses ? { response: params.responses.length } : {}),
        message: conversation.length,
      },
      (target, index) =>
        target === 'message' && conversation[index]?.role !== 'assistant'
          ? 'only a model turn can be flagged'
          : undefined,
    ) ??
    checkOutcome(response, params) ??
    (params.redteam ? undefined : checkRewrite(response.rewrite, params.rewrite))
  );
}

export const chat = defineTaskType({
  type: 'chat',
  params: ChatParamsSchema,
  response: ChatResponseSchema,
  testResponse(params) {
    const response: ChatResponse = {};
    if (params.endpoint !== undefined) response.messages = params.messages;
    if (params.criteria !== undefined) {
      const rated = params.responses?.length ?? 1;
      response.ratings = Object.fromEntries(
        params.criteria.map((criterion) => [
          criterion.id,
          Array.from({ length: rated }, () => criterion.min),
        ]),
      );
    }
    if (params.flags !== undefined) response.flags = [];
    if (params.rewrite !== undefined) response.rewrite = testRewrite(params.responses?.[0]);
    if (params.redteam !== undefined)
      response.outcome = { success: false, category: params.redteam.category };
    return response;
  },
  checkResponse: checkChatResponse,
});
