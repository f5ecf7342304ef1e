/**
 * Workforce rules: roles, eligibility, active time, audit sampling, pay and CSV cells. Pure.
 */

export const WORKER_ROLES = ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];
export const WORKER_POOLS = ['internal', 'vendor', 'crowd'] as const;
export type WorkerPool = (typeof WORKER_POOLS)[number];

/** Higher ranks may do everything lower ones may. */
const RANK: Record<WorkerRole, number> = {
  annotator: 1,
  reviewer: 2,
  manager: 3,
  admin: 4,
  owner: 5,
};

/** The highest rank among `roles` (0 for none). */
export function rankOf(roles: readonly WorkerRole[]): number {
  return roles.reduce((best, role) => Math.max(best, RANK[role] ?? 0), 0);
}

/** Whether someone with `roles` has at least `role`'s standing. */
export function hasRole(roles: readonly WorkerRole[], role: WorkerRole): boolean {
  return rankOf(roles) >= RANK[role];
}

/**
 * Whether `granter` may give `roles` to someone: managers invite annotators and reviewers,
 * admins also managers, owners anyone. API keys act as owners.
 */
export function canGrant(granter: readonly WorkerRole[], roles: readonly WorkerRole[]): boolean {
  const own = rankOf(granter);
  if (own < RANK.manager) return false;
  const ceiling = own >= RANK.owner ? RANK.owner : own - 1;
  return roles.every((role) => RANK[role] <= ceiling);
}

/** What a project asks of the people who work on it. */
export interface WorkRequirements {
  clearance: number;
  /** Skill → minimum level. */
  skills: Record<string, number>;
  /** The worker must speak one of these (none: any). */
  languages: readonly string[];
  /** The worker must belong to one of these pools (none: any). */
  pools: readonly WorkerPool[];
}

export interface WorkerProfile {
  clearance: number;
  skills: Record<string, number>;
  languages: readonly string[];
  pool: WorkerPool;
}

/**
 * Whether the worker speaks a language asked for as a BCP 47 range, matched as RFC 4647's basic
 * filtering does: `fr` is met by `fr` and `fr-CA`, `fr-CA` by `fr-CA` only; case is ignored.
 */
function speaks(worker: WorkerProfile, range: string): boolean {
  const wanted = range.toLowerCase();
  return worker.languages.some((tag) => {
    const spoken = tag.toLowerCase();
    return spoken === wanted || spoken.startsWith(`${wanted}-`);
  });
}

/**
 * A worker's level in a skill, its name matched regardless of case ("Medical" meets "medical"),
 * the highest where the worker's skills spell it several ways; 0 when they do not have it.
 */
function levelIn(skills: Record<string, number>, skill: string): number {
  const wanted = skill.toLowerCase();
  let level = 0;
  for (const [name, own] of Object.entries(skills))
    if (name.toLowerCase() === wanted && own > level) level = own;
  return level;
}

/** Why the worker may not work on a project with these requirements, or undefined if they may. */
export function ineligibility(worker: WorkerProfile, needs: WorkRequirements): string | undefined {
  if (worker.clearance < needs.clearance)
    return `requires clearance ${needs.clearance} (yours is ${worker.clearance})`;
  for (const [skill, level] of Object.entries(needs.skills)) {
    const own = levelIn(worker.skills, skill);
    if (own < level) return `requires skill "${skill}" at level ${level} (yours is ${own})`;
  }
  if (needs.languages.length > 0 && !needs.languages.some((range) => speaks(worker, range)))
    return `requires one of the languages ${needs.languages.join(', ')}`;
  if (needs.pools.length > 0 && !needs.pools.includes(worker.pool))
    return `is open to the ${needs.pools.join(', ')} pool${needs.pools.length > 1 ? 's' : ''} only`;
  return undefined;
}

/**
 * Active time after one more sign of life: the time since the last one, capped at `idleSeconds`
 * (a longer gap counts as the cap: the rest was idle).
 */
export function addActiveTime(
  activeSeconds: number,
  lastSeen: Date,
  now: Date,
  idleSeconds: number,
): number {
  const gap = Math.max(0, (now.getTime() - lastSeen.getTime()) / 1000);
  return activeSeconds + Math.min(gap, idleSeconds);
}

/** FNV-1a of a string, as a fraction in [0, 1): a stable, uniform draw per key. */
export function stableFraction(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // Mix the bits so consecutive ids spread over the interval.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

/**
 * How many claims a task's stage is owed when its queue item has none open and nobody holds
 * one. The stage's last submission takes its item off the queue, so such an item lost claims:
 * attempts are owed enough for `consensus.min` answers, or one more while under
 * `consensus.max` (an answer asked for and lost); a review or an audit its one.
 */
export function claimsOwed(
  stage: 'attempt' | 'review' | 'audit',
  answers: number,
  consensus: { min: number; max: number },
): number {
  if (stage !== 'attempt') return 1;
  if (answers < consensus.min) return consensus.min - answers;
  return answers < consensus.max ? 1 : 0;
}

/** Whether a task is drawn for audit: a stable draw per task, so retries decide the same. */
export function drawnForAudit(taskId: string, rate: number): boolean {
  return rate > 0 && stableFraction(`audit:${taskId}`) < rate;
}

/** A project's pay, in minor units of `currency` (cents). */
export interface PayRates {
  currency: string;
  /** Per accepted attempt (a worker's own rate on the project overrides it). */
  attempt: number;
  review: number;
  audit: number;
  /** Quality bonus: this percentage of the attempt rate... */
  bonusPercent: number;
  /** ...when the worker's gold accuracy on the project is at least this. */
  bonusAbove: number;
}

export interface Pay {
  base: number;
  bonus: number;
}

/**
 * What one finished assignment earns. Accepted attempts earn the rate and, for workers whose gold
 * accuracy is at least `bonusAbove`, the bonus; rejected attempts earn nothing; reviews and
 * audits earn their rate whatever they decided. Gold and training pay nothing.
 */
export function payFor(
  stage: 'attempt' | 'review' | 'audit',
  accepted: boolean,
  rates: PayRates,
  workerRate: number | null,
  accuracy: number | undefined,
): Pay {
  if (stage === 'review') return { base: rates.review, bonus: 0 };
  if (stage === 'audit') return { base: rates.audit, bonus: 0 };
  if (!accepted) return { base: 0, bonus: 0 };
  const base = workerRate ?? rates.attempt;
  const earnsBonus = accuracy !== undefined && accuracy >= rates.bonusAbove;
  return { base, bonus: earnsBonus ? Math.round((base * rates.bonusPercent) / 100) : 0 };
}

/**
 * One CSV cell, quoted when needed and safe to open in a spreadsheet: text starting with = + - @
 * or a tab/carriage return is prefixed with a quote so it is not run as a formula.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document (CRLF line ends, as RFC 4180 has it). */
export function csvDocument(rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>) {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
