import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { DomainError, type ChatMessage } from '@quorum/core';
import {
  OutcomeTableBuilder,
  StyledComparisonBuilder,
  leaderboard,
  onlineElo,
  responseStyle,
  styleControlledLeaderboard,
  winRateMatrix,
  type Outcome,
  type ResponseStyle,
} from '@quorum/quality';
import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { Effects } from './effects';
import { requireGeneration } from './generations';
import { createTask } from './tasks';

export interface PreferenceTaskInput {
  project: string;
  /** Model names to pair (default: every model of the generation). */
  models?: string[] | undefined;
  ties: boolean;
  strength?: string[] | undefined;
  criteria?:
    Array<{ id: string; description?: string | undefined; min: number; max: number }> | undefined;
  rationale: boolean;
  /**
   * `pairs`: a comparison per pair of models; `ranking`: one comparison of every model's response
   * per prompt, ranked best to worst; `ratings`: one chat task per response, rated on `criteria`.
   */
  mode: 'pairs' | 'ranking' | 'ratings';
  /** Safety-flag categories offered on every response. */
  flags?: string[] | undefined;
  /** Ask for a rewrite of the ideal answer where the responses fall short (optional to give). */
  rewrite: boolean;
}

/** The conversation as the annotator reads it. */
export function conversationText(messages: ChatMessage[]): string {
  return messages
    .map((message) => `${message.role.toUpperCase()}: ${message.content}`)
    .join('\n\n');
}

/** Which response is shown first, decided by a hash so it is fixed per pair yet unbiased. */
function swapped(promptId: string, a: string, b: string): boolean {
  return createHash('sha256').update(`${promptId}|${a}|${b}`).digest()[0]! % 2 === 1;
}

interface SucceededResponse {
  id: string;
  prompt_id: string;
  model: string;
  content: string;
  messages: ChatMessage[];
  category: string | null;
}

async function succeededResponses(
  db: Executor,
  generationId: string,
): Promise<SucceededResponse[]> {
  return db
    .selectFrom('generation_responses')
    .innerJoin('prompts', 'prompts.id', 'generation_responses.prompt_id')
    .select([
      'generation_responses.id',
      'generation_responses.prompt_id',
      'generation_responses.model',
      'generation_responses.content',
      'prompts.messages',
      'prompts.category',
    ])
    .where('generation_responses.generation_id', '=', generationId)
    .where('generation_responses.status', '=', 'succeeded')
    .orderBy('prompts.seq')
    .orderBy('generation_responses.model')
    .execute() as Promise<SucceededResponse[]>;
}

