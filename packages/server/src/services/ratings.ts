import { sql } from 'kysely';
import type { GenerationRatings, Scope } from '@quorum/core';
import { meanInterval } from '@quorum/quality';
import type { Executor } from '../db/executor';
import { requireGeneration } from './generations';

interface FeedbackRow {
  type: string;
  metadata: { models?: string[]; responses?: string[] };
  params: {
    criteria?: Array<{ id: string; min?: number; max?: number }>;
    flags?: string[];
  };
  response: {
    ratings?: Record<string, number[]>;
    flags?: Array<{ attachment?: number; response?: number; category: string }>;
    rewrite?: string;
  };
}

/**
 * What annotators said about each model's responses beyond preferences: mean rubric (Likert)
 * scores with 95% intervals per criterion, how often responses drew each safety flag (out of the
 * times they were shown where flags were offered), and how many rewrites were written.
 */
export async function generationRatings(
  db: Executor,
  scope: Scope,
  generationId: string,
): Promise<GenerationRatings> {
  const generation = await requireGeneration(db, scope, generationId);
  const rows = await sql<FeedbackRow>`
    select t.type, t.metadata, t.params, a.response
      from task_answers a join tasks t on t.id = a.task_id
     where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
       and t.metadata ->> 'quorum_generation' = ${generation.id}
  `.execute(db);
  const scores = new Map<string, { min: number; max: number; byModel: Map<string, number[]> }>();
  const shown = new Map<string, number>();
  const flagged = new Map<string, number>();
  const rewrites = new Map<string, number>();
  for (const row of rows.rows) {
    const models = row.metadata.models ?? [];
    for (const criterion of row.params.criteria ?? []) {
      const entry = scores.get(criterion.id) ?? {
        min: criterion.min ?? 1,
        max: criterion.max ?? 7,
        byModel: new Map(),
      };
      scores.set(criterion.id, entry);
      for (const [index, score] of (row.response.ratings?.[criterion.id] ?? []).entries()) {
        const model = models[index];
        if (model === undefined) continue;
        entry.byModel.set(model, [...(entry.byModel.get(model) ?? []), score]);
      }
    }
    if (row.params.flags) for (const model of models) shown.set(model, (shown.get(model) ?? 0) + 1);
    for (const flag of row.response.flags ?? []) {
      const model = models[flag.attachment ?? flag.response ?? -1];
      if (model === undefined) continue;
      const key = JSON.stringify([model, flag.category]);
      flagged.set(key, (flagged.get(key) ?? 0) + 1);
    }
    // A rewrite of one response is that model's; on a comparison it answers the prompt for all.
    if (row.response.rewrite?.trim() && models.length === 1)
      rewrites.set(models[0]!, (rewrites.get(models[0]!) ?? 0) + 1);
  }
  const byName = <T>(entries: Iterable<[string, T]>) =>
    [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    criteria: byName(scores).map(([criterion, entry]) => ({
      criterion,
      min: entry.min,
      max: entry.max,
      models: byName(entry.byModel).map(([model, values]) => {
        const mean = meanInterval(values, entry.min, entry.max);
        return { model, mean: mean.mean, lower: mean.lower, upper: mean.upper, count: mean.count };
      }),
    })),
    flags: byName(flagged).map(([key, count]) => {
      const [model, category] = JSON.parse(key) as [string, string];
      return { model, category, count, shown: shown.get(model) ?? 0 };
    }),
    rewrites: byName(rewrites).map(([model, count]) => ({ model, count })),
  };
}
