import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attackSuccessRates, type AttackAttempt } from './attacks';

const attempt = (
  model: string,
  category: string,
  success: boolean,
  severity: string | null = null,
): AttackAttempt => ({
  model,
  category,
  success,
  severity: success ? (severity ?? 'high') : null,
});

describe('attackSuccessRates', () => {
  it('counts attempts and successes per model, category and cell with intervals', () => {
    const report = attackSuccessRates([
      attempt('a', 'vcr', true, 'severe'),
      attempt('a', 'vcr', false),
      attempt('a', 'hte', false),
      attempt('b', 'vcr', true, 'low'),
      attempt('b', 'vcr', true, 'low'),
      attempt('b', 'hte', false),
    ]);
    expect(report.overall).toMatchObject({ successes: 3, trials: 6, rate: 0.5 });
    expect(report.byModel.map((row) => [row.model, row.successes, row.trials])).toEqual([
      ['a', 1, 3],
      ['b', 2, 3],
    ]);
    expect(report.byCategory.map((row) => [row.category, row.successes, row.trials])).toEqual([
      ['hte', 0, 2],
      ['vcr', 3, 4],
    ]);
    expect(report.cells).toHaveLength(4);
    const hte = report.byCategory[0]!;
    expect(hte.lower).toBe(0);
    expect(hte.upper).toBeGreaterThan(0.5); // 0 of 2 says little
    expect(report.severities).toEqual([
      { model: 'a', severity: 'severe', count: 1 },
      { model: 'b', severity: 'low', count: 2 },
    ]);
  });

  it('reports an empty campaign as no evidence', () => {
    expect(attackSuccessRates([]).overall).toMatchObject({ trials: 0, lower: 0, upper: 1 });
  });

  it('splits every attempt into exactly one cell, and models and categories add up', () => {
    const arbitrary = fc.array(
      fc.record({
        model: fc.constantFrom('m1', 'm2', 'm3'),
        category: fc.constantFrom('c1', 'c2'),
        success: fc.boolean(),
        severity: fc.constant(null),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(arbitrary, (attempts) => {
        const report = attackSuccessRates(attempts);
        const sum = (rows: Array<{ trials: number; successes: number }>) =>
          rows.reduce((n, row) => [n[0]! + row.trials, n[1]! + row.successes], [0, 0]);
        const total = [report.overall.trials, report.overall.successes];
        expect(sum(report.cells)).toEqual(total);
        expect(sum(report.byModel)).toEqual(total);
        expect(sum(report.byCategory)).toEqual(total);
      }),
    );
  });
});