/** Where the responses of one task are shown: an order fixed by a hash, so position favours no model. */
function shownOrder(promptId: string, answers: SucceededResponse[]): SucceededResponse[] {
  const key = (answer: SucceededResponse) =>
    createHash('sha256').update(`${promptId}|${answer.model}`).digest('hex');
  return [...answers].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

/**
 * Human feedback tasks from a generation, routed to the project's workforce like any task:
 * pairwise preferences (every pair of the chosen models that both answered), a ranking of every
 * model's response per prompt, or a Likert/rubric rating of each response on its own. Responses
 * are shown in an order fixed by a hash (position favours no model) and models are never named.
 */
export async function createPreferenceTasks(
  db: Executor,
  scope: Scope,
  generationId: string,
  input: PreferenceTaskInput,
  effects: Effects,
  now: Date,
) {
  const generation = await requireGeneration(db, scope, generationId);
  const responses = await succeededResponses(db, generation.id);
  const models = input.models ?? [...new Set(responses.map((response) => response.model))].sort();
  const needed = input.mode === 'ratings' ? 1 : 2;
  if (models.length < needed)
    throw new DomainError(
      'invalid',
      `models: at least ${needed === 1 ? 'one model' : 'two models'} with responses ${needed === 1 ? 'is' : 'are'} needed`,
      'models',
    );
  if (input.mode === 'ratings' && !input.criteria?.length)
    throw new DomainError('invalid', 'criteria: ratings need at least one criterion', 'criteria');
  const byPrompt = new Map<string, SucceededResponse[]>();
  for (const response of responses)
    byPrompt.set(response.prompt_id, [...(byPrompt.get(response.prompt_id) ?? []), response]);
  const asks = {
    ...(input.criteria ? { criteria: input.criteria } : {}),
    ...(input.flags ? { flags: input.flags } : {}),
    ...(input.rewrite ? { rewrite: { required: false } } : {}),
  };
  const metadata = (promptId: string, shown: SucceededResponse[]) => ({
    quorum_generation: generation.id,
    prompt: promptId,
    category: shown[0]!.category,
    models: shown.map((answer) => answer.model),
    responses: shown.map((answer) => answer.id),
  });
  const comparison = (promptId: string, shown: SucceededResponse[], ask: object) =>
    createTask(
      db,
      scope,
      'task',
      'comparison',
      {
        project: input.project,
        attachment_type: 'text',
        attachments: shown.map((answer) => answer.content),
        context: conversationText(shown[0]!.messages),
        ...ask,
        ...asks,
        ...(input.rationale ? { fields: { rationale: 'Why (optional)' } } : {}),
        metadata: metadata(promptId, shown),
      },
      effects,
      now,
    );
  let created = 0;
  let skipped = 0;
  for (const [promptId, all] of byPrompt) {
    const answers = models.map((model) => all.find((answer) => answer.model === model));
    if (input.mode === 'ratings') {
      for (const answer of answers) {
        if (!answer) {
          skipped++;
          continue;
        }
        await createTask(
          db,
          scope,
          'task',
          'chat',
          {
            project: input.project,
            messages: answer.messages,
            responses: [answer.content],
            ...asks,
            metadata: metadata(promptId, [answer]),
          },
          effects,
          now,
        );
        created++;
      }
      continue;
    }
    if (input.mode === 'ranking') {
      const present = answers.filter((answer): answer is SucceededResponse => !!answer);
      if (present.length < 2) {
        skipped++;
        continue;
      }
      await comparison(promptId, shownOrder(promptId, present), { ranking: true });
      created++;
      continue;
    }
    for (let i = 0; i < models.length; i++)
      for (let j = i + 1; j < models.length; j++) {
        const a = answers[i];
        const b = answers[j];
        if (!a || !b) {
          skipped++;
          continue;
        }
        const shown = swapped(promptId, a.model, b.model) ? [b, a] : [a, b];
        await comparison(promptId, shown, {
          preference: {
            ties: input.ties,
            ...(input.strength ? { strength: input.strength } : {}),
          },
        });
        created++;
      }
  }
  return { created, skipped };
}

export interface Judgement {
  models: [string, string];
  winner: number | 'tie';
  strength: string | null;
  /** 1 + the strength's place on the task's scale (1 when the task has none). */
  margin: number;
  ratings: Record<string, number[]> | null;
  category: string | null;
  worker: string;
  prompt: string;
  responses: [string, string];
}

/** Every annotator's preference on the generation's comparison tasks. */
export async function judgements(
  db: Executor,
  scope: Scope,
  generationId: string,
): Promise<Judgement[]> {
  const rows = await sql<{
    metadata: Record<string, unknown>;
    params: Record<string, unknown>;
    response: Record<string, unknown>;
    worker: string;
  }>`
    select t.metadata, t.params, a.response, a.worker
      from task_answers a join tasks t on t.id = a.task_id
     where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
       and t.metadata ->> 'quorum_generation' = ${generationId}
     order by a.created_at, a.id
  `.execute(db);
  return rows.rows.flatMap((row): Judgement[] => {
    const models = row.metadata.models as string[] | undefined;
    const responses = row.metadata.responses as string[] | undefined;
    if (!models || !responses || models.length < 2) return [];
    const ratings = (row.response.ratings as Record<string, number[]> | undefined) ?? null;
    const about = {
      category: (row.metadata.category as string | null) ?? null,
      worker: row.worker,
      prompt: String(row.metadata.prompt),
    };
    const ranking = row.response.ranking as number[] | undefined;
    if (Array.isArray(ranking)) {
      // A ranking of N is every pair it orders (rank breaking): the higher one wins each.
      const pairs: Judgement[] = [];
      for (let p = 0; p < ranking.length; p++)
        for (let q = p + 1; q < ranking.length; q++) {
          const [a, b] = [ranking[p]!, ranking[q]!];
          if (models[a] === undefined || models[b] === undefined) continue;
          pairs.push({
            models: [models[a], models[b]],
            winner: 0,
            strength: null,
            margin: 1,
            ratings: ratings
              ? Object.fromEntries(
                  Object.entries(ratings).map(([id, scores]) => [id, [scores[a]!, scores[b]!]]),
                )
              : null,
            ...about,
            responses: [responses[a]!, responses[b]!],
          });
        }
      return pairs;
    }
    const preference = row.response.preference as
      { winner?: unknown; strength?: unknown } | undefined;
    if (!preference || (preference.winner !== 'tie' && typeof preference.winner !== 'number'))
      return [];
    return [
      {
        models: models as [string, string],
        winner: preference.winner as number | 'tie',
        strength: typeof preference.strength === 'string' ? preference.strength : null,
        margin:
          1 +
          Math.max(
            0,
            (
              (row.params.preference as { strength?: string[] } | undefined)?.strength ?? []
            ).indexOf(String(preference.strength)),
          ),
        ratings,
        ...about,
        responses: responses as [string, string],
      },
    ];
  });
}

const OUTCOME: Record<string, Outcome> = { '0': 'left', '1': 'right', tie: 'tie' };

/**
 * The style of every compared response, measured from its text. The length is in
 * whitespace-separated words rather than each endpoint's reported tokens: models count tokens
 * with different tokenizers, and a coarser one would make its model look terse.
 */
async function comparedStyles(
  db: Executor,
  generationId: string,
  all: Judgement[],
): Promise<Map<string, ResponseStyle>> {
  const ids = [...new Set(all.flatMap((judgement) => judgement.responses))];
  const styles = new Map<string, ResponseStyle>();
  for (let start = 0; start < ids.length; start += 1000) {
    const rows = await db
      .selectFrom('generation_responses')
      .select(['id', 'content'])
      .where('generation_id', '=', generationId)
      .where('id', 'in', ids.slice(start, start + 1000))
      .execute();
    for (const row of rows) styles.set(row.id, responseStyle(row.content ?? ''));
  }
  return styles;
}

const NO_STYLE: ResponseStyle = { length: 0, headers: 0, lists: 0, bold: 0 };

/**
 * The models' leaderboard from the human preferences, overall and per prompt category; with
 * `styleControl`, each board also held equal for the responses' length and markdown.
 */
export async function generationLeaderboard(
  db: Executor,
  scope: Scope,
  generationId: string,
  options: { bootstrap: number; seed: number; styleControl?: boolean },
) {
  const generation = await requireGeneration(db, scope, generationId);
  const all = await judgements(db, scope, generation.id);
  const fit = { bootstrap: options.bootstrap, seed: options.seed };
  const styles = options.styleControl ? await comparedStyles(db, generation.id, all) : undefined;
  const styleControl = (subset: Judgement[], measured: Map<string, ResponseStyle>) => {
    const builder = new StyledComparisonBuilder();
    for (const judgement of subset)
      builder.add(
        judgement.models[0],
        judgement.models[1],
        OUTCOME[String(judgement.winner)]!,
        measured.get(judgement.responses[0]) ?? NO_STYLE,
        measured.get(judgement.responses[1]) ?? NO_STYLE,
      );
    return styleControlledLeaderboard(builder.build(), fit);
  };
  const board = (subset: Judgement[]) => {
    const builder = new OutcomeTableBuilder();
    for (const judgement of subset)
      builder.add(judgement.models[0], judgement.models[1], OUTCOME[String(judgement.winner)]!);
    const table = builder.build();
    return {
      rows: leaderboard(table, fit),
      models: [...table.items],
      winRates: winRateMatrix(table),
      comparisons: subset.length,
      // Online Elo in the order the judgements came, beside the order-free Bradley-Terry board.
      elo: Object.fromEntries(
        onlineElo(
          subset.map((judgement) => ({
            left: judgement.models[0],
            right: judgement.models[1],
            score: judgement.winner === 'tie' ? 0.5 : judgement.winner === 0 ? 1 : 0,
          })),
        ),
      ),
      ...(styles ? { styleControl: styleControl(subset, styles) } : {}),
    };
  };
  if (all.length === 0)
    throw new DomainError('conflict', 'No preferences yet: the comparison tasks have no answers');
  const categories = [
    ...new Set(all.map((judgement) => judgement.category).filter((c): c is string => c !== null)),
  ].sort();
  return {
    overall: board(all),
    categories: Object.fromEntries(
      categories.map((category) => [category, board(all.filter((j) => j.category === category))]),
    ),
  };
}
