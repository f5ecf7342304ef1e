import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { DomainError, type ChatMessage } from '@quorum/core';
import {
  OutcomeTableBuilder,
  leaderboard,
  onlineElo,
  winRateMatrix,
  type Outcome,
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

/**
 * Pairwise preference tasks from a generation: for each prompt, every pair of the chosen models
 * that both answered, the two responses in an order fixed by a hash (so position does not favour
 * one model), routed to the project's workforce like any task.
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
  if (models.length < 2)
    throw new DomainError(
      'invalid',
      'models: at least two models with responses are needed',
      'models',
    );
  const byPrompt = new Map<string, SucceededResponse[]>();
  for (const response of responses)
    byPrompt.set(response.prompt_id, [...(byPrompt.get(response.prompt_id) ?? []), response]);
  let created = 0;
  let skipped = 0;
  for (const [promptId, answers] of byPrompt) {
    for (let i = 0; i < models.length; i++)
      for (let j = i + 1; j < models.length; j++) {
        const a = answers.find((answer) => answer.model === models[i]);
        const b = answers.find((answer) => answer.model === models[j]);
        if (!a || !b) {
          skipped++;
          continue;
        }
        const [first, second] = swapped(promptId, a.model, b.model) ? [b, a] : [a, b];
        await createTask(
          db,
          scope,
          'task',
          'comparison',
          {
            project: input.project,
            attachment_type: 'text',
            attachments: [first.content, second.content],
            context: conversationText(first.messages),
            preference: {
              ties: input.ties,
              ...(input.strength ? { strength: input.strength } : {}),
            },
            ...(input.criteria ? { criteria: input.criteria } : {}),
            ...(input.rationale ? { fields: { rationale: 'Why (optional)' } } : {}),
            metadata: {
              quorum_generation: generation.id,
              prompt: promptId,
              category: first.category,
              models: [first.model, second.model],
              responses: [first.id, second.id],
            },
          },
          effects,
          now,
        );
        created++;
      }
  }
  return { created, skipped };
}

interface Judgement {
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
async function judgements(db: Executor, scope: Scope, generationId: string): Promise<Judgement[]> {
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
  return rows.rows.flatMap((row) => {
    const preference = row.response.preference as
      { winner?: unknown; strength?: unknown } | undefined;
    const models = row.metadata.models as [string, string] | undefined;
    if (
      !preference ||
      !models ||
      (preference.winner !== 'tie' && typeof preference.winner !== 'number')
    )
      return [];
    return [
      {
        models,
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
        ratings: (row.response.ratings as Record<string, number[]> | undefined) ?? null,
        category: (row.metadata.category as string | null) ?? null,
        worker: row.worker,
        prompt: String(row.metadata.prompt),
        responses: row.metadata.responses as [string, string],
      },
    ];
  });
}

const OUTCOME: Record<string, Outcome> = { '0': 'left', '1': 'right', tie: 'tie' };

/** The models' leaderboard from the human preferences, overall and per prompt category. */
export async function generationLeaderboard(
  db: Executor,
  scope: Scope,
  generationId: string,
  options: { bootstrap: number; seed: number },
) {
  const generation = await requireGeneration(db, scope, generationId);
  const all = await judgements(db, scope, generation.id);
  const board = (subset: Judgement[]) => {
    const builder = new OutcomeTableBuilder();
    for (const judgement of subset)
      builder.add(judgement.models[0], judgement.models[1], OUTCOME[String(judgement.winner)]!);
    const table = builder.build();
    return {
      rows: leaderboard(table, options),
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

export const PREFERENCE_EXPORT_FORMATS = [
  'trl',
  'trl-conversational',
  'kto',
  'reward',
  'sft',
  'hh-rlhf',
  'arena',
] as const;
export type PreferenceExportFormat = (typeof PREFERENCE_EXPORT_FORMATS)[number];

/** A conversation in Anthropic's HH-RLHF text form, ending with the assistant's turn. */
function hhText(messages: ChatMessage[], answer: string): string {
  const turns = messages.filter((message) => message.role !== 'system');
  const system = messages.find((message) => message.role === 'system')?.content;
  const lines = turns.map((message, index) => {
    const speaker = message.role === 'user' ? 'Human' : 'Assistant';
    const text = index === 0 && system ? `${system}\n\n${message.content}` : message.content;
    return `\n\n${speaker}: ${text}`;
  });
  return `${lines.join('')}\n\nAssistant: ${answer}`;
}

/**
 * Training data from the preferences, one JSON object per line: TRL's preference format (prompt,
 * chosen, rejected; as text or as conversations), KTO (each response labelled desirable or not),
 * reward-model pairs with a margin from the strength, SFT messages (each preferred response once),
 * Anthropic's HH-RLHF text, or Chatbot-Arena battle records. Ties have no chosen side and only the
 * arena records keep them. With `raters`, rows carry the rater and their rubric scores.
 */
export async function* exportPreferences(
  db: Executor,
  scope: Scope,
  generationId: string,
  format: PreferenceExportFormat,
  options: { raters: boolean } = { raters: false },
): AsyncGenerator<string> {
  const generation = await requireGeneration(db, scope, generationId);
  const all = await judgements(db, scope, generation.id);
  const responseIds = [...new Set(all.flatMap((j) => j.responses))];
  const contents = new Map<string, { content: string; messages: ChatMessage[] }>();
  for (let start = 0; start < responseIds.length; start += 1000) {
    const rows = await db
      .selectFrom('generation_responses')
      .innerJoin('prompts', 'prompts.id', 'generation_responses.prompt_id')
      .select(['generation_responses.id', 'generation_responses.content', 'prompts.messages'])
      .where('generation_responses.id', 'in', responseIds.slice(start, start + 1000))
      .execute();
    for (const row of rows)
      contents.set(row.id, { content: row.content ?? '', messages: row.messages as ChatMessage[] });
  }
  const taught = new Set<string>();
  for (const judgement of all) {
    const extra = (side: number) =>
      options.raters
        ? {
            rater: judgement.worker,
            ...(judgement.ratings
              ? {
                  ratings: Object.fromEntries(
                    Object.entries(judgement.ratings).map(([criterion, scores]) => [
                      criterion,
                      scores[side],
                    ]),
                  ),
                }
              : {}),
          }
        : {};
    if (format === 'arena') {
      yield JSON.stringify({
        model_a: judgement.models[0],
        model_b: judgement.models[1],
        winner: judgement.winner === 'tie' ? 'tie' : judgement.winner === 0 ? 'model_a' : 'model_b',
        ...(judgement.category ? { category: judgement.category } : {}),
        judge: judgement.worker,
      });
      continue;
    }
    if (judgement.winner === 'tie') continue;
    const win = judgement.winner === 0 ? 0 : 1;
    const chosenId = judgement.responses[win];
    const chosen = contents.get(chosenId)!;
    const rejected = contents.get(judgement.responses[1 - win]!)!;
    const messages = chosen.messages;
    const prompt = conversationText(messages);
    switch (format) {
      case 'trl':
        yield JSON.stringify({
          prompt,
          chosen: chosen.content,
          rejected: rejected.content,
          ...extra(win),
        });
        break;
      case 'trl-conversational':
        yield JSON.stringify({
          prompt: messages,
          chosen: [{ role: 'assistant', content: chosen.content }],
          rejected: [{ role: 'assistant', content: rejected.content }],
          ...extra(win),
        });
        break;
      case 'kto':
        yield JSON.stringify({ prompt, completion: chosen.content, label: true, ...extra(win) });
        yield JSON.stringify({
          prompt,
          completion: rejected.content,
          label: false,
          ...extra(1 - win),
        });
        break;
      case 'reward':
        yield JSON.stringify({
          prompt,
          chosen: chosen.content,
          rejected: rejected.content,
          margin: judgement.margin,
          ...extra(win),
        });
        break;
      case 'sft':
        // A preferred response is a demonstration once, however many raters preferred it.
        if (taught.has(chosenId)) break;
        taught.add(chosenId);
        yield JSON.stringify({
          messages: [...messages, { role: 'assistant', content: chosen.content }],
        });
        break;
      case 'hh-rlhf':
        yield JSON.stringify({
          chosen: hhText(messages, chosen.content),
          rejected: hhText(messages, rejected.content),
        });
        break;
    }
  }
}
