import { describe, expect, it } from 'vitest';
import { feedbackTasksBody, parseCriteria } from './feedback-model';

describe('the feedback tasks form', () => {
  it('reads criteria with or without their scales', () => {
    expect(parseCriteria('helpful:1-5, honest')).toEqual([
      { id: 'helpful', min: 1, max: 5 },
      { id: 'honest', min: 1, max: 7 },
    ]);
    expect(parseCriteria('')).toEqual([]);
  });

  it('says what is wrong with a criterion', () => {
    expect(parseCriteria('helpful:5-1')).toMatch(/above its bottom/);
    expect(parseCriteria('a b')).toMatch(/not id or id:min-max/);
    expect(parseCriteria('x, x:1-3')).toMatch(/listed twice/);
  });

  it('sends only what the mode takes', () => {
    const form = {
      project: 'p',
      criteria: [{ id: 'helpful', min: 1, max: 5 }],
      ties: true,
      strength: 'slightly, much',
      flags: ['hte'],
      rewrite: true,
      rationale: true,
    };
    expect(feedbackTasksBody({ ...form, mode: 'pairs' })).toEqual({
      project: 'p',
      mode: 'pairs',
      criteria: form.criteria,
      ties: true,
      strength: ['slightly', 'much'],
      flags: ['hte'],
      rewrite: true,
      rationale: true,
    });
    expect(feedbackTasksBody({ ...form, mode: 'ratings', flags: undefined })).toEqual({
      project: 'p',
      mode: 'ratings',
      criteria: form.criteria,
      rewrite: true,
      rationale: false,
    });
  });
});
