/**
 * What the comparison and chat editors share about feedback on model responses: rubric ratings,
 * rankings, safety flags and rewrites, as pure functions of the editor's state. Pure.
 */
import { HAZARD_TAXONOMY, type HazardCategory } from '@quorum/core';

export interface Criterion {
  id: string;
  description?: string | undefined;
  min: number;
  max: number;
}

/** A criterion's scale, lowest first (a scale that is given backwards is read forwards). */
export function scaleOf(criterion: Criterion): number[] {
  const low = Math.min(criterion.min, criterion.max);
  const high = Math.max(criterion.min, criterion.max);
  return Array.from({ length: high - low + 1 }, (_, i) => low + i);
}

/** Scores per criterion, one per rated item; `undefined` where none is given yet. */
export type Ratings = Record<string, Array<number | undefined>>;

/** Sets one score, keeping every criterion's list as long as the items rated. */
export function rate(
  ratings: Ratings,
  criterion: string,
  item: number,
  score: number | undefined,
  count: number,
): Ratings {
  const scores = Array.from({ length: count }, (_, i) => ratings[criterion]?.[i]);
  scores[item] = score;
  return { ...ratings, [criterion]: scores };
}

/**
 * The ratings as the response holds them: only criteria scored for every item, so a gap is
 * reported by the task's check as the criterion that is missing rather than as a null.
 */
export function ratingsResponse(
  ratings: Ratings,
  criteria: Criterion[],
  count: number,
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const criterion of criteria) {
    const scores = Array.from({ length: count }, (_, i) => ratings[criterion.id]?.[i]);
    if (scores.every((score): score is number => score !== undefined)) out[criterion.id] = scores;
  }
  return out;
}

/** The ratings a stored response gives, as editor state. */
export function ratingsOf(value: unknown): Ratings {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Ratings = {};
  for (const [id, scores] of Object.entries(value as Record<string, unknown>))
    if (Array.isArray(scores))
      out[id] = scores.map((score) => (typeof score === 'number' ? score : undefined));
  return out;
}

/** The identity ranking: items in the order shown. */
export function shownOrder(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/**
 * A stored ranking when it names every item once, else the order shown (so the ranking always
 * lists every item, as the task requires).
 */
export function rankingOf(value: unknown, count: number): number[] {
  if (
    Array.isArray(value) &&
    value.length === count &&
    value.every((item) => Number.isInteger(item) && item >= 0 && item < count) &&
    new Set(value).size === count
  )
    return [...(value as number[])];
  return shownOrder(count);
}

/** Moves an item `by` places (negative: towards the best), stopping at either end. */
export function moveInRanking(ranking: number[], item: number, by: number): number[] {
  const from = ranking.indexOf(item);
  if (from < 0) return ranking;
  const to = Math.max(0, Math.min(ranking.length - 1, from + by));
  if (to === from) return ranking;
  const next = ranking.filter((other) => other !== item);
  next.splice(to, 0, item);
  return next;
}

/** What a flag is on: an attachment (comparison), a candidate response or a message (chat). */
export type FlagTarget = 'attachment' | 'response' | 'message';

export interface FlagMark {
  target: FlagTarget;
  index: number;
  category: string;
}

export function hasFlag(flags: FlagMark[], target: FlagTarget, index: number, category: string) {
  return flags.some(
    (flag) => flag.target === target && flag.index === index && flag.category === category,
  );
}

/** Adds the flag, or takes it off when it is there. */
export function toggleFlag(flags: FlagMark[], mark: FlagMark): FlagMark[] {
  return hasFlag(flags, mark.target, mark.index, mark.category)
    ? flags.filter(
        (flag) =>
          !(
            flag.target === mark.target &&
            flag.index === mark.index &&
            flag.category === mark.category
          ),
      )
    : [...flags, mark];
}

/** The flags as the response holds them: `{attachment | response | message: index, category}`. */
export function flagsResponse(flags: FlagMark[]): Array<Record<string, string | number>> {
  return flags.map((flag) => ({ [flag.target]: flag.index, category: flag.category }));
}

/** The flags of a stored response, as editor state (unknown shapes are left out). */
export function flagsOf(value: unknown): FlagMark[] {
  if (!Array.isArray(value)) return [];
  const out: FlagMark[] = [];
  for (const flag of value as Array<Record<string, unknown>>) {
    if (!flag || typeof flag.category !== 'string') continue;
    for (const target of ['attachment', 'response', 'message'] as const) {
      const index = flag[target];
      if (typeof index === 'number') out.push({ target, index, category: flag.category });
    }
  }
  return out;
}

/**
 * A category as people read it: its name in the given taxonomy, else in the built-in hazard
 * taxonomy, else the id itself.
 */
export function categoryName(id: string, taxonomy: readonly HazardCategory[] = []): string {
  return (
    taxonomy.find((category) => category.id === id)?.name ??
    HAZARD_TAXONOMY.find((category) => category.id === id)?.name ??
    id
  );
}

/** The category's description, when a taxonomy has one. */
export function categoryDescription(
  id: string,
  taxonomy: readonly HazardCategory[] = [],
): string | undefined {
  return (
    taxonomy.find((category) => category.id === id)?.description ||
    HAZARD_TAXONOMY.find((category) => category.id === id)?.description ||
    undefined
  );
}

/**
 * The rewrite as the response holds it: left out when blank (a required one is then reported
 * missing by the task's check).
 */
export function rewriteResponse(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}

/** A, B, C… as responses are named side by side. */
export const letter = (index: number) =>
  index < 26 ? String.fromCharCode(65 + index) : String(index + 1);
