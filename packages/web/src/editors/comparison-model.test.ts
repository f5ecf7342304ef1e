import { describe, expect, it } from 'vitest';
import { parseTaskResponse } from '@quorum/core';
import {
  comparisonResponse,
  comparisonStateOf,
  comparisonTaskOf,
  type ComparisonState,
} from './comparison-model';
import { moveInRanking, toggleFlag } from './feedback';

describe('the comparison editor model', () => {
  const params = {
    attachment_type: 'text',
    attachments: ['First answer', 'Second answer', 'Third answer'],
    preference: { ties: true },
    ranking: true,
    flags: ['vcr', 'spc'],
    rewrite: { instructions: 'Fix the mistakes', required: true },
  };

  it('makes a ranking of all responses, the flags and the rewrite, which the task check accepts', () => {
    const task = comparisonTaskOf(params);
    const start = comparisonStateOf(task, undefined);
    expect(start.ranking).toEqual([0, 1, 2]);
    const state: ComparisonState = {
      ...start,
      winner: 2,
      ranking: moveInRanking(moveInRanking(start.ranking, 2, -1), 2, -1),
      flags: toggleFlag(start.flags, { target: 'attachment', index: 1, category: 'spc' }),
      rewrite: 'The ideal answer',
    };
    const response = comparisonResponse(task, state);
    expect(response).toEqual({
      preference: { winner: 2 },
      ranking: [2, 0, 1],
      flags: [{ attachment: 1, category: 'spc' }],
      rewrite: 'The ideal answer',
    });
    expect(() => parseTaskResponse('comparison', response, params)).not.toThrow();
    expect(comparisonStateOf(task, response)).toEqual({ ...state, choice: undefined, fields: {} });
  });

  it('leaves a blank rewrite out, so the check names it as required', () => {
    const task = comparisonTaskOf(params);
    const response = comparisonResponse(task, {
      ...comparisonStateOf(task, undefined),
      winner: 'tie',
      rewrite: '   ',
    });
    expect(response.rewrite).toBeUndefined();
    expect(response.flags).toEqual([]);
    expect(() => parseTaskResponse('comparison', response, params)).toThrow(
      'response.rewrite: is required',
    );
  });

  it('keeps the responses of tasks that ask for none of the new parts as they were', () => {
    const old = {
      attachments: ['a', 'b'],
      attachment_type: 'text',
      choices: ['A', 'B'],
      fields: { why: 'Why?' },
    };
    const task = comparisonTaskOf(old);
    expect(
      comparisonResponse(task, {
        ...comparisonStateOf(task, undefined),
        choice: 'B',
        fields: { why: 'clearer' },
      }),
    ).toEqual({ choice: 'B', fields: { why: 'clearer' } });
  });
});
