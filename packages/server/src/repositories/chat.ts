import type { Insertable } from 'kysely';
import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { ChatTurnsTable } from '../db/schema';
import { tenant } from './tenant';

/** The recorded turns of one assignment's live chat, in order. */
export async function listChatTurns(db: Executor, scope: Scope, assignmentId: string) {
  return db
    .selectFrom('chat_turns')
    .select(['seq', 'role', 'content'])
    .where((eb) => eb.and(tenant(scope)))
    .where('assignment_id', '=', assignmentId)
    .orderBy('seq')
    .execute();
}

/**
 * Records a user turn and the model's reply. The key (assignment, seq) makes a second turn sent
 * at the same time fail instead of interleaving: returns false then.
 */
export async function insertChatTurns(
  db: Executor,
  scope: Scope,
  rows: Array<Omit<Insertable<ChatTurnsTable>, 'organization_id' | 'livemode'>>,
): Promise<boolean> {
  const inserted = await db
    .insertInto('chat_turns')
    .values(rows.map((row) => ({ ...tenant(scope), ...row })))
    .onConflict((oc) => oc.columns(['assignment_id', 'seq']).doNothing())
    .returning('seq')
    .execute();
  return inserted.length === rows.length;
}
