import { z } from 'zod';
import { NonBlankString, type Path, type Problem, unlessMissing } from './validation';

/**
 * Scale's LabelDescription: `choice` is the value an annotation carries, `display` the text the
 * labeler sees, `subchoices` nest further labels under it.
 */
export interface LabelDescription {
  choice: string;
  display?: string | undefined;
  subchoices?: LabelEntry[] | undefined;
}

/** One entry of `objects_to_annotate` (or of a categorical attribute's `choices`). */
export type LabelEntry = string | LabelDescription;

/** Labels nest at most this many levels (the top-level entries are level 1). */
export const MAX_LABEL_DEPTH = 8;

function labelEntryAt(level: number): z.ZodType<LabelEntry> {
  const subchoices =
    level >= MAX_LABEL_DEPTH
      ? z.never({ error: `labels nest at most ${MAX_LABEL_DEPTH} levels deep` }).optional()
      : z
          .array(labelEntryAt(level + 1))
          .min(1, { error: 'must list at least one subchoice (omit subchoices for a leaf label)' })
          .optional();
  return z.union(
    [
      NonBlankString,
      z.strictObject({ choice: NonBlankString, display: z.string().optional(), subchoices }),
    ],
    { error: unlessMissing('must be a label string or a {choice, display?, subchoices?} object') },
  );
}

/** Built once: the schema is finite because nesting is bounded. */
const LabelEntrySchema = labelEntryAt(1);

/** Calls `visit` for every entry of a label tree, depth first, with its path in the list. */
export function walkLabels(
  entries: readonly LabelEntry[],
  visit: (choice: string, isLeaf: boolean, path: Path) => void,
  base: Path = [],
): void {
  entries.forEach((entry, index) => {
    if (typeof entry === 'string') {
      visit(entry, true, [...base, index]);
      return;
    }
    const children = entry.subchoices ?? [];
    visit(entry.choice, children.length === 0, [...base, index, 'choice']);
    walkLabels(children, visit, [...base, index, 'subchoices']);
  });
}

/** The selectable labels (leaves) of a label tree, in order. */
export function leafLabels(entries: readonly LabelEntry[]): string[] {
  const leaves: string[] = [];
  walkLabels(entries, (choice, isLeaf) => {
    if (isLeaf) leaves.push(choice);
  });
  return leaves;
}

/** Every `choice` in a label tree, parents included. */
export function allLabelChoices(entries: readonly LabelEntry[]): string[] {
  const choices: string[] = [];
  walkLabels(entries, (choice) => choices.push(choice));
  return choices;
}

/** The first leaf whose `choice` repeats an earlier leaf's; annotations could not tell them apart. */
export function findDuplicateLeaf(
  entries: readonly LabelEntry[],
  what = 'label',
): Problem | undefined {
  const seen = new Set<string>();
  let problem: Problem | undefined;
  walkLabels(entries, (choice, isLeaf, path) => {
    if (!isLeaf || problem) return;
    if (seen.has(choice))
      problem = { path, message: `duplicate ${what} ${JSON.stringify(choice)}` };
    seen.add(choice);
  });
  return problem;
}

/**
 * A list of labels: strings or LabelDescriptions, nested up to MAX_LABEL_DEPTH, no empty or
 * duplicate leaves.
 */
export function labelList(what = 'label') {
  return z.array(LabelEntrySchema).superRefine((entries, ctx) => {
    const problem = findDuplicateLeaf(entries, what);
    if (problem)
      ctx.addIssue({ code: 'custom', message: problem.message, path: [...problem.path] });
  });
}
