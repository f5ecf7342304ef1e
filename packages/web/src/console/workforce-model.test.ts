import { describe, expect, it } from 'vitest';
import {
  parseLanguages,
  parseSkills,
  payoutsHref,
  personPatch,
  skillsText,
} from './workforce-model';

const draft = {
  name: 'Ada',
  roles: ['annotator', 'reviewer'],
  pool: 'vendor',
  team: ' night shift ',
  skills: 'medical:3, french',
  languages: 'en, fr-CA en',
  clearance: '2',
  password: '',
};

describe('the workforce page’s forms', () => {
  it('read skills as skill:level pairs and write them back the same way', () => {
    expect(parseSkills('medical:3, french , legal: 0')).toEqual({
      medical: 3,
      french: 1,
      legal: 0,
    });
    expect(parseSkills('')).toEqual({});
    expect(skillsText({ medical: 3, french: 1 })).toBe('french:1, medical:3');
    expect(parseSkills(skillsText({ medical: 3, french: 1 }))).toEqual({ medical: 3, french: 1 });
  });

  it('say what is wrong with a skill', () => {
    expect(parseSkills('medical:11')).toMatch(/0 to 10/);
    expect(parseSkills('medical:x')).toMatch(/not skill or skill:level/);
    expect(parseSkills('a:1, a:2')).toMatch(/listed twice/);
  });

  it('read languages once each, split by commas or spaces', () => {
    expect(parseLanguages('en, fr-CA  en,de')).toEqual(['en', 'fr-CA', 'de']);
    expect(parseLanguages(' ')).toEqual([]);
  });

  it('send every field shown, the password only when typed, and refuse what cannot be sent', () => {
    expect(personPatch(draft)).toEqual({
      name: 'Ada',
      roles: ['annotator', 'reviewer'],
      pool: 'vendor',
      team: 'night shift',
      skills: { medical: 3, french: 1 },
      languages: ['en', 'fr-CA'],
      clearance: 2,
    });
    expect(personPatch({ ...draft, team: ' ', password: 'a new one' })).toMatchObject({
      team: null,
      password: 'a new one',
    });
    expect(personPatch({ ...draft, roles: [] })).toMatch(/at least one role/);
    expect(personPatch({ ...draft, clearance: '1.5' })).toMatch(/0 to 10/);
    expect(personPatch({ ...draft, skills: 'x:99' })).toMatch(/0 to 10/);
  });

  it('ask for payouts over whole UTC days, the last one included', () => {
    expect(payoutsHref('2026-11-01', '2026-11-30', '')).toBe(
      '/api/v1/payouts.csv?from=2026-11-01T00%3A00%3A00Z&to=2026-12-01T00%3A00%3A00.000Z',
    );
    expect(payoutsHref('', '', 'votes')).toBe('/api/v1/payouts.csv?project=votes');
    expect(payoutsHref('', '', '')).toBe('/api/v1/payouts.csv');
  });
});
