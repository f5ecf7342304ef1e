import type { BoxMatchOptions, CornerBox } from '../agreement/boxes';
import type { RatingValue } from '../agreement/cohen';
import { spanSetF1, type LabeledSpan, type SpanOptions } from '../agreement/spans';
import { boxSetF1 } from './boxes';
import { labelScore, multiLabelScore, type MultiLabelMeasure } from './labels';
import { rankingCorrelation, type RankCorrelation } from './rank-correlation';
import { wordErrorRate, type WordErrorOptions } from './word-error-rate';

/** The shape of an answer (and of its gold) for each kind of task. */
export interface GoldAnswers {
  /** One category. */
  label: RatingValue;
  /** A set of categories. */
  multi_label: readonly RatingValue[];
  /** Bounding boxes. */
  boxes: readonly CornerBox[];
  /** Labelled text spans. */
  spans: readonly LabeledSpan[];
  /** Free text, compared word by word. */
  transcript: string;
  /** Item ids, best first. */
  ranking: readonly string[];
}

/** Which kind of task an answer is scored as. */
export type GoldKind = keyof GoldAnswers;

/** Options per kind. */
export interface GoldOptions {
  label: Record<string, never>;
  multi_label: { measure?: MultiLabelMeasure };
  boxes: BoxMatchOptions;
  spans: SpanOptions;
  transcript: WordErrorOptions;
  ranking: { method?: RankCorrelation };
}

type Scorers = {
  [K in GoldKind]: (
    answer: GoldAnswers[K],
    gold: GoldAnswers[K],
    options: GoldOptions[K],
  ) => number;
};

const SCORERS: Scorers = {
  label: (answer, gold) => labelScore(answer, gold),
  multi_label: (answer, gold, options) => multiLabelScore(answer, gold, options),
  boxes: (answer, gold, options) => boxSetF1(answer, gold, options).f1,
  spans: (answer, gold, options) => spanSetF1(answer, gold, options).f1,
  transcript: (answer, gold, options) => Math.max(0, 1 - wordErrorRate(answer, gold, options).rate),
  ranking: (answer, gold, options) => {
    const correlation = rankingCorrelation(answer, gold, options);
    if (!Number.isNaN(correlation)) return (correlation + 1) / 2;
    // No correlation exists (one item, or a side with no order): only an identical list scores.
    return answer.length === gold.length && answer.every((item, i) => item === gold[i]) ? 1 : 0;
  },
};

/**
 * Scores an answer against gold in [0, 1], 1 perfect:
 * - `label`: exact match (1 or 0);
 * - `multi_label`: Jaccard of the label sets (or `measure: 'exact'`);
 * - `boxes`: F1 of boxes matched at IoU >= threshold (default 0.5, optimal matching);
 * - `spans`: span F1 (exact spans by default, or per character);
 * - `transcript`: 1 - word error rate, floored at 0;
 * - `ranking`: (Kendall tau-b + 1) / 2 (or Spearman), missing items tied last.
 */
export function scoreAgainstGold<K extends GoldKind>(
  kind: K,
  answer: GoldAnswers[K],
  gold: GoldAnswers[K],
  options?: GoldOptions[K],
): number {
  const scorer: Scorers[K] | undefined = SCORERS[kind];
  if (!scorer) throw new RangeError(`unknown gold kind "${String(kind)}"`);
  // Every kind's options are all optional, so {} is valid for each; TS cannot see that through K.
  return scorer(answer, gold, options ?? ({} as GoldOptions[K]));
}
