import {
  DomainError,
  TASK_TYPES,
  decodePageToken,
  encodePageToken,
  parseCreateTaskBody,
  parseTaskResponse,
  type Scope,
} from '@quorum/core';
import type { Executor } from '../db/executor';
import type { BatchRow, ProjectRow, TaskKind } from '../db/schema';
import { newId } from '../ids';
import { findModelEndpoint } from '../repositories/models';
import {
  findTask,
  findTasksByUniqueIds,
  insertNewTasks,
  listTasks,
  lockTask,
  updateTask,
  type NewTask,
  type TaskFilter,
  type TaskView,
} from '../repositories/tasks';
import { findBatchByName } from '../repositories/batches';
import { findProjectByName, findProjectsByIds } from '../repositories/projects';
import type { SettledPay } from '../repositories/workforce';
import { onBatchTaskFinished } from './batches';
import type { Effects } from './effects';
import { DEFAULT_SETTINGS } from './settings';

export async function requireTask(db: Executor, scope: Scope, id: string, kind: TaskKind = 'task') {
  const task = await findTask(db, scope, id, kind);
  if (!task) throw new DomainError('not_found', 'Task with that ID not found.');
  return task;
}

/** The task, its row locked until the transaction ends, so concurrent changes queue up. */
async function requireLockedTask(db: Executor, scope: Scope, id: string): Promise<TaskView> {
  await lockTask(db, scope, id);
  return requireTask(db, scope, id);
}

export interface Placement {
  project: ProjectRow | undefined;
  batch: BatchRow | undefined;
}

/** Resolves the `project` and `batch` names of a create body, checking they agree. */
async function resolvePlacement(
  db: Executor,
  scope: Scope,
  type: string,
  body: Record<string, unknown>,
  cache: Map<string, Placement>,
): Promise<Placement> {
  const projectName = typeof body.project === 'string' ? body.project : undefined;
  const batchName = typeof body.batch === 'string' ? body.batch : undefined;
  const key = JSON.stringify([projectName, batchName]);
  const cached = cache.get(key);
  if (cached) return cached;
  let batch: BatchRow | undefined;
  let project: ProjectRow | undefined;
  if (batchName !== undefined) {
    batch = await findBatchByName(db, scope, batchName);
    if (!batch) throw new DomainError('not_found', `Batch "${batchName}" was not found`, 'batch');
    if (batch.status === 'completed') {
      throw new DomainError(
        'invalid',
        `batch: batch "${batchName}" is completed; add tasks to a new batch`,
        'batch',
      );
    }
  }
  if (projectName !== undefined) {
    project = await findProjectByName(db, scope, projectName);
    if (!project)
      throw new DomainError('not_found', `Project "${projectName}" was not found`, 'project');
    if (batch && batch.project_id !== project.id) {
      throw new DomainError(
        'invalid',
        `batch: batch "${batchName}" belongs to another project`,
        'batch',
      );
    }
  } else if (batch) {
    [project] = await findProjectsByIds(db, scope, [batch.project_id]);
  }
  if (project && project.type !== type) {
    throw new DomainError(
      'invalid',
      `project: project "${project.name}" is for ${project.type} tasks, not ${type}`,
      'project',
    );
  }
  const placement = { project, batch };
  cache.set(key, placement);
  return placement;
}

/**
 * Task-level values override the project's defaults; the project's instruction follows the
 * task's own, as in Scale.
 */
function withProjectDefaults(body: Record<string, unknown>, project: ProjectRow | undefined) {
  if (!project) return body;
  const { instruction: projectInstruction, ...defaults } = project.params as Record<
    string,
    unknown
  >;
  const merged: Record<string, unknown> = { ...defaults, ...body };
  const parts = [body.instruction, projectInstruction].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
  if (parts.length > 0) merged.instruction = parts.join('\n\n');
  return merged;
}

