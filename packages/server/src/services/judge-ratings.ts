import { cohenKappa } from '@quorum/quality';

/** A rubric criterion of a rating task. */
interface Criterion {
  id: string;
  min: number;
  max: number;
}

/** One rated response both a judge and people scored. */
export interface RatedItem {
  task: string;
  category: string | null;
  criteria: Criterion[];
  judge: Record<string, number>;
  human: Record<string, number>;
}

type Ratings = Record<string, number[]> | null | undefined;

/** The people's score per criterion: the lower median of their scores of the one response. */
export function humanScores(
  answers: Ratings[],
  criteria: Criterion[],
): Record<string, number> | null {
  const scores: Record<string, number> = {};
  for (const criterion of criteria) {
    const given = answers
      .map((ratings) => ratings?.[criterion.id]?.[0])
      .filter((score): score is number => typeof score === 'number')
      .sort((a, b) => a - b);
    if (given.length === 0) return null;
    scores[criterion.id] = given[Math.floor((given.length - 1) / 2)]!;
  }
  return scores;
}

/** How far apart two scores must be to count as a disagreement: a third of the scale, at least 2. */
export function disagreementGap(criterion: Criterion): number {
  return Math.max(2, Math.ceil((criterion.max - criterion.min) / 3));
}

export function isRatingDisagreement(item: RatedItem): boolean {
  return item.criteria.some(
    (criterion) =>
      Math.abs(item.judge[criterion.id]! - item.human[criterion.id]!) >= disagreementGap(criterion),
  );
}

/**
 * Per criterion: quadratic-weighted Cohen's kappa of the judge's scores against the people's
 * (the scale's points as the ordered categories), and the mean absolute difference.
 */
export function ratingAgreement(items: RatedItem[]) {
  const byCriterion = new Map<string, { criterion: Criterion; pairs: Array<[number, number]> }>();
  for (const item of items)
    for (const criterion of item.criteria) {
      const entry = byCriterion.get(criterion.id) ?? { criterion, pairs: [] };
      entry.pairs.push([item.human[criterion.id]!, item.judge[criterion.id]!]);
      byCriterion.set(criterion.id, entry);
    }
  return Object.fromEntries(
    [...byCriterion.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, { criterion, pairs }]) => {
        const scale = Array.from(
          { length: criterion.max - criterion.min + 1 },
          (_, i) => criterion.min + i,
        );
        const kappa = cohenKappa(
          pairs.map(([human]) => human),
          pairs.map(([, judge]) => judge),
          { weights: 'quadratic', categories: scale },
        );
        const difference =
          pairs.reduce((sum, [human, judge]) => sum + Math.abs(human - judge), 0) / pairs.length;
        return [
          id,
          {
            items: pairs.length,
            kappa: Number.isFinite(kappa.kappa) ? kappa.kappa : null,
            meanAbsoluteDifference: difference,
          },
        ];
      }),
  );
}

/** Of the rating disagreements people scored again: whether they came closer to the judge or to the first people. */
export function ratingReviews(
  items: RatedItem[],
  reviews: Array<{ of: string; ratings: Ratings }>,
) {
  const outcome = { reviewed: 0, withJudge: 0, withHumans: 0, neither: 0 };
  for (const item of items) {
    if (!isRatingDisagreement(item)) continue;
    const second = humanScores(
      reviews.filter((review) => review.of === item.task).map((review) => review.ratings),
      item.criteria,
    );
    if (!second) continue;
    outcome.reviewed++;
    const distance = (scores: Record<string, number>) =>
      item.criteria.reduce((sum, c) => sum + Math.abs(second[c.id]! - scores[c.id]!), 0);
    const toJudge = distance(item.judge);
    const toHumans = distance(item.human);
    if (toJudge < toHumans) outcome.withJudge++;
    else if (toHumans < toJudge) outcome.withHumans++;
    else outcome.neither++;
  }
  return outcome;
}
