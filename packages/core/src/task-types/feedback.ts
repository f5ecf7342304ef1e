import { z } from 'zod';
import { NonBlankString, listForMessage, type Problem } from './validation';

/** The parts of human feedback on model responses that comparison and chat tasks share. */

/** A rubric: every item is rated on each criterion, integers from `min` to `max` (Likert). */
export const Criteria = z
  .array(
    z.strictObject({
      id: NonBlankString,
      description: z.string().optional(),
      min: z.number().int().default(1),
      max: z.number().int().default(7),
    }),
  )
  .min(1)
  .max(20);
export type CriteriaType = z.output<typeof Criteria>;

/** Criterion ids are unique and every scale has at least two points. */
export function checkCriteria(criteria: CriteriaType | undefined): Problem | undefined {
  for (const [index, criterion] of (criteria ?? []).entries()) {
    if (criteria!.findIndex((other) => other.id === criterion.id) !== index)
      return {
        path: ['criteria', index, 'id'],
        message: `duplicate criterion ${JSON.stringify(criterion.id)}`,
      };
    if (criterion.max <= criterion.min)
      return { path: ['criteria', index, 'max'], message: 'must be greater than min' };
  }
  return undefined;
}

/** Ratings give every criterion one score per rated item, within the criterion's scale. */
export function checkRatings(
  ratings: Record<string, number[]> | undefined,
  criteria: CriteriaType | undefined,
  count: number,
  itemName: string,
): Problem | undefined {
  if (!criteria)
    return ratings ? { path: ['ratings'], message: 'this task asks for no ratings' } : undefined;
  if (!ratings) return { path: ['ratings'], message: 'is required' };
  for (const id of Object.keys(ratings))
    if (!criteria.some((criterion) => criterion.id === id))
      return { path: ['ratings', id], message: `unknown criterion ${JSON.stringify(id)}` };
  for (const criterion of criteria) {
    const scores = ratings[criterion.id];
    if (!scores) return { path: ['ratings', criterion.id], message: 'is required' };
    if (scores.length !== count)
      return {
        path: ['ratings', criterion.id],
        message: `must have one score per ${itemName} (${count})`,
      };
    const index = scores.findIndex((score) => score < criterion.min || score > criterion.max);
    if (index >= 0)
      return {
        path: ['ratings', criterion.id, index],
        message: `must be from ${criterion.min} to ${criterion.max}`,
      };
  }
  return undefined;
}

/** The safety-flag categories a task offers (e.g. a hazard taxonomy's ids). */
export const FlagCategories = z.array(NonBlankString).min(1).max(50);

/** A request for the ideal response: a demonstration, or a safe rewrite of a harmful one. */
export const RewriteRequest = z.strictObject({
  instructions: z.string().max(10_000).optional(),
  /** When false the annotator may leave it empty (rewrite only what needs it). */
  required: z.boolean().default(true),
});
export type RewriteRequestType = z.output<typeof RewriteRequest>;

/**
 * A safety flag on one thing the task shows: an attachment (comparison), a candidate response
 * or a message of the conversation (chat). Exactly one target is given.
 */
export const Flag = z.strictObject({
  attachment: z.number().int().nonnegative().optional(),
  response: z.number().int().nonnegative().optional(),
  message: z.number().int().nonnegative().optional(),
  category: NonBlankString,
  note: z.string().max(2000).optional(),
});
export type FlagType = z.output<typeof Flag>;

export type FlagTarget = 'attachment' | 'response' | 'message';

/** A ranking must name every item exactly once; only tasks that ask for one accept one. */
export function checkRanking(
  ranking: number[] | undefined,
  asked: boolean,
  count: number,
): Problem | undefined {
  if (!asked)
    return ranking ? { path: ['ranking'], message: 'this task asks for no ranking' } : undefined;
  if (!ranking) return { path: ['ranking'], message: 'is required' };
  if (ranking.length !== count)
    return { path: ['ranking'], message: `must list all ${count} items, best first` };
  const seen = new Set<number>();
  for (const [index, item] of ranking.entries()) {
    if (item >= count)
      return { path: ['ranking', index], message: `must be an index below ${count}` };
    if (seen.has(item)) return { path: ['ranking', index], message: `${item} is ranked twice` };
    seen.add(item);
  }
  return undefined;
}

/**
 * Flags must target something the task shows (`limits`: how many of each target there are,
 * `message` limited further by `isFlaggable`), with an offered category, once per target and
 * category.
 */
export function checkFlags(
  flags: FlagType[] | undefined,
  categories: string[] | undefined,
  limits: Partial<Record<FlagTarget, number>>,
  isFlaggable: (target: FlagTarget, index: number) => string | undefined = () => undefined,
): Problem | undefined {
  if (!categories)
    return flags ? { path: ['flags'], message: 'this task asks for no flags' } : undefined;
  const seen = new Set<string>();
  for (const [index, flag] of (flags ?? []).entries()) {
    const targets = (['attachment', 'response', 'message'] as const).filter(
      (target) => flag[target] !== undefined,
    );
    if (targets.length !== 1)
      return {
        path: ['flags', index],
        message: `must name exactly one of ${listForMessage(Object.keys(limits))}`,
      };
    const target = targets[0]!;
    const limit = limits[target];
    const at = flag[target]!;
    if (limit === undefined)
      return { path: ['flags', index, target], message: `this task has no ${target}s to flag` };
    if (at >= limit)
      return { path: ['flags', index, target], message: `must be an index below ${limit}` };
    const refused = isFlaggable(target, at);
    if (refused) return { path: ['flags', index, target], message: refused };
    if (!categories.includes(flag.category))
      return {
        path: ['flags', index, 'category'],
        message: `${JSON.stringify(flag.category)} is not one of ${listForMessage(categories)}`,
      };
    const key = `${target}:${at}:${flag.category}`;
    if (seen.has(key)) return { path: ['flags', index], message: 'the same flag is given twice' };
    seen.add(key);
  }
  return undefined;
}

/** The rewrite a test response gives: `text` when it says something, else a stand-in. */
export function testRewrite(text: string | undefined): string {
  return text !== undefined && text.trim() !== '' ? text : 'A rewritten response.';
}

/** A rewrite is given only when asked for, and is not blank when it is required. */
export function checkRewrite(
  rewrite: string | undefined,
  request: RewriteRequestType | undefined,
): Problem | undefined {
  if (!request)
    return rewrite !== undefined
      ? { path: ['rewrite'], message: 'this task asks for no rewrite' }
      : undefined;
  if (request.required && (rewrite === undefined || rewrite.trim() === ''))
    return { path: ['rewrite'], message: 'is required' };
  return undefined;
}
