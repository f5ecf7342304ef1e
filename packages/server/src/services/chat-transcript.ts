import {
  DomainError,
  type ChatMessage,
  type ChatParams,
  type ChatTranscript,
  type Scope,
} from '@quorum/core';
import type { Executor } from '../db/executor';
import type { AssignmentRow, WorkerRow } from '../db/schema';
import { listChatTurns } from '../repositories/chat';
import { findTask } from '../repositories/tasks';
import { findAssignment } from '../repositories/workforce';

/** Whether a task is a live chat: the server records its turns and they are its conversation. */
export function isLiveChat(type: string, params: Record<string, unknown>): boolean {
  return type === 'chat' && typeof params.endpoint === 'string';
}

export async function loadLiveChat(db: Executor, scope: Scope, worker: WorkerRow, id: string) {
  const assignment = await findAssignment(db, scope, id, worker.id);
  if (!assignment) throw new DomainError('not_found', `Assignment "${id}" was not found`);
  const task = await findTask(db, scope, assignment.task_id);
  if (!task) throw new DomainError('not_found', `Assignment "${id}" was not found`);
  const params = task.params as Record<string, unknown>;
  if (!isLiveChat(task.type, params))
    throw new DomainError('conflict', 'This assignment is not a live chat with a model');
  return { assignment, task, params: params as ChatParams };
}

export function transcriptOf(params: ChatParams, turns: Array<{ role: string; content: string }>) {
  const messages: ChatMessage[] = [
    ...params.messages,
    ...turns.map((turn) => ({ role: turn.role as ChatMessage['role'], content: turn.content })),
  ];
  const used = turns.filter((turn) => turn.role === 'user').length;
  return { messages, turnsLeft: Math.max(0, params.max_turns - used) };
}

/** The live chat so far: the task's conversation and every turn recorded on this assignment. */
export async function chatTranscript(
  db: Executor,
  scope: Scope,
  worker: WorkerRow,
  id: string,
): Promise<ChatTranscript> {
  const { assignment, params } = await loadLiveChat(db, scope, worker, id);
  return transcriptOf(params, await listChatTurns(db, scope, assignment.id));
}

function canonicalChat(messages: unknown): string {
  if (!Array.isArray(messages)) return JSON.stringify(messages);
  return JSON.stringify(
    messages.map((message: { role?: unknown; content?: unknown } | null) => [
      message?.role,
      message?.content,
    ]),
  );
}

/**
 * The conversation a live chat's response carries, filled in by the server: the turns recorded
 * on the attempt, or, for a review, the conversation under review. A client may leave
 * `messages` out; if it sends them they must be exactly these.
 */
export async function withRecordedConversation(
  db: Executor,
  scope: Scope,
  assignment: AssignmentRow,
  params: Record<string, unknown>,
  consensus: Record<string, unknown> | null,
  response: unknown,
): Promise<unknown> {
  if (!response || typeof response !== 'object' || Array.isArray(response)) return response;
  const given = response as Record<string, unknown>;
  let messages: ChatMessage[];
  if (assignment.stage === 'review' || assignment.stage === 'audit') {
    const under = (
      assignment.stage === 'review'
        ? consensus?.response
        : (consensus?.reviewed ?? consensus?.response)
    ) as { messages?: ChatMessage[] } | undefined;
    messages = under?.messages ?? (params as ChatParams).messages;
  } else {
    const turns = await listChatTurns(db, scope, assignment.id);
    if (turns.length === 0)
      throw new DomainError(
        'unprocessable',
        'response.messages: chat with the model before submitting',
        'response.messages',
      );
    messages = transcriptOf(params as ChatParams, turns).messages;
  }
  if (given.messages !== undefined && canonicalChat(given.messages) !== canonicalChat(messages))
    throw new DomainError(
      'unprocessable',
      'response.messages: must be the recorded conversation (leave it out; the server fills it in)',
      'response.messages',
    );
  return { ...given, messages };
}
