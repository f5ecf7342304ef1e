import { enqueueBatch } from '../repositories/workforce';
import { DomainError, type Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { BatchRow, BatchStatus } from '../db/schema';
import { newId } from '../ids';
import {
  countBatchTasks,
  findBatchByName,
  insertBatch,
  listBatches,
  lockBatch,
  setBatchStatus,
  updateBatchMetadata,
  type BatchFilter,
} from '../repositories/batches';
import { findProjectsByIds } from '../repositories/projects';
import { requireProject } from './projects';
import type { Effects } from './effects';
import { DEFAULT_SETTINGS } from './settings';

export interface BatchView {
  batch: BatchRow;
  projectName: string;
}

export async function requireBatch(db: Executor, scope: Scope, name: string): Promise<BatchRow> {
  const batch = await findBatchByName(db, scope, name);
  if (!batch) throw new DomainError('not_found', `Batch "${name}" was not found`);
  return batch;
}

/**
 * Creates a batch. It starts `staging` when asked (tasks wait until it is finalized) and
 * otherwise `in_progress`, as Scale's standard projects do.
 */
export async function createBatch(
  db: Executor,
  scope: Scope,
  input: {
    project: string;
    name: string;
    callback: string | null;
    metadata: Record<string, unknown>;
    staging: boolean;
  },
  now: Date,
): Promise<BatchView> {
  const project = await requireProject(db, scope, input.project);
  const inserted = await insertBatch(db, scope, {
    id: newId(now),
    projectId: project.id,
    name: input.name,
    callbackUrl: input.callback,
    metadata: input.metadata,
    now,
  });
  if (!inserted)
    throw new DomainError('conflict', `A batch named "${input.name}" already exists`, 'name');
  const batch = input.staging
    ? inserted
    : await setBatchStatus(db, scope, inserted.id, 'in_progress', now);
  return { batch, projectName: project.name };
}

export async function getBatch(db: Executor, scope: Scope, name: string): Promise<BatchView> {
  const batch = await requireBatch(db, scope, name);
  return { batch, projectName: await projectNameOf(db, scope, batch.project_id) };
}

/** Staging → in_progress; finalizing a batch already in progress or done is a no-op, as in Scale. */
export async function finalizeBatch(
  db: Executor,
  scope: Scope,
  name: string,
  effects: Effects,
  now: Date,
): Promise<BatchView> {
  const found = await requireBatch(db, scope, name);
  let batch = (await lockBatch(db, scope, found.id))!;
  if (batch.status === 'staging') {
    batch = await setBatchStatus(db, scope, batch.id, 'in_progress', now);
    await enqueueBatch(db, scope, batch.id, DEFAULT_SETTINGS.consensus.min);
    batch = await completeBatchIfDone(db, scope, batch, effects, now);
  }
  return { batch, projectName: await projectNameOf(db, scope, batch.project_id) };
}

/**
 * Marks an in-progress batch completed once none of its tasks is pending, and announces it.
 * Callers hold the batch row lock or call this after a task reached a final state.
 */
export async function completeBatchIfDone(
  db: Executor,
  scope: Scope,
  batch: BatchRow,
  effects: Effects,
  now: Date,
): Promise<BatchRow> {
  if (batch.status !== 'in_progress') return batch;
  const counts = await countBatchTasks(db, scope, batch.id);
  const total = counts.pending + counts.completed + counts.canceled + counts.error;
  if (total === 0 || counts.pending > 0) return batch;
  const completed = await setBatchStatus(db, scope, batch.id, 'completed', now);
  await effects.batchCompleted(
    db,
    scope,
    completed,
    await projectNameOf(db, scope, batch.project_id),
  );
  return completed;
}

/** Called when a task of the batch reached a final state. */
export async function onBatchTaskFinished(
  db: Executor,
  scope: Scope,
  batchId: string,
  effects: Effects,
  now: Date,
): Promise<void> {
  const batch = await lockBatch(db, scope, batchId);
  if (batch) await completeBatchIfDone(db, scope, batch, effects, now);
}

export async function batchStatus(db: Executor, scope: Scope, name: string) {
  const batch = await requireBatch(db, scope, name);
  const counts = await countBatchTasks(db, scope, batch.id);
  return { status: batch.status, ...counts };
}

export async function setBatchMetadata(
  db: Executor,
  scope: Scope,
  name: string,
  metadata: Record<string, unknown>,
): Promise<BatchView> {
  const batch = await requireBatch(db, scope, name);
  const updated = await updateBatchMetadata(db, scope, batch.id, metadata);
  return { batch: updated, projectName: await projectNameOf(db, scope, batch.project_id) };
}

export async function findBatches(
  db: Executor,
  scope: Scope,
  filter: Omit<BatchFilter, 'projectId'> & { project?: string; status?: BatchStatus },
  page: { offset: number; limit: number },
): Promise<{ views: BatchView[]; total: number }> {
  let projectId: string | undefined;
  if (filter.project) projectId = (await requireProject(db, scope, filter.project)).id;
  const { rows, total } = await listBatches(db, scope, { ...filter, projectId }, page);
  const projects = await findProjectsByIds(db, scope, [...new Set(rows.map((r) => r.project_id))]);
  const names = new Map(projects.map((p) => [p.id, p.name]));
  return {
    views: rows.map((batch) => ({ batch, projectName: names.get(batch.project_id) ?? '' })),
    total,
  };
}

async function projectNameOf(db: Executor, scope: Scope, projectId: string): Promise<string> {
  const [project] = await findProjectsByIds(db, scope, [projectId]);
  return project?.name ?? '';
}
