import type { Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { ProjectRow } from '../db/schema';
import { tenant } from './tenant';

export async function findProjectByName(
  db: Executor,
  scope: Scope,
  name: string,
  options: { lock?: boolean } = {},
) {
  const query = db
    .selectFrom('projects')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('name', '=', name);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function findProjectsByIds(db: Executor, scope: Scope, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('projects')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .where('id', 'in', ids)
    .execute();
}

export async function listProjects(db: Executor, scope: Scope): Promise<ProjectRow[]> {
  return db
    .selectFrom('projects')
    .selectAll()
    .where((eb) => eb.and(tenant(scope)))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Inserts a project unless the name is taken; undefined means it was. */
export async function insertProject(
  db: Executor,
  scope: Scope,
  row: {
    id: string;
    name: string;
    type: string;
    params: Record<string, unknown>;
    labelStudioConfig?: string;
    now: Date;
  },
): Promise<ProjectRow | undefined> {
  const project = await db
    .insertInto('projects')
    .values({
      ...tenant(scope),
      id: row.id,
      name: row.name,
      type: row.type,
      params: JSON.stringify(row.params),
      label_studio_config: row.labelStudioConfig ?? null,
      version: 1,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) => oc.columns(['organization_id', 'livemode', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (project) await insertProjectVersion(db, project.id, 1, row.params, row.now);
  return project;
}

export async function updateProjectParams(
  db: Executor,
  scope: Scope,
  id: string,
  params: Record<string, unknown>,
  now: Date,
): Promise<ProjectRow> {
  const project = await db
    .updateTable('projects')
    .set((eb) => ({
      params: JSON.stringify(params),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await insertProjectVersion(db, project.id, project.version, params, now);
  return project;
}

/** Replaces the project's routing and quality settings. */
export async function updateProjectSettings(
  db: Executor,
  scope: Scope,
  id: string,
  settings: object,
  now: Date,
): Promise<void> {
  await db
    .updateTable('projects')
    .set({ settings: JSON.stringify(settings), updated_at: now })
    .where((eb) => eb.and(tenant(scope)))
    .where('id', '=', id)
    .execute();
}

async function insertProjectVersion(
  db: Executor,
  projectId: string,
  version: number,
  params: Record<string, unknown>,
  now: Date,
) {
  await db
    .insertInto('project_versions')
    .values({ project_id: projectId, version, params: JSON.stringify(params), created_at: now })
    .execute();
}

/** Every version of the project's parameters, oldest first. Callers pass a scoped project. */
export async function listProjectVersions(db: Executor, projectIds: string[]) {
  if (projectIds.length === 0) return [];
  return db
    .selectFrom('project_versions')
    .selectAll()
    .where('project_id', 'in', projectIds)
    .orderBy('project_id')
    .orderBy('version')
    .execute();
}
