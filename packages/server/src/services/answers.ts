import { DomainError, parseTaskResponse, type Scope } from '@quorum/core';
import { krippendorffAlpha, type TruthMethod } from '@quorum/quality';
import type { Executor } from '../db/executor';
import type { TaskAnswerRow } from '../db/schema';
import { newId } from '../ids';
import {
  findAnswerOfWorker,
  insertAnswer,
  listAnswersOfTask,
  listAnswersAround,
  listProjectAnswers,
  listProjectGoldScores,
  type ProjectAnswer,
} from '../repositories/answers';
import { findProjectsByIds, updateProjectSettings } from '../repositories/projects';
import {
  DEFAULT_SETTINGS,
  changeProjectSettings,
  requireProject,
  settingsOf,
  type ProjectSettings,
} from './settings';
import { findTask, lockTask, updateTask, type TaskView } from '../repositories/tasks';
import {
  aggregateTasks,
  canonicalJson,
  scoreAgainstExpected,
  type TaskAnswers,
  type TaskConsensus,
} from './consensus';
import type { Effects } from './effects';
import { finishTask } from './tasks';

export { DEFAULT_SETTINGS, changeProjectSettings, requireProject, settingsOf };
export type { ProjectSettings };

/** What submitting an answer did. */
export interface SubmittedAnswer {
  answer: { id: string; worker: string; created_at: Date };
  answers: number;
  task: TaskView;
  /** The consensus when the task completed with this answer. */
  consensus: TaskConsensus | undefined;
  /** For an evaluation or training task: the answer's score against the expected response. */
  score: number | undefined;
}

/**
 * Records one annotator's answer to a pending task. Once the task has `consensus.min` distinct
 * annotators, their answers are aggregated with the project's method (over the whole project, so
 * the model knows each annotator); the task completes with the consensus as its response when it
 * is at least `consensus.confidence` sure or has `consensus.max` answers. Raw answers are kept.
 * An answer to an evaluation or training task is scored against its expected response instead
 * (the task stays as it is, ready for the next annotator).
 */
export async function submitAnswer(
  db: Executor,
  scope: Scope,
  taskId: string,
  worker: string,
  response: unknown,
  effects: Effects,
  now: Date,
): Promise<SubmittedAnswer> {
  await lockTask(db, scope, taskId);
  const task = await findTask(db, scope, taskId);
  if (!task) throw new DomainError('not_found', 'Task with that ID not found.');
  if (task.kind !== 'task') return submitGoldAnswer(db, scope, task, worker, response, now);
  if (task.status !== 'pending') {
    throw new DomainError(
      'conflict',
      `Task is ${task.status}; it takes no more answers (re-aggregate its project to change the response)`,
    );
  }
  const parsed = parseTaskResponse(task.type, response, task.params as Record<string, unknown>);
  if (await findAnswerOfWorker(db, scope, task.id, worker)) {
    throw new DomainError('conflict', `worker: "${worker}" already answered this task`, 'worker');
  }
  const answer = await insertAnswer(db, scope, {
    id: newId(now),
    task_id: task.id,
    project_id: task.project_id,
    worker,
    response: JSON.stringify(parsed),
    created_at: now,
  });
  const [project] = task.project_id ? await findProjectsByIds(db, scope, [task.project_id]) : [];
  const settings = settingsOf(project);
  const answers = (await listAnswersOfTask(db, scope, task.id)).length;
  let consensus: TaskConsensus | undefined;
  let current: TaskView = task;
  if (answers >= settings.consensus.min) {
    const candidate = await consensusOf(db, scope, task, settings.aggregation.method);
    if (
      candidate.confidence >= settings.consensus.confidence ||
      answers >= settings.consensus.max
    ) {
      consensus = candidate;
      await updateTask(db, scope, task.id, { consensus: JSON.stringify(describe(candidate)) });
      current = await finishTask(db, scope, task, candidate.response, effects, now);
    }
  }
  return {
    answer: { id: answer.id, worker: answer.worker, created_at: answer.created_at },
    answers,
    task: current,
    consensus,
    score: undefined,
  };
}

