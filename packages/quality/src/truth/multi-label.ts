import { AnswerSetBuilder } from './answers';
import { compareLabels, type IterativeOptions, type TruthMethod } from './estimate';
import { inferTruth } from './infer';

/** One worker's answer to a multi-label question: the set of classes they picked (maybe none). */
export interface MultiLabelAnswer {
  item: string;
  worker: string;
  labels: readonly string[];
}

/** The inferred class set of one item. */
export interface MultiLabelItem {
  item: string;
  /** The classes judged present, in class order. */
  labels: string[];
  /** Per class, the posterior probability that it applies. */
  probability: Record<string, number>;
}

/** What inferMultiLabel returns. */
export interface MultiLabelEstimate {
  items: MultiLabelItem[];
  /** The classes, declared ones first, then the others in natural order. */
  classes: string[];
  /** Per worker, the mean over classes of their reliability on that class's yes/no question. */
  reliability: Map<string, number>;
}

const ABSENT = 'no';
const PRESENT = 'yes';

/**
 * Multi-label truth inference by binary relevance: each class becomes its own yes/no question
 * per item ("does this class apply?"), answered yes by the workers who picked it and no by those
 * who answered the item without it, and `method` infers each question. A class is present when
 * its posterior is above one half; an exact tie counts as absent. Repeated answers of a worker
 * count each time, as in the single-label methods. `classes` declares classes no one picked.
 */
export function inferMultiLabel(
  answers: readonly MultiLabelAnswer[],
  method: TruthMethod,
  options: Omit<IterativeOptions, 'gold'> & { classes?: readonly string[] } = {},
): MultiLabelEstimate {
  const { classes: declaredClasses, ...methodOptions } = options;
  const declared = [...new Set(declaredClasses ?? [])];
  const seen = new Set<string>();
  for (const answer of answers) for (const label of answer.labels) seen.add(label);
  const others = [...seen].filter((label) => !declared.includes(label)).sort(compareLabels);
  const classes = [...declared, ...others];
  const itemOrder: string[] = [];
  const itemSeen = new Set<string>();
  for (const { item } of answers)
    if (!itemSeen.has(item)) (itemSeen.add(item), itemOrder.push(item));
  const probability = new Map(itemOrder.map((item) => [item, {} as Record<string, number>]));
  const reliabilitySum = new Map<string, number>();
  for (const label of classes) {
    // Declared in this order, so an exact tie goes to "absent".
    const builder = new AnswerSetBuilder({ labels: [ABSENT, PRESENT], capacity: answers.length });
    for (const item of itemOrder) builder.addItem(item);
    for (const answer of answers)
      builder.add(answer.item, answer.worker, answer.labels.includes(label) ? PRESENT : ABSENT);
    const estimate = inferTruth(builder.build(), method, methodOptions);
    estimate.items.forEach((item, i) => {
      probability.get(item)![label] = estimate.posterior[i * 2 + 1]!;
    });
    estimate.workers.forEach((worker, w) =>
      reliabilitySum.set(worker, (reliabilitySum.get(worker) ?? 0) + estimate.reliability[w]!),
    );
  }
  const reliability = new Map(
    [...reliabilitySum].map(([worker, sum]) => [worker, classes.length ? sum / classes.length : 0]),
  );
  return {
    classes,
    reliability,
    items: itemOrder.map((item) => {
      const p = probability.get(item)!;
      return { item, labels: classes.filter((label) => p[label]! > 0.5), probability: p };
    }),
  };
}
