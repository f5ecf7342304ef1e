import { sql } from 'kysely';
import { cohenKappa } from '@quorum/quality';
import { DomainError, type Scope } from '@quorum/core';
import type { Effects } from './effects';
import { createTask } from './tasks';
import type { Executor } from '../db/executor';
import type { JobQueue } from '../jobs/queue';
import { requireGeneration } from './generations';
import { requireModelEndpoint } from './models';
import {
  humanScores,
  isRatingDisagreement,
  ratingAgreement,
  ratingReviews,
  type RatedItem,
} from './judge-ratings';

type RatingsOf = Record<string, number[]> | null;

type ReviewCount = { reviewed: number; withJudge: number; withHumans: number; neither: number };

function sumReviews(a: ReviewCount, b: ReviewCount): ReviewCount {
  return {
    reviewed: a.reviewed + b.reviewed,
    withJudge: a.withJudge + b.withJudge,
    withHumans: a.withHumans + b.withHumans,
    neither: a.neither + b.neither,
  };
}

export const JUDGE = 'judge';

/**
 * Asks a judge model for a verdict on every pairwise comparison and every rating task of a
 * generation (a rating verdict is the judge's rubric scores as JSON). The rows and the job
 * that fills them are written together; verdicts are a source of their own, beside the humans'.
 */
export async function startJudging(
  db: Executor,
  scope: Scope,
  queue: JobQueue,
  generationId: string,
  model: string,
  now: Date,
) {
  const generation = await requireGeneration(db, scope, generationId);
  const endpoint = await requireModelEndpoint(db, scope, model);
  const inserted = await sql<{ n: number }>`
    with added as (
      insert into judge_verdicts (id, organization_id, livemode, generation_id, task_id, endpoint_id, model, status)
      select ${generation.id} || '.' || t.id || '.' || ${endpoint.id}, t.organization_id, t.livemode,
             ${generation.id}, t.id, ${endpoint.id}, ${endpoint.model}, 'pending'
        from tasks t
       where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
         and t.metadata ->> 'quorum_generation' = ${generation.id}
         and ((t.type = 'comparison' and t.params ? 'preference' and jsonb_array_length(t.params -> 'attachments') = 2)
              or (t.type = 'chat' and t.params ? 'criteria' and jsonb_array_length(t.params -> 'responses') = 1))
      on conflict (task_id, endpoint_id) do nothing
      returning 1
    )
    select count(*)::int as n from added
  `.execute(db);
  const tasks = inserted.rows[0]?.n ?? 0;
  if (tasks === 0)
    throw new DomainError(
      'conflict',
      'Nothing to judge: the generation has no pairwise comparison or rating tasks this judge has not judged',
    );
  await queue.send(db, JUDGE, { generationId: generation.id, endpointId: endpoint.id });
  return { judge: endpoint.name, model: endpoint.model, tasks };
}

type Label = 'A' | 'B' | 'tie';

/** Of the disagreements a person looked at again: how many sided with the judge, the first humans, neither. */
function reviewsOf(
  compared: Array<{ task: string; human: Label; judge: Label }>,
  reviews: Array<{ of: string; winner: unknown }>,
) {
  const outcome = { reviewed: 0, withJudge: 0, withHumans: 0, neither: 0 };
  for (const item of compared) {
    if (item.human === item.judge) continue;
    const label = humanLabel(reviews.filter((review) => review.of === item.task));
    if (label === null) continue;
    outcome.reviewed++;
    if (label === item.judge) outcome.withJudge++;
    else if (label === item.human) outcome.withHumans++;
    else outcome.neither++;
  }
  return outcome;
}

/** The humans' label of each judged task: the majority of its annotators' winners. */
function humanLabel(answers: Array<{ winner: unknown }>): Label | null {
  const votes = { A: 0, B: 0, tie: 0 };
  for (const { winner } of answers) {
    if (winner === 0) votes.A++;
    else if (winner === 1) votes.B++;
    else if (winner === 'tie') votes.tie++;
  }
  const ranked = (Object.entries(votes) as Array<[Label, number]>).sort((a, b) => b[1] - a[1]);
  if (ranked[0]![1] === 0 || ranked[0]![1] === ranked[1]![1]) return null;
  return ranked[0]![0];
}

/**
 * How each judge agrees with the humans: Cohen's kappa over the tasks both judged (the humans'
 * majority label against the judge's verdict), overall and per prompt category, and the tasks
 * where they disagree, for a human to look at again.
 */
