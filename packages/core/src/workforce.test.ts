import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CreateWorkerBody, Languages } from './api/workforce';
import {
  addActiveTime,
  canGrant,
  claimsOwed,
  csvCell,
  csvDocument,
  drawnForAudit,
  hasRole,
  ineligibility,
  payFor,
  stableFraction,
} from './workforce';

const RATES = {
  currency: 'USD',
  attempt: 10,
  review: 4,
  audit: 6,
  bonusPercent: 20,
  bonusAbove: 0.9,
};

describe('roles', () => {
  it('ranks and grants', () => {
    expect(hasRole(['manager'], 'reviewer')).toBe(true);
    expect(hasRole(['annotator'], 'reviewer')).toBe(false);
    expect(canGrant(['manager'], ['annotator', 'reviewer'])).toBe(true);
    expect(canGrant(['manager'], ['manager'])).toBe(false);
    expect(canGrant(['admin'], ['manager'])).toBe(true);
    expect(canGrant(['admin'], ['admin'])).toBe(false);
    expect(canGrant(['owner'], ['owner'])).toBe(true);
    expect(canGrant(['reviewer'], ['annotator'])).toBe(false);
  });
});

describe('ineligibility', () => {
  const worker = {
    clearance: 2,
    skills: { medical: 3 },
    languages: ['en', 'FR'],
    pool: 'vendor' as const,
  };
  const open = { clearance: 0, skills: {}, languages: [], pools: [] };
  it('names the first unmet requirement', () => {
    expect(ineligibility(worker, open)).toBeUndefined();
    expect(ineligibility(worker, { ...open, clearance: 3 })).toMatch(/clearance 3 \(yours is 2\)/);
    expect(ineligibility(worker, { ...open, skills: { medical: 4 } })).toMatch(
      /"medical" at level 4/,
    );
    expect(ineligibility(worker, { ...open, skills: { legal: 1 } })).toMatch(/"legal"/);
    // Skill names match regardless of case; a skill spelt two ways counts at its higher level.
    expect(ineligibility(worker, { ...open, skills: { Medical: 3 } })).toBeUndefined();
    const twice = { ...worker, skills: { MEDICAL: 1, medical: 4 } };
    expect(ineligibility(twice, { ...open, skills: { Medical: 4 } })).toBeUndefined();
    expect(ineligibility(twice, { ...open, skills: { medical: 5 } })).toMatch(/\(yours is 4\)/);
    expect(ineligibility(worker, { ...open, languages: ['fr'] })).toBeUndefined();
    expect(ineligibility(worker, { ...open, languages: ['de'] })).toMatch(/languages de/);
    expect(ineligibility(worker, { ...open, pools: ['internal'] })).toMatch(/internal pool only/);
  });

  it('matches languages as ranges: a language is met by its regional tags, not the reverse', () => {
    const canadian = { ...worker, languages: ['fr-CA', 'pt-br'] };
    expect(ineligibility(canadian, { ...open, languages: ['fr'] })).toBeUndefined();
    expect(ineligibility(canadian, { ...open, languages: ['PT-BR'] })).toBeUndefined();
    expect(ineligibility(canadian, { ...open, languages: ['fr-FR'] })).toMatch(/languages fr-FR/);
    expect(ineligibility(canadian, { ...open, languages: ['f'] })).toMatch(/languages f$/);
    expect(ineligibility(worker, { ...open, languages: ['fr-CA'] })).toMatch(/languages fr-CA/);
  });
});

describe('a new worker', () => {
  const body = { email: 'a@example.test', name: 'Zoë', roles: ['annotator'] };
  it('has a name one can see and a password that is not blank', () => {
    expect(CreateWorkerBody.safeParse(body).success).toBe(true);
    expect(CreateWorkerBody.safeParse({ ...body, name: '李' }).success).toBe(true);
    for (const name of ['   ', '\u202e\u200b'])
      expect(CreateWorkerBody.safeParse({ ...body, name }).success).toBe(false);
    expect(CreateWorkerBody.safeParse({ ...body, password: ' '.repeat(12) }).success).toBe(false);
    expect(CreateWorkerBody.safeParse({ ...body, password: 'a long passphrase' }).success).toBe(
      true,
    );
  });
});

