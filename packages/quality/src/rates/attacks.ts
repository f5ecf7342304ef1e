import { wilsonInterval, type Proportion } from './proportion';

/** One reviewed red-team attempt: which model, which category it targeted, whether it worked. */
export interface AttackAttempt {
  model: string;
  category: string;
  success: boolean;
  severity: string | null;
}

export interface AttackSuccessRates {
  overall: Proportion;
  byModel: Array<Proportion & { model: string }>;
  byCategory: Array<Proportion & { category: string }>;
  cells: Array<Proportion & { model: string; category: string }>;
  severities: Array<{ model: string; severity: string; count: number }>;
}

function tally<K extends string>(
  attempts: readonly AttackAttempt[],
  keyOf: (attempt: AttackAttempt) => string,
) {
  const counts = new Map<string, { successes: number; trials: number; sample: AttackAttempt }>();
  for (const attempt of attempts) {
    const key = keyOf(attempt);
    const count = counts.get(key) ?? { successes: 0, trials: 0, sample: attempt };
    count.trials++;
    if (attempt.success) count.successes++;
    counts.set(key, count);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, count]) => ({
      sample: count.sample as AttackAttempt & Record<K, string>,
      proportion: wilsonInterval(count.successes, count.trials),
    }));
}

/**
 * Attack success rates with Wilson 95% intervals: overall, per model, per targeted category and
 * per (model, category) cell, plus the successes by severity. Sorted by name for stable output.
 */
export function attackSuccessRates(attempts: readonly AttackAttempt[]): AttackSuccessRates {
  const successes = attempts.filter((attempt) => attempt.success).length;
  const severities = new Map<string, { model: string; severity: string; count: number }>();
  for (const attempt of attempts) {
    if (!attempt.success || attempt.severity === null) continue;
    const key = JSON.stringify([attempt.model, attempt.severity]);
    const entry = severities.get(key) ?? {
      model: attempt.model,
      severity: attempt.severity,
      count: 0,
    };
    entry.count++;
    severities.set(key, entry);
  }
  return {
    overall: wilsonInterval(successes, attempts.length),
    byModel: tally(attempts, (a) => a.model).map(({ sample, proportion }) => ({
      model: sample.model,
      ...proportion,
    })),
    byCategory: tally(attempts, (a) => a.category).map(({ sample, proportion }) => ({
      category: sample.category,
      ...proportion,
    })),
    cells: tally(attempts, (a) => JSON.stringify([a.model, a.category])).map(
      ({ sample, proportion }) => ({
        model: sample.model,
        category: sample.category,
        ...proportion,
      }),
    ),
    severities: [...severities.values()].sort(
      (a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0) || b.count - a.count,
    ),
  };
}
