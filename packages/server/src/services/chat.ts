import { DomainError, type ChatMessage, type ChatTranscript, type Scope } from '@quorum/core';
import type { Kysely } from 'kysely';
import { inTransaction } from '../db/executor';
import type { AssignmentRow, Database, WorkerRow } from '../db/schema';
import { insertChatTurns, listChatTurns } from '../repositories/chat';
import type { SecretBox } from '../secrets';
import { loadLiveChat, transcriptOf } from './chat-transcript';
import type { ModelClient } from './model-client';
import { requireModelEndpoint, targetOf } from './models';
import { heartbeat } from './work';

/**
 * The annotator's next turn: the model answers (streamed to `onDelta` when given), then both
 * turns are recorded together, so a failed call records nothing and can be sent again. The
 * model is called outside any transaction; the assignment must still be held when the turns
 * are written, and the turn counts as activity (the lease is extended).
 */
export async function sendChatTurn(
  deps: { db: Kysely<Database>; secrets: SecretBox; client: ModelClient },
  scope: Scope,
  worker: WorkerRow,
  id: string,
  content: string,
  now: () => Date,
  onDelta: (text: string) => void = () => {},
): Promise<ChatTranscript> {
  const { db } = deps;
  const { assignment, task, params } = await loadLiveChat(db, scope, worker, id);
  if (assignment.stage === 'review' || assignment.stage === 'audit')
    throw new DomainError('conflict', 'A review shows the recorded chat; it cannot be continued');
  if (!isHeld(assignment))
    throw new DomainError('conflict', 'This assignment is no longer held; claim the work again');
  const turns = await listChatTurns(db, scope, assignment.id);
  const before = transcriptOf(params, turns);
  if (before.turnsLeft === 0)
    throw new DomainError(
      'conflict',
      `No turns left: this chat allows ${params.max_turns} of your messages`,
    );
  const endpoint = await requireModelEndpoint(db, scope, params.endpoint!);
  const asked: ChatMessage[] = [...before.messages, { role: 'user', content }];
  const reply = await deps.client.chatStream(targetOf(endpoint, deps.secrets), asked, onDelta);
  const seq = turns.length;
  await inTransaction(db, async (tx) => {
    const recorded = await insertChatTurns(tx, scope, [
      {
        assignment_id: assignment.id,
        seq,
        task_id: task.id,
        role: 'user',
        content,
        endpoint_id: null,
        created_at: now(),
      },
      {
        assignment_id: assignment.id,
        seq: seq + 1,
        task_id: task.id,
        role: 'assistant',
        content: reply.content,
        endpoint_id: endpoint.id,
        latency_ms: reply.latencyMs,
        prompt_tokens: reply.usage.promptTokens,
        completion_tokens: reply.usage.completionTokens,
        finish_reason: reply.finishReason,
        created_at: now(),
      },
    ]);
    if (!recorded)
      throw new DomainError(
        'conflict',
        'Another message was sent at the same time; reload the conversation',
      );
    // Throws when the claim lapsed and went to someone else meanwhile: nothing is recorded.
    await heartbeat(tx, scope, worker, assignment.id, now());
  });
  return {
    messages: [...asked, { role: 'assistant', content: reply.content }],
    turnsLeft: before.turnsLeft - 1,
    reply: {
      content: reply.content,
      finishReason: reply.finishReason,
      latencyMs: reply.latencyMs,
    },
  };
}

/** Still the worker's to continue (a lapsed lease is taken up again if nobody else took it). */
function isHeld(assignment: AssignmentRow): boolean {
  return assignment.status === 'active' || assignment.status === 'expired';
}
