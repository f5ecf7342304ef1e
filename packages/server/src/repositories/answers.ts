import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { TaskAnswerRow, TaskAnswersTable, TaskStatus } from '../db/schema';
import { tenant } from './tenant';

type NewAnswer = Omit<Insertable<TaskAnswersTable>, 'organization_id' | 'livemode'> & {
  task_id: string;
};

/**
 * The answer inserted and counted on its task (work tasks only: the direct submission relies on
 * the count), selected from what the insert returned.
 */
function addedAnswer(db: Executor, scope: Scope, row: NewAnswer) {
  return db
    .with('added', (q) =>
      q
        .insertInto('task_answers')
        .values({ ...row, ...tenant(scope) })
        .returningAll(),
    )
    .with('counted', (q) =>
      q
        .updateTable('tasks')
        .set((eb) => ({ answer_count: eb('answer_count', '+', 1) }))
        .where('id', '=', row.task_id)
        .where('kind', '=', 'task'),
    )
    .selectFrom('added')
    .selectAll();
}

export async function insertAnswer(
  db: Executor,
  scope: Scope,
  row: NewAnswer,
): Promise<TaskAnswerRow> {
  return addedAnswer(db, scope, row).executeTakeFirstOrThrow();
}

/**
 * Adds an answer and returns all of the task's answers (the new one included) in one
 * statement: the other answers as they were when it started.
 */
export async function addAnswerAndList(
  db: Executor,
  scope: Scope,
  row: NewAnswer,
): Promise<TaskAnswerRow[]> {
  const rows = await addedAnswer(db, scope, row)
    .unionAll(
      db
        .selectFrom('task_answers')
        .selectAll()
        .where((eb) => eb.and(tenant(scope)))
        .where('task_id', '=', row.task_id),
    )
    .execute();
  return rows.sort(
    (a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id),
  );
}

export async function findAnswerOfWorker(
  db: Executor,
  scope: Scope,
  taskId: string,
  worker: string,
): Promise<TaskAnswerRow | undefined> {
  return db
    .selectFrom('task_answers')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('task_id', '=', taskId)
    .where('worker', '=', worker)
    .executeTakeFirst();
}

/** A task's answers, oldest first. */
export async function listAnswersOfTask(
  db: Executor,
  scope: Scope,
  taskId: string,
): Promise<TaskAnswerRow[]> {
  return db
    .selectFrom('task_answers')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('task_id', '=', taskId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Per worker, their scored answers to the project's evaluation tasks. */
export async function listProjectGoldScores(
  db: Executor,
  scope: Scope,
  projectId: string,
): Promise<Array<{ worker: string; score: number }>> {
  const rows = await db
    .selectFrom('task_answers')
    .select(['worker', 'score'])
    .where((eb) => eb.and(tenant(scope)))
    .where('project_id', '=', projectId)
    .where('score', 'is not', null)
    .execute();
  return rows.map((row) => ({ worker: row.worker, score: row.score! }));
}

/** An answer with what consensus needs of its task. */
export type ProjectAnswer = TaskAnswerRow & {
  type: string;
  params: Record<string, unknown>;
  status: TaskStatus;
  task_response?: unknown;
};

/** Every answer to the project's tasks, oldest first, with each task's type, params and status. */
export async function listProjectAnswers(
  db: Executor,
  scope: Scope,
  projectId: string,
): Promise<ProjectAnswer[]> {
  return db
    .selectFrom('task_answers')
    .innerJoin('tasks', 'tasks.id', 'task_answers.task_id')
    .selectAll('task_answers')
    .select([
      'tasks.type as type',
      'tasks.params as params',
      'tasks.status as status',
      'tasks.response as task_response',
    ])
    .where('task_answers.organization_id', '=', scope.organizationId)
    .where('task_answers.livemode', '=', scope.livemode)
    .where('task_answers.project_id', '=', projectId)
    .where('tasks.kind', '=', 'task')
    .orderBy('task_answers.created_at')
    .orderBy('task_answers.id')
    .execute();
}

/**
 * The answers to the tasks that `taskId`'s annotators answered most recently (up to `perWorker`
 * each, the task itself included), with each task's type, params and status.
 */
export async function listAnswersAround(
  db: Executor,
  scope: Scope,
  projectId: string,
  taskId: string,
  perWorker: number,
  /** A worker whose answer to the task is not stored yet, to take the recent answers of too. */
  alsoWorker?: string,
): Promise<ProjectAnswer[]> {
  const adding = alsoWorker === undefined ? sql`` : sql`union select ${alsoWorker}`;
  const result = await sql<ProjectAnswer>`
    select ta.*, t.type, t.params, t.status, t.response as task_response
    from task_answers ta
    join tasks t on t.id = ta.task_id
    where ta.organization_id = ${scope.organizationId} and ta.livemode = ${scope.livemode}
      and ta.project_id = ${projectId} and t.kind = 'task'
      and ta.task_id in (
        select recent.task_id
        from (select distinct worker from task_answers where task_id = ${taskId} ${adding}) w
        cross join lateral (
          select r.task_id from task_answers r
          where r.project_id = ${projectId} and r.worker = w.worker
          order by r.created_at desc
          limit ${perWorker}
        ) recent
        union select ${taskId}
      )
    order by ta.created_at, ta.id
  `.execute(db);
  return result.rows;
}
