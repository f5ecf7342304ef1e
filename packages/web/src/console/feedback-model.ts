/** A rubric criterion as the API takes it. */
export interface CriterionInput {
  id: string;
  min: number;
  max: number;
}

/**
 * Criteria typed as `helpful:1-7, honest:1-5` (a bare id means 1 to 7). Returns the criteria, or
 * the first thing wrong in words the form can show.
 */
export function parseCriteria(text: string): CriterionInput[] | string {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const criteria: CriterionInput[] = [];
  for (const part of parts) {
    const match = /^([^:\s]+)(?:\s*:\s*(-?\d+)\s*-\s*(-?\d+))?$/.exec(part);
    if (!match) return `“${part}” is not id or id:min-max`;
    const [, id, low, high] = match;
    const min = low === undefined ? 1 : Number(low);
    const max = high === undefined ? 7 : Number(high);
    if (max <= min) return `“${part}”: the top of the scale must be above its bottom`;
    if (criteria.some((criterion) => criterion.id === id)) return `“${id}” is listed twice`;
    criteria.push({ id: id!, min, max });
  }
  return criteria;
}

/** The body of `POST /api/v1/generations/{id}/comparisons` from the form's fields. */
export function feedbackTasksBody(form: {
  project: string;
  mode: 'pairs' | 'ranking' | 'ratings';
  criteria: CriterionInput[];
  ties: boolean;
  strength: string;
  flags: string[] | undefined;
  rewrite: boolean;
  rationale: boolean;
}) {
  const strength = form.strength
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
  return {
    project: form.project,
    mode: form.mode,
    ...(form.criteria.length > 0 ? { criteria: form.criteria } : {}),
    ...(form.mode === 'pairs' ? { ties: form.ties } : {}),
    ...(form.mode === 'pairs' && strength.length > 0 ? { strength } : {}),
    ...(form.flags ? { flags: form.flags } : {}),
    rewrite: form.rewrite,
    rationale: form.mode !== 'ratings' && form.rationale,
  };
}