export async function judgeReport(db: Executor, scope: Scope, generationId: string) {
  const generation = await requireGeneration(db, scope, generationId);
  const verdicts = await db
    .selectFrom('judge_verdicts')
    .innerJoin('tasks', 'tasks.id', 'judge_verdicts.task_id')
    .innerJoin('model_endpoints', 'model_endpoints.id', 'judge_verdicts.endpoint_id')
    .select([
      'judge_verdicts.task_id',
      'judge_verdicts.status',
      'judge_verdicts.verdict',
      'judge_verdicts.error',
      'model_endpoints.name as judge',
      'tasks.metadata',
      'tasks.type',
      'tasks.params',
    ])
    .where('judge_verdicts.organization_id', '=', scope.organizationId)
    .where('judge_verdicts.livemode', '=', scope.livemode)
    .where('judge_verdicts.generation_id', '=', generation.id)
    .execute();
  const answers = await sql<{ task_id: string; winner: unknown; ratings: RatingsOf }>`
    select a.task_id, a.response -> 'preference' -> 'winner' as winner,
           a.response -> 'ratings' as ratings
      from task_answers a join tasks t on t.id = a.task_id
     where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
       and t.metadata ->> 'quorum_generation' = ${generation.id}
  `.execute(db);
  const byTask = new Map<string, Array<{ winner: unknown; ratings: RatingsOf }>>();
  for (const row of answers.rows)
    byTask.set(row.task_id, [...(byTask.get(row.task_id) ?? []), row]);
  const judges = [...new Set(verdicts.map((row) => row.judge))].sort();
  const reviewRows = (
    await sql<{ of: string; judge: string; winner: unknown; ratings: RatingsOf }>`
      select t.metadata ->> 'review_of' as of, t.metadata ->> 'judge' as judge,
             a.response -> 'preference' -> 'winner' as winner, a.response -> 'ratings' as ratings
        from tasks t join task_answers a on a.task_id = t.id
       where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
         and t.metadata ->> 'quorum_judge_review' = ${generation.id}
    `.execute(db)
  ).rows;
  return {
    judges: judges.map((judge) => {
      const mine = verdicts.filter((row) => row.judge === judge);
      const rated = mine.flatMap((row): RatedItem[] => {
        if (row.type !== 'chat' || row.status !== 'succeeded' || !row.verdict) return [];
        const criteria = ((row.params as { criteria?: RatedItem['criteria'] }).criteria ?? []).map(
          (criterion) => ({ id: criterion.id, min: criterion.min ?? 1, max: criterion.max ?? 7 }),
        );
        const human = humanScores(
          (byTask.get(row.task_id) ?? []).map((answer) => answer.ratings),
          criteria,
        );
        if (!human) return [];
        return [
          {
            task: row.task_id,
            category: ((row.metadata as Record<string, unknown>).category as string | null) ?? null,
            criteria,
            judge: JSON.parse(row.verdict) as Record<string, number>,
            human,
          },
        ];
      });
      const compared = mine.flatMap((row) => {
        if (row.type !== 'comparison') return [];
        const human = humanLabel(byTask.get(row.task_id) ?? []);
        if (row.status !== 'succeeded' || human === null) return [];
        const category =
          ((row.metadata as Record<string, unknown>).category as string | null) ?? null;
        return [{ task: row.task_id, human, judge: row.verdict as Label, category }];
      });
      const agreement = (rows: typeof compared) => {
        const result = cohenKappa(
          rows.map((row) => row.human),
          rows.map((row) => row.judge),
          { categories: ['A', 'B', 'tie'] },
        );
        return {
          items: result.items,
          kappa: Number.isFinite(result.kappa) ? result.kappa : null,
          observed: result.items > 0 ? result.observedAgreement : null,
        };
      };
      const categories = [
        ...new Set(compared.map((row) => row.category).filter((c): c is string => c !== null)),
      ].sort();
      return {
        judge,
        verdicts: mine.filter((row) => row.status === 'succeeded').length,
        failed: mine.filter((row) => row.status === 'failed').length,
        pending: mine.filter((row) => row.status === 'pending' || row.status === 'running').length,
        errors: [...new Set(mine.flatMap((row) => (row.error ? [row.error] : [])))].slice(0, 5),
        agreement: agreement(compared),
        categories: Object.fromEntries(
          categories.map((category) => [
            category,
            agreement(compared.filter((row) => row.category === category)),
          ]),
        ),
        ratings: ratingAgreement(rated),
        disagreements: [
          ...compared.filter((row) => row.human !== row.judge).map((row) => row.task),
          ...rated.filter(isRatingDisagreement).map((row) => row.task),
        ],
        reviews: sumReviews(
          reviewsOf(
            compared,
            reviewRows.filter((row) => row.judge === judge),
          ),
          ratingReviews(
            rated,
            reviewRows.filter((row) => row.judge === judge),
          ),
        ),
      };
    }),
  };
}

/**
 * Sends the items where a judge and the humans disagree back to people: each becomes a new task
 * of its kind in `project` with the same responses (in the same order), marked as a review of
 * the original. Reviews do not enter the leaderboard; they tell who was right. Items already sent
 * for this judge are not sent twice.
 */
export async function routeDisagreements(
  db: Executor,
  scope: Scope,
  generationId: string,
  input: { judge: string; project: string },
  effects: Effects,
  now: Date,
) {
  const report = await judgeReport(db, scope, generationId);
  const judge = report.judges.find((candidate) => candidate.judge === input.judge);
  if (!judge)
    throw new DomainError(
      'not_found',
      `No verdicts from the judge "${input.judge}" on this generation`,
    );
  const already = await sql<{ of: string }>`
    select t.metadata ->> 'review_of' as of from tasks t
     where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
       and t.metadata ->> 'quorum_judge_review' = ${generationId}
       and t.metadata ->> 'judge' = ${input.judge}
  `.execute(db);
  const sent = new Set(already.rows.map((row) => row.of));
  let created = 0;
  for (const taskId of judge.disagreements) {
    if (sent.has(taskId)) continue;
    const original = await db
      .selectFrom('tasks')
      .select(['type', 'params', 'metadata'])
      .where('id', '=', taskId)
      .where('organization_id', '=', scope.organizationId)
      .where('livemode', '=', scope.livemode)
      .executeTakeFirstOrThrow();
    const metadata = original.metadata as Record<string, unknown>;
    await createTask(
      db,
      scope,
      'task',
      original.type,
      {
        ...(original.params as Record<string, unknown>),
        project: input.project,
        metadata: {
          quorum_judge_review: generationId,
          judge: input.judge,
          review_of: taskId,
          models: metadata.models,
          responses: metadata.responses,
          category: metadata.category ?? null,
        },
      },
      effects,
      now,
    );
    created++;
  }
  return { created, alreadySent: sent.size };
}
