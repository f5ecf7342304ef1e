import { DomainError, TASK_TYPES, type Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { ProjectRow } from '../db/schema';
import { newId } from '../ids';
import {
  findProjectByName,
  insertProject,
  listProjectVersions,
  listProjects,
  updateProjectParams,
} from '../repositories/projects';

export interface ProjectView {
  project: ProjectRow;
  versions: Array<{ version: number; params: unknown; created_at: Date }>;
}

export async function requireProject(
  db: Executor,
  scope: Scope,
  name: string,
  options: { lock?: boolean } = {},
): Promise<ProjectRow> {
  const project = await findProjectByName(db, scope, name, options);
  if (!project) throw new DomainError('not_found', `Project "${name}" was not found`);
  return project;
}

export async function createProject(
  db: Executor,
  scope: Scope,
  input: {
    type: string;
    name: string;
    params: Record<string, unknown> | null;
    /** The Label Studio labeling config the type and params were read from. */
    labelStudioConfig?: string;
  },
  now: Date,
): Promise<ProjectView> {
  if (!TASK_TYPES[input.type]) {
    throw new DomainError(
      'invalid',
      `type: unknown task type "${input.type}"; supported: ${Object.keys(TASK_TYPES).join(', ')}`,
      'type',
    );
  }
  const project = await insertProject(db, scope, {
    id: newId(now),
    name: input.name,
    type: input.type,
    params: input.params ?? {},
    ...(input.labelStudioConfig !== undefined
      ? { labelStudioConfig: input.labelStudioConfig }
      : {}),
    now,
  });
  if (!project)
    throw new DomainError('conflict', `A project named "${input.name}" already exists`, 'name');
  return { project, versions: await listProjectVersions(db, [project.id]) };
}

export async function getProject(db: Executor, scope: Scope, name: string): Promise<ProjectView> {
  const project = await requireProject(db, scope, name);
  return { project, versions: await listProjectVersions(db, [project.id]) };
}

export async function getProjects(db: Executor, scope: Scope): Promise<ProjectView[]> {
  const projects = await listProjects(db, scope);
  const versions = await listProjectVersions(
    db,
    projects.map((p) => p.id),
  );
  return projects.map((project) => ({
    project,
    versions: versions.filter((v) => v.project_id === project.id),
  }));
}

/**
 * Records a new version of the project's default task parameters. `patch: true` merges into the
 * latest version; otherwise the given parameters replace it. Tasks keep the version they were
 * created with.
 */
export async function setProjectParams(
  db: Executor,
  scope: Scope,
  name: string,
  input: { patch: boolean; params: Record<string, unknown> },
  now: Date,
): Promise<ProjectView> {
  const current = await requireProject(db, scope, name, { lock: true });
  const next = input.patch
    ? { ...(current.params as Record<string, unknown>), ...input.params }
    : input.params;
  const project = await updateProjectParams(db, scope, current.id, next, now);
  return { project, versions: await listProjectVersions(db, [project.id]) };
}
