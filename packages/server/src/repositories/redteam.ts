import { sql, type Insertable } from 'kysely';
import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { RedteamCampaignsTable } from '../db/schema';
import { tenant } from './tenant';

/** Inserts a campaign; undefined when the name is taken. */
export async function insertCampaign(
  db: Executor,
  scope: Scope,
  row: Omit<Insertable<RedteamCampaignsTable>, 'organization_id' | 'livemode'>,
) {
  return db
    .insertInto('redteam_campaigns')
    .values({ ...tenant(scope), ...row })
    .onConflict((oc) => oc.columns(['organization_id', 'livemode', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** A campaign by id or name. */
export async function findCampaign(db: Executor, scope: Scope, idOrName: string) {
  return db
    .selectFrom('redteam_campaigns')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}

export async function listCampaigns(db: Executor, scope: Scope) {
  return db
    .selectFrom('redteam_campaigns')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .orderBy('created_at', 'desc')
    .execute();
}

/** How many attempts a campaign's project holds and how many are done, with its name. */
export async function countCampaignTasks(db: Executor, scope: Scope, projectId: string) {
  const row = await db
    .selectFrom('projects')
    .leftJoin('tasks', (join) =>
      join.onRef('tasks.project_id', '=', 'projects.id').on('tasks.kind', '=', 'task'),
    )
    .select([
      'projects.name as project',
      sql<string>`count(tasks.id)`.as('total'),
      sql<string>`count(tasks.id) filter (where tasks.status = 'completed')`.as('completed'),
    ])
    .where('projects.organization_id', '=', scope.organizationId)
    .where('projects.livemode', '=', scope.livemode)
    .where('projects.id', '=', projectId)
    .groupBy('projects.name')
    .executeTakeFirstOrThrow();
  return { project: row.project, total: Number(row.total), completed: Number(row.completed) };
}

/** The completed attempts of a campaign's project: what each targeted and its final response. */
export async function listCompletedAttempts(db: Executor, scope: Scope, projectId: string) {
  return db
    .selectFrom('tasks')
    .select(['id', 'params', 'response'])
    .where((eb) => eb.and(tenant(scope)))
    .where('project_id', '=', projectId)
    .where('kind', '=', 'task')
    .where('type', '=', 'chat')
    .where('status', '=', 'completed')
    .orderBy('seq')
    .execute();
}