async function submitGoldAnswer(
  db: Executor,
  scope: Scope,
  task: TaskView,
  worker: string,
  response: unknown,
  now: Date,
): Promise<SubmittedAnswer> {
  const params = task.params as Record<string, unknown>;
  const parsed = parseTaskResponse(task.type, response, params);
  if (await findAnswerOfWorker(db, scope, task.id, worker)) {
    throw new DomainError('conflict', `worker: "${worker}" already answered this task`, 'worker');
  }
  const expected = task.expected_response as Record<string, unknown>;
  const score = scoreAgainstExpected(task.type, params, parsed, expected);
  const answer = await insertAnswer(db, scope, {
    id: newId(now),
    task_id: task.id,
    project_id: task.project_id,
    worker,
    response: JSON.stringify(parsed),
    score,
    created_at: now,
  });
  return {
    answer: { id: answer.id, worker: answer.worker, created_at: answer.created_at },
    answers: (await listAnswersOfTask(db, scope, task.id)).length,
    task,
    consensus: undefined,
    score,
  };
}

/** The stored form of a consensus (the response itself is the task's). */
function describe(consensus: TaskConsensus) {
  return {
    method: consensus.method,
    confidence: consensus.confidence,
    answers: consensus.answers,
  };
}

/**
 * How many of each annotator's latest tasks the completing consensus learns from: the model sees
 * the task's annotators on up to this many recent tasks each, with everyone's answers to those
 * tasks, so completing a task costs the same in a project of a thousand tasks or a million.
 * Re-aggregation fits the whole project.
 */
const NEIGHBOURHOOD = 400;

/**
 * The task's consensus. Models that learn annotators (every categorical method but majority
 * vote) are fitted over the task's annotators' recent work; majority vote and the other task
 * types need only the task's own answers.
 */
export async function consensusOf(
  db: Executor,
  scope: Scope,
  task: Pick<TaskView, 'id' | 'type' | 'params' | 'status' | 'project_id'>,
  method: TruthMethod,
  /** The task's answers, when the caller has just read them. */
  own?: readonly TaskAnswerRow[],
  /** An answer not stored yet, to count with the stored ones (it is among `own` when given). */
  adding?: TaskAnswerRow,
): Promise<TaskConsensus> {
  const learnsAnnotators = task.type === 'categorization' && method !== 'mv';
  const ofTask = (row: TaskAnswerRow) => ({
    ...row,
    type: task.type,
    params: task.params as Record<string, unknown>,
    status: task.status,
  });
  const rows =
    task.project_id && learnsAnnotators
      ? [
          ...(await listAnswersAround(
            db,
            scope,
            task.project_id,
            task.id,
            NEIGHBOURHOOD,
            adding?.worker,
          )),
          ...(adding ? [ofTask(adding)] : []),
        ]
      : (own ?? (await listAnswersOfTask(db, scope, task.id))).map(ofTask);
  const aggregation = aggregateTasks(groupByTask(rows), method);
  return aggregation.tasks.get(task.id)!;
}

function groupByTask(rows: readonly ProjectAnswer[]): TaskAnswers[] {
  const tasks = new Map<string, TaskAnswers>();
  for (const row of rows) {
    let task = tasks.get(row.task_id);
    if (!task) {
      task = { taskId: row.task_id, type: row.type, params: row.params, answers: [] };
      tasks.set(row.task_id, task);
    }
    (task.answers as Array<{ worker: string; response: Record<string, unknown> }>).push({
      worker: row.worker,
      response: row.response,
    });
  }
  return [...tasks.values()];
}

/** What re-aggregation changed. */
export interface Reaggregation {
  method: TruthMethod;
  /** Completed tasks with answers whose consensus was recomputed. */
  tasks: number;
  /** Of those, the ones whose response changed, and the first 100 of their ids. */
  changed: number;
  changedTaskIds: string[];
}

/**
 * Recomputes the response of every completed task of the project that has answers, with
 * `method`, which becomes the project's method. Answers are untouched; pending tasks stay
 * pending (they complete by the usual rule). No callback is sent for a changed response.
 */