/** Validates one create body and returns the row to insert (not yet inserted). */
export async function prepareTask(
  db: Executor,
  scope: Scope,
  kind: TaskKind,
  type: string,
  body: unknown,
  now: Date,
  cache: Map<string, Placement>,
): Promise<NewTask> {
  if (!TASK_TYPES[type]) parseCreateTaskBody(type, body); // throws the precise unknown-type error
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('invalid', 'body: must be a JSON object', 'body');
  }
  const raw = body as Record<string, unknown>;
  const { expected_response, initial_response, ...rest } = raw;
  if (kind === 'task' && (expected_response !== undefined || initial_response !== undefined)) {
    const field = expected_response !== undefined ? 'expected_response' : 'initial_response';
    throw new DomainError('invalid', `${field}: only evaluation and training tasks take it`, field);
  }
  // A batch is work to deliver; quality tasks are never delivered, and would hold it open.
  if (kind !== 'task' && raw.batch !== undefined) {
    throw new DomainError(
      'invalid',
      'batch: evaluation and training tasks belong to a project, not a batch',
      'batch',
    );
  }
  const placement = await resolvePlacement(db, scope, type, rest, cache);
  if (kind !== 'task' && !placement.project) {
    throw new DomainError(
      'invalid',
      'project: evaluation and training tasks need a project',
      'project',
    );
  }
  const { common, params } = parseCreateTaskBody(
    type,
    withProjectDefaults(rest, placement.project),
  );
  if (type === 'chat' && typeof params.endpoint === 'string')
    params.endpoint = await liveChatEndpoint(db, scope, params.endpoint);
  let expected: unknown = null;
  let initial: unknown = null;
  if (kind !== 'task') {
    if (expected_response === undefined) {
      throw new DomainError('invalid', 'expected_response: is required', 'expected_response');
    }
    expected = prefixField(
      () => parseTaskResponse(type, expected_response, params),
      'expected_response',
    );
    if (initial_response !== undefined) {
      if (kind === 'training') {
        throw new DomainError(
          'invalid',
          'initial_response: only evaluation tasks take it',
          'initial_response',
        );
      }
      initial = prefixField(
        () => parseTaskResponse(type, initial_response, params),
        'initial_response',
      );
    }
  }
  return {
    id: newId(now),
    kind,
    type,
    status: 'pending',
    project_id: placement.project?.id ?? null,
    batch_id: placement.batch?.id ?? null,
    params: JSON.stringify(params),
    instruction: common.instruction ?? null,
    callback_url: common.callback_url ?? null,
    metadata: JSON.stringify(common.metadata ?? {}),
    unique_id: common.unique_id ?? null,
    tags: common.tags ?? [],
    priority: common.priority ?? 30,
    expected_response: expected === null ? null : JSON.stringify(expected),
    initial_response: initial === null ? null : JSON.stringify(initial),
    created_at: now,
    updated_at: now,
  };
}

/** A live chat's model, by id or name, stored as its id (so renaming it keeps the task). */
async function liveChatEndpoint(db: Executor, scope: Scope, ref: string): Promise<string> {
  const endpoint = await findModelEndpoint(db, scope, ref);
  if (!endpoint)
    throw new DomainError('invalid', `endpoint: no model endpoint "${ref}"`, 'endpoint');
  return endpoint.id;
}

/** Re-roots a response validation error (`response.x`) under the field the caller sent. */
function prefixField<T>(work: () => T, field: string): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DomainError && error.field?.startsWith('response')) {
      const renamed = field + error.field.slice('response'.length);
      throw new DomainError(error.code, error.message.replace(error.field, renamed), renamed);
    }
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/** Creates one task (`POST /v1/task/{type}` and the quality-task variants). */
export async function createTask(
  db: Executor,
  scope: Scope,
  kind: TaskKind,
  type: string,
  body: unknown,
  effects: Effects,
  now: Date,
): Promise<TaskView> {
  const row = await prepareTask(db, scope, kind, type, body, now, new Map());
  // A taken unique_id (even one taken by a create racing this one) inserts nothing.
  if ((await insertNewTasks(db, scope, [row], DEFAULT_SETTINGS.consensus.min)).length === 0)
    throw duplicateUniqueId(row.unique_id ?? '');
  let task = (await findTask(db, scope, row.id))!;
  if (!scope.livemode && kind === 'task') {
    // Test keys get an instant, valid answer, as Scale's do, so integrations can be tried end to end.
    const response = TASK_TYPES[type]!.testResponse(task.params as Record<string, unknown>);
    task = await finishTask(db, scope, task, response, effects, now);
  }
  return task;
}

