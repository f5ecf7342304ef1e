import { sql } from 'kysely';
import type { ChatMessage, Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import { requireGeneration } from './generations';
import { conversationText, judgements } from './preferences';

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
 * reward-model pairs with a margin from the strength, SFT messages (each preferred response once,
 * then every rewrite annotators wrote),
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
  if (format === 'sft') yield* rewriteDemonstrations(db, scope, generation.id);
}

/** Every rewrite annotators wrote on the generation's tasks: the ideal answer after its prompt. */
async function* rewriteDemonstrations(
  db: Executor,
  scope: Scope,
  generationId: string,
): AsyncGenerator<string> {
  const rows = await sql<{ messages: ChatMessage[]; rewrite: string }>`
    select p.messages, a.response ->> 'rewrite' as rewrite
      from task_answers a
      join tasks t on t.id = a.task_id
      join prompts p on p.id = t.metadata ->> 'prompt'
     where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
       and t.metadata ->> 'quorum_generation' = ${generationId}
       and coalesce(btrim(a.response ->> 'rewrite'), '') <> ''
     order by a.created_at, a.id
  `.execute(db);
  const seen = new Set<string>();
  for (const row of rows.rows) {
    const line = JSON.stringify({
      messages: [...row.messages, { role: 'assistant', content: row.rewrite }],
    });
    if (seen.has(line)) continue;
    seen.add(line);
    yield line;
  }
}