export async function reaggregateProject(
  db: Executor,
  scope: Scope,
  ref: string,
  method: TruthMethod,
  now: Date,
): Promise<Reaggregation> {
  const project = await requireProject(db, scope, ref);
  const settings = settingsOf(project);
  await updateProjectSettings(db, scope, project.id, { ...settings, aggregation: { method } }, now);
  const rows = await listProjectAnswers(db, scope, project.id);
  const completed = new Map(
    rows.filter((row) => row.status === 'completed').map((row) => [row.task_id, row]),
  );
  const aggregation = aggregateTasks(groupByTask(rows), method);
  const changedTaskIds: string[] = [];
  let tasks = 0;
  for (const [taskId, consensus] of aggregation.tasks) {
    const row = completed.get(taskId);
    if (!row) continue;
    tasks++;
    const changed = canonicalJson(row.task_response) !== canonicalJson(consensus.response);
    await updateTask(db, scope, taskId, {
      consensus: JSON.stringify(describe(consensus)),
      ...(changed ? { response: JSON.stringify(consensus.response), updated_at: now } : {}),
    });
    if (changed) changedTaskIds.push(taskId);
  }
  return {
    method,
    tasks,
    changed: changedTaskIds.length,
    changedTaskIds: changedTaskIds.slice(0, 100),
  };
}

/** Counts of (consensus label → given label). */
type Confusion = Record<string, Record<string, number>>;

function count(confusion: Confusion, truth: string, given: string) {
  const row = (confusion[truth] ??= {});
  row[given] = (row[given] ?? 0) + 1;
}

/** A project's quality: agreement, annotators, classes and the most disputed tasks. */
export async function projectQuality(
  db: Executor,
  scope: Scope,
  ref: string,
  methodOverride: TruthMethod | undefined,
) {
  const project = await requireProject(db, scope, ref);
  const method = methodOverride ?? settingsOf(project).aggregation.method;
  const rows = await listProjectAnswers(db, scope, project.id);
  const aggregation = aggregateTasks(groupByTask(rows), method);
  const gold = new Map<string, { answers: number; total: number }>();
  for (const { worker, score } of await listProjectGoldScores(db, scope, project.id)) {
    const entry = gold.get(worker) ?? { answers: 0, total: 0 };
    entry.answers++;
    entry.total += score;
    gold.set(worker, entry);
  }

  // Agreement over the single-label questions: units are (task, question), values the labels.
  const units = new Map<string, string[]>();
  for (const { question, taskId, label } of aggregation.labels) {
    const key = `${question}\u0000${taskId}`;
    const values = units.get(key) ?? [];
    values.push(label);
    units.set(key, values);
  }
  const alpha = krippendorffAlpha([...units.values()]);

  const workers = new Map<
    string,
    { answers: number; labeled: number; agree: number; confusion: Confusion }
  >();
  for (const row of rows) {
    const entry = workers.get(row.worker) ?? { answers: 0, labeled: 0, agree: 0, confusion: {} };
    entry.answers++;
    workers.set(row.worker, entry);
  }
  for (const worker of gold.keys())
    if (!workers.has(worker))
      workers.set(worker, { answers: 0, labeled: 0, agree: 0, confusion: {} });
  const classes: Confusion = {};
  for (const { question, taskId, worker, label } of aggregation.labels) {
    const truth = aggregation.consensusLabels.get(`${question}\u0000${taskId}`);
    if (truth === undefined) continue;
    const entry = workers.get(worker)!;
    entry.labeled++;
    if (truth === label) entry.agree++;
    count(entry.confusion, truth, label);
    count(classes, truth, label);
  }
  const disputed = [...aggregation.tasks]
    .sort(([a, x], [b, y]) => x.confidence - y.confidence || (a < b ? -1 : 1))
    .slice(0, 20)
    .map(([taskId, consensus]) => ({
      task_id: taskId,
      confidence: consensus.confidence,
      answers: consensus.answers,
      consensus: consensus.response,
    }));
  return {
    project: project.name,
    method,
    tasks: aggregation.tasks.size,
    answers: rows.length,
    annotators: workers.size,
    agreement: {
      krippendorff_alpha: Number.isFinite(alpha.alpha) ? alpha.alpha : null,
      units: alpha.units,
    },
    workers: [...workers]
      .map(([worker, entry]) => ({
        worker,
        answers: entry.answers,
        agreement_with_consensus: entry.labeled > 0 ? entry.agree / entry.labeled : null,
        reliability: aggregation.reliability.get(worker) ?? null,
        gold: gold.has(worker)
          ? {
              answers: gold.get(worker)!.answers,
              mean_score: gold.get(worker)!.total / gold.get(worker)!.answers,
            }
          : null,
        confusion: entry.confusion,
      }))
      .sort((a, b) => b.answers - a.answers || (a.worker < b.worker ? -1 : 1)),
    classes,
    disputed,
  };
}
