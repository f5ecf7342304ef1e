import { sql } from 'kysely';
import { cohenKappa } from '@quorum/quality';
import { DomainError, type Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { JobQueue } from '../jobs/queue';
import { requireGeneration } from './generations';
import { requireModelEndpoint } from './models';

export const JUDGE = 'judge';

/**
 * Asks a judge model for a verdict on every comparison task of a generation. The rows and the job
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
         and t.type = 'comparison' and t.metadata ->> 'quorum_generation' = ${generation.id}
      on conflict (task_id, endpoint_id) do nothing
      returning 1
    )
    select count(*)::int as n from added
  `.execute(db);
  const tasks = inserted.rows[0]?.n ?? 0;
  if (tasks === 0)
    throw new DomainError(
      'conflict',
      'Nothing to judge: the generation has no comparison tasks this judge has not judged',
    );
  await queue.send(db, JUDGE, { generationId: generation.id, endpointId: endpoint.id });
  return { judge: endpoint.name, model: endpoint.model, tasks };
}

type Label = 'A' | 'B' | 'tie';

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
    ])
    .where('judge_verdicts.organization_id', '=', scope.organizationId)
    .where('judge_verdicts.livemode', '=', scope.livemode)
    .where('judge_verdicts.generation_id', '=', generation.id)
    .execute();
  const answers = await sql<{ task_id: string; winner: unknown }>`
    select a.task_id, a.response -> 'preference' -> 'winner' as winner
      from task_answers a join tasks t on t.id = a.task_id
     where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
       and t.metadata ->> 'quorum_generation' = ${generation.id}
  `.execute(db);
  const byTask = new Map<string, Array<{ winner: unknown }>>();
  for (const row of answers.rows)
    byTask.set(row.task_id, [...(byTask.get(row.task_id) ?? []), row]);
  const judges = [...new Set(verdicts.map((row) => row.judge))].sort();
  return {
    judges: judges.map((judge) => {
      const mine = verdicts.filter((row) => row.judge === judge);
      const compared = mine.flatMap((row) => {
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
        disagreements: compared.filter((row) => row.human !== row.judge).map((row) => row.task),
      };
    }),
  };
}
