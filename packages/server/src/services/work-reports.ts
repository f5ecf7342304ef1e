import { csvDocument, DomainError, type Scope } from '@quorum/core';
import { goldStanding } from '@quorum/quality';
import type { Executor } from '../db/executor';
import type { MemberStatus } from '../db/schema';
import { findBatchByName, countBatchTasks } from '../repositories/batches';
import { findProjectsByIds } from '../repositories/projects';
import {
  findAssignment,
  findMembers,
  findMembershipsOfWorker,
  lockMember,
  releaseOpenClaims,
  setBatchQueueOrder,
  updateMember,
} from '../repositories/workforce';
import {
  batchWorkforce,
  findReleases,
  payouts,
  workerEarnings,
} from '../repositories/workforce-reports';
import { requireProject, settingsOf } from './settings';
import { requireWorker } from './workers';

const accuracyOf = (answers: number, score: number) =>
  goldStanding(answers, score, { pauseBelow: 0 }).accuracy;

/** A member as operators see them. */
function presentMember(row: Awaited<ReturnType<typeof findMembers>>[number]) {
  return {
    worker: row.worker_id,
    email: row.email,
    name: row.name,
    status: row.status,
    reason: row.reason,
    qualification: {
      answers: row.qualify_answers,
      meanScore: row.qualify_answers > 0 ? row.qualify_score / row.qualify_answers : null,
    },
    gold: { answers: row.gold_answers, accuracy: accuracyOf(row.gold_answers, row.gold_score) },
    payRate: row.pay_rate,
  };
}

export async function listMembers(db: Executor, scope: Scope, projectRef: string) {
  const project = await requireProject(db, scope, projectRef);
  return (await findMembers(db, scope, project.id)).map(presentMember);
}

/**
 * A project's released assignments, newest first: skips with the worker's reason, and claims a
 * pause or removal gave back. Stages are as they are (operators see gold for what it is).
 */
export async function listReleases(
  db: Executor,
  scope: Scope,
  projectRef: string,
  page: { limit: number; after?: string | undefined },
) {
  const project = await requireProject(db, scope, projectRef);
  const last = page.after === undefined ? undefined : await findAssignment(db, scope, page.after);
  if (page.after !== undefined && (last?.project_id !== project.id || last.status !== 'released'))
    throw new DomainError(
      'invalid',
      `after: "${page.after}" is not a released assignment of project "${project.name}"`,
      'after',
    );
  const rows = await findReleases(db, scope, project.id, {
    limit: page.limit,
    before: last?.released_at ? { at: last.released_at, id: last.id } : undefined,
  });
  return {
    docs: rows.map((row) => ({
      assignment: row.id,
      task: row.task_id,
      worker: row.worker_id,
      email: row.email,
      name: row.name,
      stage: row.stage,
      reason: row.release_reason,
      releasedAt: row.released_at.toISOString(),
    })),
    next: rows.length === page.limit ? rows[rows.length - 1]!.id : null,
  };
}

/** Reinstates, pauses, removes or re-rates a worker on a project. */
export async function changeMember(
  db: Executor,
  scope: Scope,
  projectRef: string,
  workerId: string,
  change: {
    status?: MemberStatus | undefined;
    reason?: string | undefined;
    payRate?: number | null | undefined;
  },
  now: Date,
) {
  const project = await requireProject(db, scope, projectRef);
  const worker = await requireWorker(db, scope, workerId);
  await lockMember(db, scope, project.id, worker.id, () => 'active');
  await updateMember(db, scope, project.id, worker.id, {
    ...(change.status
      ? {
          status: change.status,
          reason: change.reason ?? null,
          ...(change.status === 'qualifying' ? { qualify_answers: 0, qualify_score: 0 } : {}),
          ...(change.status === 'training' ? { trained: 0 } : {}),
        }
      : {}),
    ...(change.payRate !== undefined ? { pay_rate: change.payRate } : {}),
    updated_at: now,
  });
  // Work a worker may no longer do goes back to the queue now; training and qualification
  // claims stay with whoever may still do them.
  if (change.status && change.status !== 'active')
    await releaseOpenClaims(db, scope, {
      now,
      workerId: worker.id,
      projectId: project.id,
      reason:
        `the worker was set to ${change.status} on this project` +
        (change.reason ? ` (${change.reason})` : ''),
      allStages: change.status === 'removed',
    });
  return presentMember((await findMembers(db, scope, project.id, [worker.id]))[0]!);
}

/** What of pay settled in several currencies was in `currency` (none: zero). */
function paidIn(paid: readonly Pay[], currency: string): Pay {
  return paid.find((pay) => pay.currency === currency) ?? { currency, base: 0, bonus: 0 };
}

interface Pay {
  currency: string;
  base: number;
  bonus: number;
}

