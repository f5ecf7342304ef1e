import { sql, type RawBuilder } from 'kysely';
import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { AssignmentStage } from '../db/schema';

/** Per project: what the worker submitted, how it was judged, what it earned, time spent. */
export async function workerEarnings(db: Executor, scope: Scope, workerId: string) {
  const result = await sql<{
    project_id: string;
    project: string;
    submitted: number;
    accepted: number;
    rejected: number;
    pending: number;
    active_seconds: number;
  }>`
    select a.project_id, p.name as project,
      count(*) filter (where a.status = 'submitted')::int as submitted,
      count(*) filter (where a.outcome in ('accepted', 'corrected'))::int as accepted,
      count(*) filter (where a.outcome = 'rejected')::int as rejected,
      count(*) filter (where a.status = 'submitted' and a.outcome is null
        and a.stage in ('attempt', 'review', 'audit'))::int as pending,
      coalesce(sum(a.active_seconds), 0)::float8 as active_seconds
    from assignments a join projects p on p.id = a.project_id
    where a.organization_id = ${scope.organizationId} and a.livemode = ${scope.livemode}
      and a.worker_id = ${workerId}
    group by a.project_id, p.name
    order by p.name
  `.execute(db);
  const paid = await paidByCurrency(db, scope, sql`a.worker_id = ${workerId}`);
  return result.rows.map((row) => ({
    ...row,
    paid: paid
      .filter((pay) => pay.project_id === row.project_id)
      .map(({ currency, base, bonus }) => ({ currency, base, bonus })),
  }));
}

/**
 * Settled pay of the assignments `where` picks (as `a`), summed per project and currency: a
 * project's currency can change, and amounts in two are not added.
 */
async function paidByCurrency(db: Executor, scope: Scope, where: RawBuilder<unknown>) {
  const result = await sql<{ project_id: string; currency: string; base: number; bonus: number }>`
    select a.project_id, a.currency, coalesce(sum(a.pay_base), 0)::int as base,
      coalesce(sum(a.pay_bonus), 0)::int as bonus
    from assignments a
    where a.organization_id = ${scope.organizationId} and a.livemode = ${scope.livemode}
      and a.currency is not null and ${where}
    group by a.project_id, a.currency
    order by a.currency
  `.execute(db);
  return result.rows;
}

/** Assignment counts and cost of a batch, and its completions over time. */
export async function batchWorkforce(db: Executor, scope: Scope, batchId: string, now: Date) {
  const assignments = await sql<{
    active: number;
    submitted: number;
    late: number;
    released: number;
    expired: number;
    active_seconds: number;
  }>`
    select
      count(*) filter (where status = 'active')::int as active,
      count(*) filter (where status = 'submitted')::int as submitted,
      count(*) filter (where status = 'late')::int as late,
      count(*) filter (where status = 'released')::int as released,
      count(*) filter (where status = 'expired')::int as expired,
      coalesce(sum(active_seconds), 0)::float8 as active_seconds
    from assignments
    where organization_id = ${scope.organizationId} and livemode = ${scope.livemode}
      and batch_id = ${batchId}
  `.execute(db);
  const pace = await sql<{ last: Date | null; recent: number }>`
    with last as (
      select max(completed_at) as at from tasks
      where organization_id = ${scope.organizationId} and livemode = ${scope.livemode}
        and batch_id = ${batchId} and status = 'completed'
    )
    select last.at as last,
      (select count(*) from tasks t
        where t.organization_id = ${scope.organizationId} and t.livemode = ${scope.livemode}
          and t.batch_id = ${batchId} and t.status = 'completed'
          and t.completed_at > ${now}::timestamptz - interval '1 hour')::int as recent
    from last
  `.execute(db);
  const review = await sql<{ n: number }>`
    select count(distinct task_id)::int as n from work_items
    where organization_id = ${scope.organizationId} and livemode = ${scope.livemode}
      and batch_id = ${batchId} and stage in ('review', 'audit')
  `.execute(db);
  // A batch is of one project.
  const costs = await paidByCurrency(db, scope, sql`a.batch_id = ${batchId}`);
  return {
    assignments: assignments.rows[0]!,
    pace: pace.rows[0]!,
    inReview: review.rows[0]!.n,
    costs: costs.map(({ currency, base, bonus }) => ({ currency, base, bonus })),
  };
}

/** Per worker and currency: accepted work and pay, submitted in [from, to). */
export async function payouts(
  db: Executor,
  scope: Scope,
  filter: { projectId?: string | undefined; from?: Date | undefined; to?: Date | undefined },
) {
  const result = await sql<{
    worker_id: string;
    email: string;
    name: string;
    pool: string;
    currency: string;
    assignments: number;
    accepted: number;
    rejected: number;
    active_seconds: number;
    base: number;
    bonus: number;
  }>`
    select a.worker_id, w.email, w.name, w.pool, a.currency,
      count(*)::int as assignments,
      count(*) filter (where a.outcome in ('accepted', 'corrected'))::int as accepted,
      count(*) filter (where a.outcome = 'rejected')::int as rejected,
      coalesce(sum(a.active_seconds), 0)::float8 as active_seconds,
      coalesce(sum(a.pay_base), 0)::int as base,
      coalesce(sum(a.pay_bonus), 0)::int as bonus
    from assignments a join workers w on w.id = a.worker_id
    where a.organization_id = ${scope.organizationId} and a.livemode = ${scope.livemode}
      and a.currency is not null
      ${filter.projectId ? sql`and a.project_id = ${filter.projectId}` : sql``}
      ${filter.from ? sql`and a.settled_at >= ${filter.from}` : sql``}
      ${filter.to ? sql`and a.settled_at < ${filter.to}` : sql``}
    group by a.worker_id, w.email, w.name, w.pool, a.currency
    order by w.email, a.currency
  `.execute(db);
  return result.rows;
}

/**
 * A project's released assignments, newest first, `limit` at most, and only those released
 * before `before` (the last of the previous page: its release time and id) when given.
 */
export async function findReleases(
  db: Executor,
  scope: Scope,
  projectId: string,
  page: { limit: number; before?: { at: Date; id: string } | undefined },
) {
  const result = await sql<{
    id: string;
    task_id: string;
    worker_id: string;
    email: string;
    name: string;
    stage: AssignmentStage;
    release_reason: string | null;
    released_at: Date;
  }>`
    select a.id, a.task_id, a.worker_id, w.email, w.name, a.stage, a.release_reason, a.released_at
    from assignments a join workers w on w.id = a.worker_id
    where a.organization_id = ${scope.organizationId} and a.livemode = ${scope.livemode}
      and a.project_id = ${projectId} and a.status = 'released'
      ${page.before ? sql`and (a.released_at, a.id) < (${page.before.at}, ${page.before.id})` : sql``}
    order by a.released_at desc, a.id desc
    limit ${page.limit}
  `.execute(db);
  return result.rows;
}