async function assertUniqueIdFree(db: Executor, scope: Scope, uniqueId: string) {
  const taken = await findTasksByUniqueIds(db, scope, [uniqueId]);
  if (taken.length > 0) throw duplicateUniqueId(uniqueId);
}

/** The conflict of a unique_id the organization already has. */
export function duplicateUniqueId(uniqueId: string) {
  return new DomainError(
    'conflict',
    `A task with unique_id "${uniqueId}" already exists`,
    'unique_id',
  );
}

/** Marks a pending task completed with `response` and announces it. */
export async function finishTask(
  db: Executor,
  scope: Scope,
  task: TaskView,
  response: Record<string, unknown>,
  effects: Effects,
  now: Date,
  also: {
    /** The consensus that decided it, written in the same statement. */
    consensus?: string;
    /** The outcomes and pay of the work on it, written in the same statement. */
    settle?: readonly SettledPay[];
  } = {},
): Promise<TaskView> {
  const row = await updateTask(
    db,
    scope,
    task.id,
    {
      ...(also.consensus === undefined ? {} : { consensus: also.consensus }),
      status: 'completed',
      response: JSON.stringify(response),
      completed_at: now,
      updated_at: now,
    },
    { unqueue: true, ...(also.settle ? { settle: { rows: also.settle, at: now } } : {}) },
  );
  const finished: TaskView = {
    ...row,
    project_name: task.project_name,
    batch_name: task.batch_name,
  };
  await announceFinished(db, scope, finished, effects, now);
  return finished;
}

/** What follows a task's completion in its transaction: its callback, its batch's completion. */
export async function announceFinished(
  db: Executor,
  scope: Scope,
  finished: TaskView,
  effects: Effects,
  now: Date,
) {
  await effects.taskChanged(db, scope, finished, 'task.completed');
  if (finished.batch_id) await onBatchTaskFinished(db, scope, finished.batch_id, effects, now);
}

/** Delivers a response for a pending task (native API: imports, models, operators). */
export async function completeTask(
  db: Executor,
  scope: Scope,
  id: string,
  response: unknown,
  effects: Effects,
  now: Date,
): Promise<TaskView> {
  const task = await requireLockedTask(db, scope, id);
  if (task.status !== 'pending') {
    throw new DomainError(
      'conflict',
      `Task is ${task.status}; only pending tasks can be completed`,
    );
  }
  const parsed = parseTaskResponse(task.type, response, task.params as Record<string, unknown>);
  return finishTask(db, scope, task, parsed, effects, now);
}

export async function cancelTask(
  db: Executor,
  scope: Scope,
  id: string,
  clearUniqueId: boolean,
  effects: Effects,
  now: Date,
): Promise<TaskView> {
  const task = await requireLockedTask(db, scope, id);
  if (task.status === 'completed' || task.status === 'error') {
    throw new DomainError('invalid', `Task is ${task.status} and can no longer be canceled`);
  }
  if (task.status === 'canceled') {
    if (clearUniqueId && task.unique_id !== null) {
      await updateTask(db, scope, id, { unique_id: null, updated_at: now });
    }
    return (await findTask(db, scope, id))!;
  }
  await updateTask(
    db,
    scope,
    id,
    {
      status: 'canceled',
      canceled_at: now,
      updated_at: now,
      ...(clearUniqueId ? { unique_id: null } : {}),
    },
    { unqueue: true },
  );
  if (task.batch_id) await onBatchTaskFinished(db, scope, task.batch_id, effects, now);
  return (await findTask(db, scope, id))!;
}

