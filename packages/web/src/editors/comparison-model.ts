/**
 * The comparison editor's model: its state, read from a stored response, and the response it
 * makes. Pure.
 */
import {
  flagsOf,
  flagsResponse,
  rankingOf,
  ratingsOf,
  ratingsResponse,
  rewriteResponse,
  type Criterion,
  type FlagMark,
  type Ratings,
} from './feedback';

type Json = Record<string, unknown>;

export interface ComparisonState {
  choice: string | undefined;
  fields: Record<string, string>;
  winner: number | 'tie' | undefined;
  strength: string | undefined;
  ratings: Ratings;
  /** Attachment indexes, best first. */
  ranking: number[];
  flags: FlagMark[];
  rewrite: string;
}

/** What the editor reads of the task's params. */
export interface ComparisonTask {
  attachments: string[];
  choices: string[] | undefined;
  fields: Record<string, string> | undefined;
  preference: { ties?: boolean; strength?: string[] } | undefined;
  criteria: Criterion[];
  ranking: boolean;
  flags: string[] | undefined;
  rewrite: { instructions?: string; required?: boolean } | undefined;
}

export function comparisonTaskOf(params: Json): ComparisonTask {
  const criteria = ((params.criteria as Array<Partial<Criterion>> | undefined) ?? []).map(
    (criterion) => ({
      id: String(criterion.id),
      description: criterion.description,
      min: criterion.min ?? 1,
      max: criterion.max ?? 7,
    }),
  );
  return {
    attachments: (params.attachments as string[] | undefined) ?? [],
    choices: params.choices as string[] | undefined,
    fields: params.fields as Record<string, string> | undefined,
    preference: params.preference as ComparisonTask['preference'],
    criteria,
    ranking: params.ranking === true,
    flags: params.flags as string[] | undefined,
    rewrite: params.rewrite as ComparisonTask['rewrite'],
  };
}

/** The state a stored response (a review's consensus, a pre-label) starts the editor in. */
export function comparisonStateOf(
  task: ComparisonTask,
  initial: Json | undefined,
): ComparisonState {
  const given = (initial?.preference ?? {}) as { winner?: number | 'tie'; strength?: string };
  return {
    choice: typeof initial?.choice === 'string' ? initial.choice : undefined,
    fields: { ...((initial?.fields as Record<string, string> | undefined) ?? {}) },
    winner: given.winner,
    strength: given.strength,
    ratings: ratingsOf(initial?.ratings),
    ranking: rankingOf(initial?.ranking, task.attachments.length),
    flags: flagsOf(initial?.flags).filter((flag) => flag.target === 'attachment'),
    rewrite: typeof initial?.rewrite === 'string' ? initial.rewrite : '',
  };
}

/** The response the state makes: only what the task asks for. */
export function comparisonResponse(task: ComparisonTask, state: ComparisonState): Json {
  const response: Json = {};
  if (task.choices) response.choice = state.choice ?? '';
  if (task.fields) response.fields = state.fields;
  if (task.preference && state.winner !== undefined)
    response.preference =
      state.winner === 'tie' || !task.preference.strength
        ? { winner: state.winner }
        : { winner: state.winner, ...(state.strength ? { strength: state.strength } : {}) };
  if (task.criteria.length > 0)
    response.ratings = ratingsResponse(state.ratings, task.criteria, task.attachments.length);
  if (task.ranking) response.ranking = state.ranking;
  if (task.flags) response.flags = flagsResponse(state.flags);
  if (task.rewrite) {
    const rewrite = rewriteResponse(state.rewrite);
    if (rewrite !== undefined) response.rewrite = rewrite;
  }
  return response;
}
