import { sql } from 'kysely';
import {
  judgeMessages,
  parseRatings,
  parseVerdict,
  ratingMessages,
  type ChatMessage,
  type JudgeCriterion,
} from '@quorum/core';
import type { AppContext } from '../context';
import { inTransaction } from '../db/executor';
import { targetOf } from '../services/models';
import { CLAIM_LAPSE_MS } from '../services/generations';
import { JUDGE } from '../services/judges';
import { conversationText } from '../services/preferences';

export interface JudgeJob {
  generationId: string;
  endpointId: string;
}

const CHUNK = 32;
const JOB_BUDGET_MS = 60_000;

/** Fills a judge's verdicts as the generate job fills responses: chunks, claims, a successor. */
export function judgeWorker(ctx: AppContext) {
  const db = ctx.database.db;
  const client = ctx.models;
  return async ({ generationId, endpointId }: JudgeJob): Promise<void> => {
    const started = Date.now();
    const endpoint = await db
      .selectFrom('model_endpoints')
      .selectAll()
      .where('id', '=', endpointId)
      .executeTakeFirst();
    for (;;) {
      const now = ctx.now();
      const claimed = await inTransaction(
        db,
        async (tx) =>
          (
            await sql<{ id: string; type: string; params: Record<string, unknown> }>`
            with picked as (
              select v.id from judge_verdicts v
               where v.generation_id = ${generationId} and v.endpoint_id = ${endpointId}
                 and (v.status = 'pending'
                      or (v.status = 'running' and v.claimed_at < ${new Date(now.getTime() - CLAIM_LAPSE_MS)}))
               order by v.id limit ${CHUNK}
               for update skip locked
            )
            update judge_verdicts v
               set status = 'running', claimed_at = ${now}, attempts = v.attempts + 1
              from picked, tasks t
             where v.id = picked.id and t.id = v.task_id
            returning v.id, t.type, t.params
          `.execute(tx)
          ).rows,
      );
      if (claimed.length === 0) return;
      await Promise.all(
        claimed.map(async (row) => {
          const attachments = (row.params.attachments as string[]) ?? [];
          const rating = row.type === 'chat';
          const criteria = (row.params.criteria as JudgeCriterion[] | undefined) ?? [];
          let update: Record<string, unknown>;
          try {
            if (!endpoint) throw new Error('the judge model endpoint is gone');
            const started = performance.now();
            const reply = await client.chat(
              targetOf(endpoint, ctx.secrets),
              rating
                ? ratingMessages(
                    conversationText((row.params.messages as ChatMessage[]) ?? []),
                    ((row.params.responses as string[]) ?? [])[0] ?? '',
                    criteria,
                  )
                : judgeMessages(
                    String(row.params.context ?? ''),
                    attachments[0] ?? '',
                    attachments[1] ?? '',
                  ),
            );
            // A verdict is A, B or tie; a rating verdict is the scores as JSON. Never guessed.
            const parsed = rating
              ? parseRatings(reply.content, criteria)
              : parseVerdict(reply.content);
            const refused =
              typeof parsed === 'string' && (rating || !['A', 'B', 'tie'].includes(parsed));
            update = refused
              ? { status: 'failed', error: parsed, reply: reply.content }
              : {
                  status: 'succeeded',
                  verdict: typeof parsed === 'string' ? parsed : JSON.stringify(parsed),
                  reply: reply.content,
                  error: null,
                  latency_ms: performance.now() - started,
                };
          } catch (error) {
            update = {
              status: 'failed',
              error: error instanceof Error ? error.message : String(error),
            };
          }
          await db
            .updateTable('judge_verdicts')
            .set({ ...update, completed_at: ctx.now() })
            .where('id', '=', row.id)
            .execute();
        }),
      );
      if (Date.now() - started > JOB_BUDGET_MS) {
        await inTransaction(db, (tx) => ctx.queue.send(tx, JUDGE, { generationId, endpointId }));
        return;
      }
    }
  };
}