export async function auditTask(
  db: Executor,
  scope: Scope,
  id: string,
  input: { accepted: boolean; comments: string | null },
  effects: Effects,
  now: Date,
): Promise<TaskView> {
  const task = await requireTask(db, scope, id);
  if (task.status !== 'completed') {
    throw new DomainError(
      'invalid',
      `Only completed tasks can be audited; this one is ${task.status}`,
    );
  }
  const result = input.accepted ? 'accepted' : 'rejected';
  const audit = {
    audited_by: 'customer',
    audited_at: now.toISOString(),
    audit_result: result,
    audit_source: 'customer',
    ...(input.comments ? { comments: input.comments } : {}),
  };
  await updateTask(db, scope, id, {
    audits: JSON.stringify([...task.audits, audit]),
    customer_review_status: result,
    updated_at: now,
  });
  const audited = (await findTask(db, scope, id))!;
  await effects.taskChanged(db, scope, audited, 'task.audited');
  return audited;
}

export async function setTaskUniqueId(
  db: Executor,
  scope: Scope,
  id: string,
  uniqueId: string | null,
  now: Date,
): Promise<TaskView> {
  const task = await requireTask(db, scope, id);
  if (uniqueId !== null && uniqueId !== task.unique_id)
    await assertUniqueIdFree(db, scope, uniqueId);
  try {
    await updateTask(db, scope, task.id, { unique_id: uniqueId, updated_at: now });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateUniqueId(uniqueId ?? '');
    throw error;
  }
  return (await findTask(db, scope, id))!;
}

export async function setTaskMetadata(
  db: Executor,
  scope: Scope,
  id: string,
  metadata: Record<string, unknown>,
  now: Date,
): Promise<TaskView> {
  await requireTask(db, scope, id);
  await updateTask(db, scope, id, { metadata: JSON.stringify(metadata), updated_at: now });
  return (await findTask(db, scope, id))!;
}

export type TagChange = 'set' | 'add' | 'delete';

export async function changeTaskTags(
  db: Executor,
  scope: Scope,
  id: string,
  change: TagChange,
  tags: string[],
  now: Date,
): Promise<TaskView> {
  await requireTask(db, scope, id);
  const task = (await lockTask(db, scope, id))!;
  let next: string[];
  if (change === 'set') next = [...new Set(tags)];
  else if (change === 'add') next = [...new Set([...task.tags, ...tags])];
  else next = task.tags.filter((tag) => !tags.includes(tag));
  await updateTask(db, scope, id, { tags: next, updated_at: now });
  return (await findTask(db, scope, id))!;
}

export interface TaskQuery extends Omit<TaskFilter, 'kind' | 'projectId' | 'batchId'> {
  project?: string;
  batch?: string;
  limit: number;
  offset?: number;
  nextToken?: string;
}

/** One page of `GET /v1/tasks`. */
export async function findTasks(db: Executor, scope: Scope, query: TaskQuery) {
  const { project, batch, limit, offset, nextToken, ...filter } = query;
  let projectId: string | undefined;
  let batchId: string | undefined;
  if (project !== undefined) {
    const found = await findProjectByName(db, scope, project);
    if (!found) throw new DomainError('not_found', `Project "${project}" was not found`, 'project');
    projectId = found.id;
  }
  if (batch !== undefined) {
    const found = await findBatchByName(db, scope, batch);
    if (!found) throw new DomainError('not_found', `Batch "${batch}" was not found`, 'batch');
    batchId = found.id;
  }
  const beforeSeq = nextToken === undefined ? undefined : decodePageToken(nextToken);
  const page = await listTasks(
    db,
    scope,
    { kind: 'task', projectId, batchId, ...filter },
    { beforeSeq, limit, offset },
  );
  const last = page.rows[page.rows.length - 1];
  return {
    tasks: page.rows,
    total: page.total,
    hasMore: page.hasMore,
    nextToken: page.hasMore && last ? encodePageToken(last.seq) : null,
  };
}
