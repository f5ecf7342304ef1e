/**
 * The chat editor's model: what the task asks (read with core's schema, defaults filled in), the
 * editor's state, the response it makes and what is still missing, in words. Pure: the live
 * conversation is an input, held by the component as the server records it.
 */
import { ChatParamsSchema, type ChatParams, type HazardCategory } from '@quorum/core';
import {
  categoryName,
  flagsOf,
  flagsResponse,
  ratingsOf,
  ratingsResponse,
  rewriteResponse,
  type FlagMark,
  type Ratings,
} from './feedback';

type Json = Record<string, unknown>;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * How the conversation is had: `live` (the annotator talks to the model; the server records the
 * turns), `recorded` (a review of a live chat: the attempt's conversation, read-only) or `given`
 * (a fixed conversation with candidate responses, or a demonstration to write).
 */
export type ChatMode = 'live' | 'recorded' | 'given';

export interface ChatTask {
  params: ChatParams;
  mode: ChatMode;
  /** How many things are rated: each candidate response, or the conversation as a whole. */
  rated: number;
}

/** The task's params as core reads them, and the mode the assignment's stage puts it in. */
export function chatTaskOf(
  params: Json,
  stage: string | undefined,
): { task: ChatTask } | { problem: string } {
  const parsed = ChatParamsSchema.safeParse(params);
  if (!parsed.success)
    return {
      problem: `This chat task's parameters cannot be read: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    };
  const live = parsed.data.endpoint !== undefined;
  const reviewing = stage === 'review' || stage === 'audit';
  return {
    task: {
      params: parsed.data,
      mode: !live ? 'given' : reviewing ? 'recorded' : 'live',
      rated: parsed.data.responses?.length ?? 1,
    },
  };
}

export interface Outcome {
  /** Undecided until the annotator says. */
  success: boolean | undefined;
  category: string;
  severity: string | undefined;
  /** The index in the conversation of the harmful model turn. */
  message: number | undefined;
  notes: string;
}

export interface ChatState {
  ratings: Ratings;
  flags: FlagMark[];
  rewrite: string;
  outcome: Outcome;
}

/** The state a stored response (a review's consensus) starts the editor in. */
export function chatStateOf(task: ChatTask, initial: Json | undefined): ChatState {
  const outcome = (initial?.outcome ?? {}) as Partial<Record<keyof Outcome, unknown>>;
  return {
    ratings: ratingsOf(initial?.ratings),
    flags: flagsOf(initial?.flags).filter((flag) => flag.target !== 'attachment'),
    rewrite: typeof initial?.rewrite === 'string' ? initial.rewrite : '',
    outcome: {
      success: typeof outcome.success === 'boolean' ? outcome.success : undefined,
      category:
        typeof outcome.category === 'string'
          ? outcome.category
          : (task.params.redteam?.category ?? ''),
      severity: typeof outcome.severity === 'string' ? outcome.severity : undefined,
      message: typeof outcome.message === 'number' ? outcome.message : undefined,
      notes: typeof outcome.notes === 'string' ? outcome.notes : '',
    },
  };
}

/** The conversation a recorded chat shows: the attempt's messages, else the task's. */
export function recordedConversation(task: ChatTask, initial: Json | undefined): ChatMessage[] {
  const messages = initial?.messages;
  return Array.isArray(messages) ? (messages as ChatMessage[]) : task.params.messages;
}

export interface ModelTurn {
  /** The index in the conversation. */
  index: number;
  /** 1 for the conversation's first model turn, and so on. */
  number: number;
  content: string;
}

/** The model's turns, numbered; `from` leaves out the turns before that index. */
export function modelTurns(conversation: ChatMessage[], from = 0): ModelTurn[] {
  const turns: ModelTurn[] = [];
  let number = 0;
  conversation.forEach((message, index) => {
    if (message.role !== 'assistant') return;
    number++;
    if (index >= from) turns.push({ index, number, content: message.content });
  });
  return turns;
}

/** The model turns a red-team attempt can name as the harmful one: those of the live chat. */
export function harmfulCandidates(task: ChatTask, conversation: ChatMessage[]): ModelTurn[] {
  return modelTurns(conversation, task.params.messages.length);
}

/** Flags that still point at something shown (a turn may have gone with a failed send). */
function flagsShown(task: ChatTask, flags: FlagMark[], conversation: ChatMessage[]) {
  return flags.filter((flag) =>
    flag.target === 'message'
      ? conversation[flag.index]?.role === 'assistant'
      : flag.target === 'response' && flag.index < (task.params.responses?.length ?? 0),
  );
}

function outcomeResponse(task: ChatTask, state: ChatState): Json | undefined {
  const { outcome } = state;
  if (!task.params.redteam || outcome.success === undefined) return undefined;
  const notes = outcome.notes.trim() === '' ? {} : { notes: outcome.notes };
  if (!outcome.success) return { success: false, category: outcome.category, ...notes };
  return {
    success: true,
    category: outcome.category,
    ...(outcome.severity !== undefined ? { severity: outcome.severity } : {}),
    ...(outcome.message !== undefined ? { message: outcome.message } : {}),
    ...notes,
  };
}

/**
 * The response to submit, and the response as the server completes it (a live chat's
 * conversation is filled in by the server from what it recorded, so it is not sent), which is
 * what the task's check runs on before submitting.
 */
export function chatResponse(
  task: ChatTask,
  state: ChatState,
  conversation: ChatMessage[],
): { response: Json; complete: Json } {
  const { params } = task;
  const response: Json = {};
  if (task.mode === 'recorded') response.messages = conversation;
  if (params.criteria)
    response.ratings = ratingsResponse(state.ratings, params.criteria, task.rated);
  if (params.flags) response.flags = flagsResponse(flagsShown(task, state.flags, conversation));
  const outcome = outcomeResponse(task, state);
  if (outcome) response.outcome = outcome;
  // A red-team attempt's rewrite is the safe version of the harmful turn: only when it succeeded.
  if (params.redteam ? state.outcome.success === true : params.rewrite !== undefined) {
    const rewrite = rewriteResponse(state.rewrite);
    if (rewrite !== undefined) response.rewrite = rewrite;
  }
  const complete = task.mode === 'live' ? { ...response, messages: conversation } : response;
  return { response, complete };
}

/** What the annotator still has to do before submitting, in words (empty: ready). */
export function chatTodo(task: ChatTask, state: ChatState, conversation: ChatMessage[]): string[] {
  const { params } = task;
  const todo: string[] = [];
  if (params.criteria) {
    const given = ratingsResponse(state.ratings, params.criteria, task.rated);
    const open = params.criteria.filter((criterion) => !given[criterion.id]);
    if (open.length > 0)
      todo.push(
        `Rate ${open.map((criterion) => criterion.description || criterion.id).join(', ')}`,
      );
  }
  if (params.redteam) {
    const { outcome } = state;
    if (outcome.success === undefined) todo.push('Say whether the attack succeeded');
    if (outcome.success) {
      if (outcome.severity === undefined) todo.push('Choose the severity');
      if (outcome.message === undefined) todo.push('Choose the harmful model turn');
      if (state.rewrite.trim() === '') todo.push('Write a safe rewrite of the harmful turn');
    }
    if (outcome.success && harmfulCandidates(task, conversation).length === 0)
      todo.push('Chat with the model first: no model turn to name yet');
  } else if (params.rewrite?.required && state.rewrite.trim() === '') {
    todo.push('Write the ideal response');
  }
  return todo;
}

/** The campaign's category, by name and description, for the red-teamer to aim at. */
export function targetOf(task: ChatTask): HazardCategory | undefined {
  const request = task.params.redteam;
  if (!request) return undefined;
  const found = request.taxonomy.find((category) => category.id === request.category);
  return {
    id: request.category,
    name: found?.name ?? categoryName(request.category),
    description: found?.description ?? '',
  };
}
