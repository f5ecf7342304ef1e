import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import {
  DomainError,
  notFound,
  parsePromptLine,
  type ModelParameters,
  type PromptRecord,
  type Scope,
} from '@quorum/core';
import type { Executor } from '../db/executor';
import type { Selectable } from 'kysely';
import type { GenerationsTable, ModelEndpointRow } from '../db/schema';
import type { JobQueue } from '../jobs/queue';
import { newId } from '../ids';
import { tenant } from '../repositories/tenant';
import { requireModelEndpoint } from './models';

export const GENERATE = 'generate';

/** A claimed response not written back within this long was lost with its process. */
export const CLAIM_LAPSE_MS = 10 * 60 * 1000;

const MAX_LINE = 1024 * 1024;
const MAX_REPORTED = 100;
const INSERT_BATCH = 500;

export interface PromptSetImport {
  id: string;
  name: string;
  prompts: number;
  skipped: number;
  /** The first skipped lines with why (at most 100). */
  problems: Array<{ line: number; reason: string }>;
}

/**
 * Imports a prompt set from JSON lines, all or nothing: the first bad line is refused with its
 * number, unless `skipBadLines`, when each bad line is reported and left out.
 */
export async function importPromptSet(
  db: Executor,
  scope: Scope,
  input: { name: string; lines: Readable; skipBadLines: boolean },
  now: Date,
): Promise<PromptSetImport> {
  const prompts: PromptRecord[] = [];
  const problems: Array<{ line: number; reason: string }> = [];
  let skipped = 0;
  let line = 0;
  for await (const text of createInterface({ input: input.lines, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    const parsed =
      text.length > MAX_LINE ? `longer than ${MAX_LINE} characters` : parsePromptLine(text);
    if (typeof parsed === 'string') {
      if (!input.skipBadLines)
        throw new DomainError(
          'invalid',
          `line ${line}: ${parsed} (nothing was imported; skipBadLines=true skips such lines)`,
          `line ${line}`,
        );
      skipped++;
      if (problems.length < MAX_REPORTED) problems.push({ line, reason: parsed });
      continue;
    }
    prompts.push(parsed);
  }
  if (prompts.length === 0) throw new DomainError('invalid', 'the prompt set has no prompts');
  const set = await db
    .insertInto('prompt_sets')
    .values({
      id: newId(now),
      ...tenant(scope),
      name: input.name,
      prompt_count: prompts.length,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['organization_id', 'livemode', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!set)
    throw new DomainError('conflict', `name: a prompt set named "${input.name}" exists`, 'name');
  for (let start = 0; start < prompts.length; start += INSERT_BATCH)
    await db
      .insertInto('prompts')
      .values(
        prompts.slice(start, start + INSERT_BATCH).map((prompt, i) => ({
          id: newId(now),
          prompt_set_id: set.id,
          seq: start + i,
          messages: JSON.stringify(prompt.messages),
          category: prompt.category,
          external_id: prompt.externalId,
          metadata: JSON.stringify(prompt.metadata),
        })),
      )
      .execute();
  return { id: set.id, name: set.name, prompts: prompts.length, skipped, problems };
}

export async function requirePromptSet(db: Executor, scope: Scope, idOrName: string) {
  const set = await db
    .selectFrom('prompt_sets')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  if (!set) throw notFound('Prompt set', idOrName);
  return set;
}

export async function listPromptSets(db: Executor, scope: Scope) {
  return db
    .selectFrom('prompt_sets')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .orderBy('created_at', 'desc')
    .execute();
}

/**
 * Starts generating a response from every model for every prompt of the set. The rows to fill
 * and the job that fills them are written in one transaction.
 */
export async function startGeneration(
  db: Executor,
  scope: Scope,
  queue: JobQueue,
  input: { promptSet: string; models: string[]; parameters: ModelParameters },
  now: Date,
) {
  const set = await requirePromptSet(db, scope, input.promptSet);
  const endpoints: ModelEndpointRow[] = [];
  for (const name of new Set(input.models))
    endpoints.push(await requireModelEndpoint(db, scope, name));
  const generation = await db
    .insertInto('generations')
    .values({
      id: newId(now),
      ...tenant(scope),
      prompt_set_id: set.id,
      endpoint_ids: endpoints.map((endpoint) => endpoint.id),
      parameters: JSON.stringify(input.parameters),
      status: 'running',
      total: set.prompt_count * endpoints.length,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  for (const endpoint of endpoints) {
    const parameters = JSON.stringify({ ...(endpoint.parameters as object), ...input.parameters });
    await sql`
      insert into generation_responses (id, generation_id, prompt_id, endpoint_id, model, parameters, status)
      select ${generation.id} || '.' || lpad(p.seq::text, 9, '0') || '.' || ${endpoint.id}, ${generation.id}, p.id,
             ${endpoint.id}, ${endpoint.model}, ${parameters}::jsonb, 'pending'
        from prompts p where p.prompt_set_id = ${set.id}
    `.execute(db);
  }
  await queue.send(db, GENERATE, { generationId: generation.id });
  return generation;
}

export async function listGenerations(db: Executor, scope: Scope) {
  return db
    .selectFrom('generations')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .orderBy('created_at', 'desc')
    .limit(100)
    .execute();
}

export async function requireGeneration(db: Executor, scope: Scope, id: string) {
  const generation = await db
    .selectFrom('generations')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .executeTakeFirst();
  if (!generation) throw notFound('Generation', id);
  return generation;
}

/** A generation with its progress by status. */
export async function generationView(db: Executor, generation: Selectable<GenerationsTable>) {
  const counts = await db
    .selectFrom('generation_responses')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .where('generation_id', '=', generation.id)
    .groupBy('status')
    .execute();
  const by = Object.fromEntries(counts.map((row) => [row.status, row.n])) as Record<string, number>;
  return {
    id: generation.id,
    status: generation.status,
    total: generation.total,
    succeeded: by.succeeded ?? 0,
    failed: by.failed ?? 0,
    pending: (by.pending ?? 0) + (by.running ?? 0),
    models: generation.endpoint_ids,
    created_at: generation.created_at.toISOString(),
    updated_at: generation.updated_at.toISOString(),
  };
}

export async function listResponses(
  db: Executor,
  generationId: string,
  page: { limit: number; after?: string | undefined },
) {
  let query = db
    .selectFrom('generation_responses')
    .innerJoin('prompts', 'prompts.id', 'generation_responses.prompt_id')
    .select([
      'generation_responses.id',
      'generation_responses.prompt_id',
      'prompts.messages',
      'prompts.category',
      'generation_responses.model',
      'generation_responses.endpoint_id',
      'generation_responses.parameters',
      'generation_responses.status',
      'generation_responses.content',
      'generation_responses.error',
      'generation_responses.finish_reason',
      'generation_responses.latency_ms',
      'generation_responses.prompt_tokens',
      'generation_responses.completion_tokens',
      'generation_responses.attempts',
    ])
    .where('generation_responses.generation_id', '=', generationId)
    .orderBy('generation_responses.id')
    .limit(page.limit);
  if (page.after) query = query.where('generation_responses.id', '>', page.after);
  return query.execute();
}

/** Picks a stopped or failed generation up again: lapsed claims (and failures, if asked) run again. */
export async function resumeGeneration(
  db: Executor,
  scope: Scope,
  queue: JobQueue,
  id: string,
  retryFailed: boolean,
  now: Date,
) {
  const generation = await requireGeneration(db, scope, id);
  await db
    .updateTable('generation_responses')
    .set({ status: 'pending', claimed_at: null, error: null })
    .where('generation_id', '=', generation.id)
    .where((eb) =>
      eb.or([
        // Only claims that lapsed: a live worker may still be on the others.
        eb.and([
          eb('status', '=', 'running'),
          eb('claimed_at', '<', new Date(now.getTime() - CLAIM_LAPSE_MS)),
        ]),
        ...(retryFailed ? [eb('status', '=', 'failed')] : []),
      ]),
    )
    .execute();
  const updated = await db
    .updateTable('generations')
    .set({ status: 'running', updated_at: now })
    .where('id', '=', generation.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await queue.send(db, GENERATE, { generationId: generation.id });
  return updated;
}