/** The worker's own view: earnings, effective hourly rate and accuracy per project. */
export async function earningsOf(db: Executor, scope: Scope, workerId: string) {
  const rows = await workerEarnings(db, scope, workerId);
  const members = new Map(
    (await findMembershipsOfWorker(db, scope, workerId)).map((member) => [
      member.project_id,
      member,
    ]),
  );
  const projects = new Map(
    (
      await findProjectsByIds(
        db,
        scope,
        rows.map((row) => row.project_id),
      )
    ).map((project) => [project.id, project]),
  );
  return {
    projects: rows.map((row) => {
      const member = members.get(row.project_id);
      const settings = settingsOf(projects.get(row.project_id));
      const { currency, base, bonus } = paidIn(row.paid, settings.pay.currency);
      const earned = base + bonus;
      const hours = row.active_seconds / 3600;
      return {
        project: row.project,
        currency,
        status: member?.status ?? 'active',
        submitted: row.submitted,
        accepted: row.accepted,
        rejected: row.rejected,
        pending: row.pending,
        base,
        bonus,
        earned,
        paid: row.paid,
        activeHours: hours,
        hourlyRate: hours > 0 ? Math.round(earned / hours) : null,
        accuracy:
          member && member.gold_answers > 0
            ? accuracyOf(member.gold_answers, member.gold_score)
            : null,
        // A member's own rate, when they have one, is what their attempts are paid.
        rates: {
          ...settings.pay,
          ...(member?.pay_rate == null ? {} : { attempt: member.pay_rate }),
          acceptedWhenScoreAtLeast: 0.5,
        },
      };
    }),
  };
}

async function requireBatch(db: Executor, scope: Scope, name: string) {
  const batch = await findBatchByName(db, scope, name);
  if (!batch) throw new DomainError('not_found', `Batch "${name}" was not found`, 'batch');
  return batch;
}

/** Cost, throughput and ETA of a batch. */
export async function batchReport(db: Executor, scope: Scope, name: string, now: Date) {
  const batch = await requireBatch(db, scope, name);
  const [project] = await findProjectsByIds(db, scope, [batch.project_id]);
  const counts = await countBatchTasks(db, scope, batch.id);
  const { assignments, pace, inReview, costs } = await batchWorkforce(db, scope, batch.id, now);
  const total = counts.pending + counts.completed + counts.canceled + counts.error;
  const throughput = pace.last ? pace.recent : null;
  const eta =
    counts.pending === 0
      ? null
      : throughput && throughput > 0
        ? new Date(now.getTime() + (counts.pending / throughput) * 3600 * 1000).toISOString()
        : null;
  return {
    batch: batch.name,
    project: project?.name ?? '',
    tasks: { total, completed: counts.completed, pending: counts.pending, inReview },
    assignments: {
      active: assignments.active,
      submitted: assignments.submitted,
      late: assignments.late,
      released: assignments.released,
      expired: assignments.expired,
    },
    cost: paidIn(costs, settingsOf(project).pay.currency),
    costs,
    activeHours: assignments.active_seconds / 3600,
    throughputPerHour: throughput,
    eta,
  };
}

/** Sets a batch's queue priority and deadline (its queued tasks follow at once). */
export async function setBatchOrder(
  db: Executor,
  scope: Scope,
  name: string,
  change: { priority?: number | undefined; deadline?: string | null | undefined },
) {
  const batch = await requireBatch(db, scope, name);
  const priority = change.priority ?? batch.priority;
  const deadline =
    change.deadline === undefined
      ? batch.deadline
      : change.deadline === null
        ? null
        : new Date(change.deadline);
  await setBatchQueueOrder(db, scope, batch.id, { priority, deadline });
  return { batch: batch.name, priority, deadline: deadline ? deadline.toISOString() : null };
}

/** Payouts as CSV, one row per worker and currency (cells are safe to open in a spreadsheet). */
export async function payoutsCsv(
  db: Executor,
  scope: Scope,
  query: { project?: string | undefined; from?: string | undefined; to?: string | undefined },
) {
  const project = query.project ? await requireProject(db, scope, query.project) : undefined;
  const rows = await payouts(db, scope, {
    projectId: project?.id,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  });
  return csvDocument([
    [
      'worker_id',
      'email',
      'name',
      'pool',
      'currency',
      'assignments',
      'accepted',
      'rejected',
      'active_hours',
      'base',
      'bonus',
      'total',
    ],
    ...rows.map((row) => [
      row.worker_id,
      row.email,
      row.name,
      row.pool,
      row.currency,
      row.assignments,
      row.accepted,
      row.rejected,
      Number((row.active_seconds / 3600).toFixed(4)),
      row.base,
      row.bonus,
      row.base + row.bonus,
    ]),
  ]);
}
