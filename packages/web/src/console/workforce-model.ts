/** The workforce page's forms, read into what the API takes (pure, tested on their own). */

/** A person as the workforce page edits them. */
export interface PersonDraft {
  name: string;
  roles: string[];
  pool: string;
  team: string;
  skills: string;
  languages: string;
  clearance: string;
  password: string;
}

/** The form's text for a person's skills: `skill:level` pairs by name, comma-separated. */
export const skillsText = (skills: Record<string, number>) =>
  Object.entries(skills)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([skill, level]) => `${skill}:${level}`)
    .join(', ');

/**
 * Reads `skill:level, skill:level` (levels 0-10, a skill without a level is at 1); returns what
 * is wrong as a sentence when it cannot.
 */
export function parseSkills(text: string): Record<string, number> | string {
  const skills: Record<string, number> = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const match = /^([^:]+?)\s*(?::\s*(\d+))?$/.exec(item);
    if (!match) return `"${item}" is not skill or skill:level`;
    const skill = match[1]!.trim();
    const level = match[2] === undefined ? 1 : Number(match[2]);
    if (level > 10) return `The level of "${skill}" must be 0 to 10`;
    if (skill in skills) return `"${skill}" is listed twice`;
    skills[skill] = level;
  }
  return skills;
}

/** Languages as BCP 47 tags separated by commas or spaces, each once. */
export const parseLanguages = (text: string) => [
  ...new Set(
    text
      .split(/[\s,]+/)
      .map((tag) => tag.trim())
      .filter(Boolean),
  ),
];

/**
 * The PATCH body for a person's draft: every field the form shows, the password only when one
 * was typed. A draft that cannot be read gives what is wrong instead.
 */
export function personPatch(draft: PersonDraft): Record<string, unknown> | string {
  const skills = parseSkills(draft.skills);
  if (typeof skills === 'string') return skills;
  if (draft.roles.length === 0) return 'Give at least one role';
  const clearance = Number(draft.clearance);
  if (!Number.isInteger(clearance) || clearance < 0 || clearance > 10)
    return 'Clearance must be a whole number from 0 to 10';
  return {
    name: draft.name,
    roles: draft.roles,
    pool: draft.pool,
    team: draft.team.trim() ? draft.team.trim() : null,
    skills,
    languages: parseLanguages(draft.languages),
    clearance,
    ...(draft.password ? { password: draft.password } : {}),
  };
}

/**
 * The payouts CSV's address for a window of whole days in UTC, `from` to `through` inclusive
 * (the API's `to` is exclusive, so it is the day after `through`); either end may be open.
 */
export function payoutsHref(from: string, through: string, project: string): string {
  const query = new URLSearchParams();
  if (from) query.set('from', `${from}T00:00:00Z`);
  if (through) {
    const next = new Date(`${through}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    query.set('to', next.toISOString());
  }
  if (project) query.set('project', project);
  const text = query.toString();
  return `/api/v1/payouts.csv${text ? `?${text}` : ''}`;
}
