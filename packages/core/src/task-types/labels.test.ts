import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_LABEL_DEPTH,
  allLabelChoices,
  findDuplicateLeaf,
  labelList,
  leafLabels,
  type LabelEntry,
} from './labels';
import { humanErrorMap } from './validation';

/** Label trees whose leaves are all distinct: what a valid `objects_to_annotate` looks like. */
function labelTree(maxDepth: number): fc.Arbitrary<LabelEntry[]> {
  const { entries } = fc.letrec<{ entry: LabelEntry; entries: LabelEntry[] }>((tie) => ({
    entry: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.record(
        {
          choice: fc.string({ minLength: 1, maxLength: 8 }),
          display: fc.string(),
          subchoices: tie('entries'),
        },
        { requiredKeys: ['choice'] },
      ),
    ),
    entries: fc.array(tie('entry'), { minLength: 1, maxLength: 4 }),
  }));
  let counter = 0;
  // Rename every label to a unique, non-blank value so the tree is valid by construction.
  const rename = (list: LabelEntry[], depth: number): LabelEntry[] =>
    list.map((entry) => {
      counter += 1;
      if (typeof entry === 'string' || depth >= maxDepth || entry.subchoices === undefined) {
        return typeof entry === 'string'
          ? `label ${counter}`
          : { ...entry, choice: `label ${counter}`, subchoices: undefined };
      }
      return {
        ...entry,
        choice: `group ${counter}`,
        subchoices: rename(entry.subchoices, depth + 1),
      };
    });
  return entries.map((list) => {
    counter = 0;
    return JSON.parse(JSON.stringify(rename(list, 1))) as LabelEntry[];
  });
}

describe('label lists', () => {
  it('round-trips any valid nested label tree unchanged', () => {
    fc.assert(
      fc.property(labelTree(MAX_LABEL_DEPTH), (tree) => {
        expect(labelList().parse(tree)).toEqual(tree);
      }),
    );
  });

  it('lists as leaves exactly the choices without subchoices, and parents among all choices', () => {
    fc.assert(
      fc.property(labelTree(MAX_LABEL_DEPTH), (tree) => {
        const leaves = leafLabels(tree);
        const all = allLabelChoices(tree);
        expect(leaves.every((leaf) => leaf.startsWith('label '))).toBe(true);
        expect(all.filter((choice) => choice.startsWith('label '))).toEqual(leaves);
      }),
    );
  });

  it('refuses a tree in which any leaf is repeated, pointing at the repeat', () => {
    fc.assert(
      fc.property(labelTree(4), (tree) => {
        const first = leafLabels(tree)[0]!;
        const withRepeat: LabelEntry[] = [...tree, { choice: 'extra', subchoices: [first] }];
        const problem = findDuplicateLeaf(withRepeat);
        expect(problem).toEqual({
          path: [tree.length, 'subchoices', 0],
          message: `duplicate label "${first}"`,
        });
        expect(labelList().safeParse(withRepeat).success).toBe(false);
      }),
    );
  });

  it('accepts eight levels of nesting and refuses a ninth', () => {
    const nest = (levels: number): LabelEntry =>
      levels === 1 ? 'leaf' : { choice: `level ${levels}`, subchoices: [nest(levels - 1)] };
    expect(labelList().safeParse([nest(MAX_LABEL_DEPTH)]).success).toBe(true);
    const result = labelList().safeParse([nest(MAX_LABEL_DEPTH + 1)], { error: humanErrorMap });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('labels nest at most 8 levels deep');
  });

  it('allows a parent to share its name with a leaf elsewhere: only leaves are selectable', () => {
    expect(labelList().safeParse(['car', { choice: 'car', subchoices: ['sedan'] }]).success).toBe(
      true,
    );
  });
});
