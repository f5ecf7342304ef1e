/**
 * The red-team campaign form's model: a draft started from the built-in hazard taxonomy, the
 * edits people make to it, and the body it sends (checked with core's schema first). Pure.
 */
import { CreateCampaignBody, type HazardCategory } from '@quorum/core';

export interface CampaignDraft {
  name: string;
  /** Target model endpoints, by name. */
  endpoints: string[];
  taxonomy: HazardCategory[];
  /** The taxonomy ids to attack. */
  attack: string[];
  severities: string[];
  attemptsPerCategory: number;
  maxTurns: number;
  review: boolean;
  instruction: string;
}

/** A new campaign: every category of the taxonomy attacked, the schema's defaults. */
export function startDraft(
  taxonomy: readonly HazardCategory[],
  severities: readonly string[],
): CampaignDraft {
  return {
    name: '',
    endpoints: [],
    taxonomy: taxonomy.map((category) => ({ ...category })),
    attack: taxonomy.map((category) => category.id),
    severities: [...severities],
    attemptsPerCategory: 5,
    maxTurns: 10,
    review: true,
    instruction: '',
  };
}

export function editCategory(
  draft: CampaignDraft,
  id: string,
  change: Partial<Pick<HazardCategory, 'name' | 'description'>>,
): CampaignDraft {
  return {
    ...draft,
    taxonomy: draft.taxonomy.map((category) =>
      category.id === id ? { ...category, ...change } : category,
    ),
  };
}

/** Removes a category from the taxonomy and from the categories attacked. */
export function removeCategory(draft: CampaignDraft, id: string): CampaignDraft {
  return {
    ...draft,
    taxonomy: draft.taxonomy.filter((category) => category.id !== id),
    attack: draft.attack.filter((attacked) => attacked !== id),
  };
}

export function toggleAttack(draft: CampaignDraft, id: string): CampaignDraft {
  return {
    ...draft,
    attack: draft.attack.includes(id)
      ? draft.attack.filter((attacked) => attacked !== id)
      : draft.taxonomy
          .map((category) => category.id)
          .filter((other) => other === id || draft.attack.includes(other)),
  };
}

export function toggleEndpoint(draft: CampaignDraft, name: string): CampaignDraft {
  return {
    ...draft,
    endpoints: draft.endpoints.includes(name)
      ? draft.endpoints.filter((endpoint) => endpoint !== name)
      : [...draft.endpoints, name],
  };
}

const ID = /^[\w.-]{1,40}$/;

/** An id made from a name: lower case, words joined by "-", at most 40 characters. */
export function idFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/**
 * Adds a category (attacked from the start); the id is made from the name when none is given.
 * Refuses a blank name, an id the server would refuse, or one the taxonomy already has.
 */
export function addCategory(
  draft: CampaignDraft,
  category: { name: string; description: string; id?: string },
): { draft: CampaignDraft } | { problem: string } {
  const name = category.name.trim();
  if (!name) return { problem: 'Give the new category a name' };
  const id = category.id?.trim() || idFromName(name);
  if (!ID.test(id))
    return { problem: 'Give the new category an id of 1-40 letters, digits, ".", "-" or "_"' };
  if (draft.taxonomy.some((existing) => existing.id === id))
    return { problem: `The taxonomy already has a category with the id “${id}”` };
  return {
    draft: {
      ...draft,
      taxonomy: [...draft.taxonomy, { id, name, description: category.description.trim() }],
      attack: [...draft.attack, id],
    },
  };
}

/** Severities typed as a list: comma-separated, least severe first. */
export function severitiesFromText(text: string): string[] {
  return text
    .split(',')
    .map((severity) => severity.trim())
    .filter((severity) => severity !== '');
}

/**
 * The body of `POST /api/v1/redteam/campaigns`, or the first problem with the draft in words
 * (checked with the same schema the server uses).
 */
export function campaignBody(
  draft: CampaignDraft,
): { body: Record<string, unknown> } | { problem: string } {
  if (draft.endpoints.length === 0) return { problem: 'Choose at least one target model' };
  const attack = draft.attack.filter((id) => draft.taxonomy.some((category) => category.id === id));
  if (attack.length === 0) return { problem: 'Choose at least one category to attack' };
  const body = {
    name: draft.name.trim(),
    endpoints: draft.endpoints,
    taxonomy: draft.taxonomy,
    categories: attack,
    severities: draft.severities,
    attemptsPerCategory: draft.attemptsPerCategory,
    maxTurns: draft.maxTurns,
    review: draft.review,
    ...(draft.instruction.trim() ? { instruction: draft.instruction } : {}),
  };
  const parsed = CreateCampaignBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      problem: `${FIELD_NAMES[String(issue.path[0])] ?? issue.path.join('.')}: ${issue.message}`,
    };
  }
  return { body };
}

const FIELD_NAMES: Record<string, string> = {
  name: 'Name',
  endpoints: 'Target models',
  taxonomy: 'Taxonomy',
  categories: 'Categories to attack',
  severities: 'Severities',
  attemptsPerCategory: 'Attempts per category',
  maxTurns: 'Most turns per attempt',
  instruction: 'Instructions',
};
