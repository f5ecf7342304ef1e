import { sql } from 'kysely';
import type { ChatMessage, ModelParameters } from '@quorum/core';
import type { AppContext } from '../context';
import { inTransaction } from '../db/executor';
import { targetOf } from '../services/models';
import { CLAIM_LAPSE_MS, GENERATE } from '../services/generations';

export interface GenerateJob {
  generationId: string;
}

/** Responses claimed at a time, and how long one job works before handing over to the next. */
const CHUNK = 32;
const JOB_BUDGET_MS = 60_000;

/**
 * Fills a generation's responses: claims a chunk of pending rows (skipping rows another process
 * holds), calls the models outside any transaction, writes each result as it comes. Past its time
 * budget a job enqueues its successor, so a long run is many short jobs and a crash loses at most
 * the claimed chunk, which is claimed again once its claim lapses.
 */
export function generateWorker(ctx: AppContext) {
  const db = ctx.database.db;
  const client = ctx.models;
  return async ({ generationId }: GenerateJob): Promise<void> => {
    const started = Date.now();
    for (;;) {
      const now = ctx.now();
      const claimed = await inTransaction(db, async (tx) => {
        const rows = await sql<{
          id: string;
          endpoint_id: string;
          parameters: ModelParameters;
          messages: ChatMessage[];
          organization_id: string;
        }>`
          with picked as (
            select r.id from generation_responses r
             where r.generation_id = ${generationId}
               and (r.status = 'pending'
                    or (r.status = 'running' and r.claimed_at < ${new Date(now.getTime() - CLAIM_LAPSE_MS)}))
             order by r.id
             limit ${CHUNK}
             for update skip locked
          )
          update generation_responses r
             set status = 'running', claimed_at = ${now}, attempts = r.attempts + 1
            from picked, prompts p, generations g
           where r.id = picked.id and p.id = r.prompt_id and g.id = r.generation_id
          returning r.id, r.endpoint_id, r.parameters, p.messages, g.organization_id
        `.execute(tx);
        return rows.rows;
      });
      if (claimed.length === 0) break;
      const endpoints = await db
        .selectFrom('model_endpoints')
        .selectAll()
        .where('id', 'in', [...new Set(claimed.map((row) => row.endpoint_id))])
        .where('organization_id', '=', claimed[0]!.organization_id)
        .execute();
      await Promise.all(
        claimed.map(async (row) => {
          const endpoint = endpoints.find((candidate) => candidate.id === row.endpoint_id);
          let outcome:
            | { ok: true; reply: Awaited<ReturnType<typeof client.chat>> }
            | { ok: false; error: string };
          try {
            if (!endpoint) throw new Error('the model endpoint is gone');
            const target = { ...targetOf(endpoint, ctx.secrets), parameters: {} };
            outcome = { ok: true, reply: await client.chat(target, row.messages, row.parameters) };
          } catch (error) {
            outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
          }
          const done = ctx.now();
          await db
            .updateTable('generation_responses')
            .set(
              outcome.ok
                ? {
                    status: 'succeeded',
                    content: outcome.reply.content,
                    error: null,
                    finish_reason: outcome.reply.finishReason,
                    latency_ms: outcome.reply.latencyMs,
                    prompt_tokens: outcome.reply.usage.promptTokens,
                    completion_tokens: outcome.reply.usage.completionTokens,
                    completed_at: done,
                  }
                : { status: 'failed', error: outcome.error, completed_at: done },
            )
            .where('id', '=', row.id)
            .execute();
        }),
      );
      if (Date.now() - started > JOB_BUDGET_MS) {
        await inTransaction(db, (tx) => ctx.queue.send(tx, GENERATE, { generationId }));
        return;
      }
    }
    // Nothing left to claim: done once nothing is still running elsewhere.
    await sql`
      update generations set status = 'completed', updated_at = ${ctx.now()}
       where id = ${generationId}
         and not exists (select 1 from generation_responses
                          where generation_id = ${generationId} and status in ('pending', 'running'))
    `.execute(db);
  };
}