describe('language tags', () => {
  it('takes BCP 47 tags, once each', () => {
    expect(Languages.safeParse(['en', 'pt-BR', 'zh-Hant-TW']).success).toBe(true);
    for (const bad of [['not a language!!'], ['e'], ['en_US'], ['en', 'EN']])
      expect(Languages.safeParse(bad).success).toBe(false);
  });
});

describe('active time', () => {
  it('caps idle gaps', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    let active = addActiveTime(0, t0, at(30), 120);
    active = addActiveTime(active, at(30), at(1000), 120);
    expect(active).toBe(150);
    expect(addActiveTime(5, at(10), at(5), 120)).toBe(5);
  });
});

describe('sampling', () => {
  it('draws about the rate, stably', () => {
    let drawn = 0;
    for (let i = 0; i < 20000; i++) if (drawnForAudit(`task-${i}`, 0.1)) drawn++;
    expect(drawn / 20000).toBeGreaterThan(0.09);
    expect(drawn / 20000).toBeLessThan(0.11);
    expect(drawnForAudit('x', 0)).toBe(false);
    expect(drawnForAudit('x', 1)).toBe(true);
    fc.assert(
      fc.property(fc.string(), (key) => {
        const value = stableFraction(key);
        return value >= 0 && value < 1 && value === stableFraction(key);
      }),
      { seed: 3 },
    );
  });
});

describe('pay', () => {
  it('pays accepted attempts, bonuses and reviews', () => {
    expect(payFor('attempt', true, RATES, null, 0.95)).toEqual({ base: 10, bonus: 2 });
    expect(payFor('attempt', true, RATES, null, 0.5)).toEqual({ base: 10, bonus: 0 });
    expect(payFor('attempt', true, RATES, null, undefined)).toEqual({ base: 10, bonus: 0 });
    expect(payFor('attempt', true, RATES, 15, 0.95)).toEqual({ base: 15, bonus: 3 });
    expect(payFor('attempt', false, RATES, null, 1)).toEqual({ base: 0, bonus: 0 });
    expect(payFor('review', false, RATES, null, undefined)).toEqual({ base: 4, bonus: 0 });
    expect(payFor('audit', true, RATES, null, undefined)).toEqual({ base: 6, bonus: 0 });
  });
});

describe('csv', () => {
  it('defuses formulas and quotes', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@sum')).toBe("'@sum");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(
      csvDocument([
        ['a', 1],
        ['b\nc', 2],
      ]),
    ).toBe('a,1\r\n"b\nc",2\r\n');
  });

  it('never leaves a cell that a spreadsheet would run', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const cell = csvCell(text);
        const unquoted = cell.startsWith('"') ? cell.slice(1) : cell;
        return !/^[=+\-@\t\r]/.test(unquoted);
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it('owes a drained stage what brings it to its consensus, and no more', () => {
    const consensus = { min: 3, max: 5 };
    expect(claimsOwed('attempt', 0, consensus)).toBe(3);
    expect(claimsOwed('attempt', 2, consensus)).toBe(1);
    expect(claimsOwed('attempt', 3, consensus)).toBe(1);
    expect(claimsOwed('attempt', 5, consensus)).toBe(0);
    expect(claimsOwed('review', 3, consensus)).toBe(1);
    expect(claimsOwed('audit', 0, consensus)).toBe(1);
    fc.assert(
      fc.property(fc.nat(6), fc.nat(6), fc.nat(12), (min, extra, answers) => {
        const owed = claimsOwed('attempt', answers, { min, max: min + extra });
        // Never past max, and never short of min.
        return answers + owed <= Math.max(answers, min + extra) && answers + owed >= min;
      }),
      { seed: 12, numRuns: 300 },
    );
  });
});
