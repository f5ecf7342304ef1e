import {
  DomainError,
  type ProjectSettings,
  type ProjectSettingsChange,
  type Scope,
} from '@quorum/core';
import { DEFAULT_TRUTH_METHOD, isTruthMethod } from '@quorum/quality';
import type { Executor } from '../db/executor';
import type { ProjectRow } from '../db/schema';
import {
  findProjectByName,
  findProjectsByIds,
  updateProjectSettings,
} from '../repositories/projects';

export type { ProjectSettings };

/** What a project does when nobody changed its settings: one annotator, no review, no gold. */
export const DEFAULT_SETTINGS: ProjectSettings = {
  consensus: { min: 1, max: 1, confidence: 0 },
  aggregation: { method: DEFAULT_TRUTH_METHOD },
  review: { stage: false, auditRate: 0 },
  gold: { rate: 0, qualifyCount: 0, qualifyThreshold: 0.8, pauseBelow: 0 },
  leaseSeconds: 600,
  maxOpenClaims: 3,
  clearance: 0,
  requirements: { skills: {}, languages: [], pools: [] },
  pay: { currency: 'USD', attempt: 0, review: 0, audit: 0, bonusPercent: 0, bonusAbove: 0.9 },
  idleSeconds: 120,
};

/** The stored settings with defaults filled in (stored values were validated when written). */
export function settingsOf(project: Pick<ProjectRow, 'settings'> | undefined): ProjectSettings {
  const stored = (project?.settings ?? {}) as Partial<ProjectSettings>;
  const consensus = { ...DEFAULT_SETTINGS.consensus, ...stored.consensus };
  const method = stored.aggregation?.method;
  return {
    consensus: { ...consensus, max: Math.max(consensus.max, consensus.min) },
    aggregation: { method: method && isTruthMethod(method) ? method : DEFAULT_TRUTH_METHOD },
    review: { ...DEFAULT_SETTINGS.review, ...stored.review },
    gold: { ...DEFAULT_SETTINGS.gold, ...stored.gold },
    leaseSeconds: stored.leaseSeconds ?? DEFAULT_SETTINGS.leaseSeconds,
    maxOpenClaims: stored.maxOpenClaims ?? DEFAULT_SETTINGS.maxOpenClaims,
    clearance: stored.clearance ?? DEFAULT_SETTINGS.clearance,
    requirements: { ...DEFAULT_SETTINGS.requirements, ...stored.requirements },
    pay: { ...DEFAULT_SETTINGS.pay, ...stored.pay },
    idleSeconds: stored.idleSeconds ?? DEFAULT_SETTINGS.idleSeconds,
  };
}

/** A project by name or id. */
export async function requireProject(db: Executor, scope: Scope, ref: string): Promise<ProjectRow> {
  const project =
    (await findProjectByName(db, scope, ref)) ?? (await findProjectsByIds(db, scope, [ref]))[0];
  if (!project) throw new DomainError('not_found', `Project "${ref}" was not found`, 'project');
  return project;
}

/** Merges a settings change (already validated) into the project's settings. */
export async function changeProjectSettings(
  db: Executor,
  scope: Scope,
  ref: string,
  change: ProjectSettingsChange,
  now: Date,
): Promise<ProjectSettings> {
  const project = await requireProject(db, scope, ref);
  const current = settingsOf(project);
  const next: ProjectSettings = {
    consensus: { ...current.consensus, ...change.consensus },
    aggregation: { ...current.aggregation, ...change.aggregation },
    review: { ...current.review, ...change.review },
    gold: { ...current.gold, ...change.gold },
    leaseSeconds: change.leaseSeconds ?? current.leaseSeconds,
    maxOpenClaims: change.maxOpenClaims ?? current.maxOpenClaims,
    clearance: change.clearance ?? current.clearance,
    requirements: { ...current.requirements, ...change.requirements },
    pay: { ...current.pay, ...change.pay },
    idleSeconds: change.idleSeconds ?? current.idleSeconds,
  };
  if (next.consensus.max < next.consensus.min) {
    throw new DomainError(
      'invalid',
      `consensus.max: must be at least consensus.min (${next.consensus.min})`,
      'consensus.max',
    );
  }
  await updateProjectSettings(db, scope, project.id, next, now);
  return next;
}
