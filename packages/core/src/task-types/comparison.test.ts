import { describe, expect, it } from 'vitest';
import { failure } from './test-support';
import { TASK_TYPES, parseCreateTaskBody, parseTaskResponse } from './index';

/** The shape of Scale's recorded comparison task (compat doc §6.3). */
const recorded = {
  callback_url: 'http://www.example.com/callback',
  instruction: 'Do the objects in these images have the same pattern?',
  attachment_type: 'image',
  attachments: [
    'http://i.ebayimg.com/00/$T2eC16dHJGwFFZKjy5ZjBRfNyMC4Ig~~_32.JPG',
    'http://images.wisegeek.com/checkered-tablecloth.jpg',
  ],
  choices: ['yes', 'no'],
};

describe('comparison create params', () => {
  it('accepts the recorded Scale body as given', () => {
    const { common, params } = parseCreateTaskBody('comparison', recorded);
    expect(common).toEqual({
      callback_url: recorded.callback_url,
      instruction: recorded.instruction,
    });
    expect(params).toEqual({
      attachment_type: 'image',
      attachments: recorded.attachments,
      choices: ['yes', 'no'],
    });
  });

  it('fills in the image attachment type and accepts fields alone', () => {
    const { params } = parseCreateTaskBody('comparison', {
      attachments: ['https://a.example/1.png', 'https://a.example/2.png'],
      fields: { difference: 'Describe the main difference' },
    });
    expect(params).toEqual({
      attachments: ['https://a.example/1.png', 'https://a.example/2.png'],
      attachment_type: 'image',
      fields: { difference: 'Describe the main difference' },
    });
  });

  it('takes texts as attachments when attachment_type is text', () => {
    const { params } = parseCreateTaskBody('comparison', {
      attachments: ['one', 'two'],
      attachment_type: 'text',
      choices: ['same', 'different'],
    });
    expect(params.attachments).toEqual(['one', 'two']);
  });

  const bad: Array<[string, Record<string, unknown>, string, string]> = [
    ['no attachments', { choices: ['a'] }, 'attachments', 'is required'],
    [
      'a single attachment',
      { attachments: ['https://a/1'], choices: ['a'] },
      'attachments',
      'at least 2 attachments',
    ],
    [
      'an attachment that is not a URL',
      { attachments: ['https://a/1', 'two'], choices: ['a'] },
      'attachments.1',
      'http(s) URL',
    ],
    [
      'neither choices nor fields',
      { attachments: ['https://a/1', 'https://a/2'] },
      'choices',
      'choices, fields, preference, criteria, ranking, flags or rewrite is required',
    ],
    [
      'a duplicate choice',
      { attachments: ['https://a/1', 'https://a/2'], choices: ['yes', 'yes'] },
      'choices.1',
      'duplicate choice "yes"',
    ],
    [
      'empty fields',
      { attachments: ['https://a/1', 'https://a/2'], fields: {} },
      'fields',
      'at least one field',
    ],
    [
      'a field description that is not a string',
      { attachments: ['https://a/1', 'https://a/2'], fields: { a: 1 } },
      'fields.a',
      'must be a string',
    ],
  ];

  it.each(bad)('refuses %s, naming the field', (_name, body, field, fragment) => {
    const error = failure(() => parseCreateTaskBody('comparison', body));
    expect(error.field).toBe(field);
    expect(error.message).toContain(fragment);
  });
});

describe('comparison responses', () => {
  const withChoices = parseCreateTaskBody('comparison', recorded).params;
  const withFields = parseCreateTaskBody('comparison', {
    ...recorded,
    choices: undefined,
    fields: { why: 'Why?' },
  }).params;

  it('completes test tasks with the first choice', () => {
    const response = TASK_TYPES.comparison!.testResponse(withChoices);
    expect(response).toEqual({ choice: 'yes' });
    expect(parseTaskResponse('comparison', response, withChoices)).toEqual(response);
    const fieldsResponse = TASK_TYPES.comparison!.testResponse(withFields);
    expect(parseTaskResponse('comparison', fieldsResponse, withFields)).toEqual(fieldsResponse);
  });

  it('accepts the recorded answer and field answers', () => {
    expect(parseTaskResponse('comparison', { choice: 'no' }, withChoices)).toEqual({
      choice: 'no',
    });
    expect(parseTaskResponse('comparison', { fields: { why: 'stripes' } }, withFields)).toEqual({
      fields: { why: 'stripes' },
    });
  });

  it.each([
    [
      'a choice not offered',
      { choice: 'maybe' },
      withChoices,
      'response.choice',
      '"maybe" is not one of "yes", "no"',
    ],
    ['no choice', { fields: {} }, withChoices, 'response.choice', 'is required'],
    [
      'an unknown field',
      { fields: { how: 'x' } },
      withFields,
      'response.fields.how',
      'unknown field "how"',
    ],
    [
      'a choice when there are none',
      { choice: 'yes' },
      withFields,
      'response.choice',
      'no choices',
    ],
  ] as const)('refuses %s', (_name, response, params, field, fragment) => {
    const error = failure(() => parseTaskResponse('comparison', response, params));
    expect(error.field).toBe(field);
    expect(error.message).toContain(fragment);
  });
});

describe('comparison preferences and ratings', () => {
  const params = {
    attachment_type: 'text',
    attachments: ['first answer', 'second answer'],
    preference: { strength: ['slightly', 'clearly', 'much'] },
    criteria: [{ id: 'helpful' }, { id: 'honest', min: 1, max: 5 }],
    fields: { rationale: 'Why?' },
  };
  const parsed = () => parseCreateTaskBody('comparison', params).params;
  const check = (response: unknown) => parseTaskResponse('comparison', response, parsed());

  it('accepts a preference with strength, a tie, and a rating per attachment per criterion', () => {
    const ratings = { helpful: [6, 3], honest: [5, 4] };
    expect(() => check({ preference: { winner: 0, strength: 'clearly' }, ratings })).not.toThrow();
    expect(() =>
      check({ preference: { winner: 'tie' }, ratings, fields: { rationale: 'same' } }),
    ).not.toThrow();
    const filled = parsed() as { preference?: unknown; criteria?: unknown[] };
    expect(filled.preference).toEqual({ ties: true, strength: ['slightly', 'clearly', 'much'] });
    expect(filled.criteria?.[0]).toEqual({ id: 'helpful', min: 1, max: 7 });
  });

  it('refuses what the task does not allow, naming the field', () => {
    const ratings = { helpful: [6, 3], honest: [5, 4] };
    const cases: Array<[unknown, string]> = [
      [{ ratings }, 'response.preference: is required'],
      [{ preference: { winner: 2, strength: 'much' }, ratings }, 'response.preference.winner'],
      [{ preference: { winner: 1 }, ratings }, 'response.preference.strength: is required'],
      [{ preference: { winner: 1, strength: 'hugely' }, ratings }, 'response.preference.strength'],
      [{ preference: { winner: 'tie', strength: 'much' }, ratings }, 'a tie has no strength'],
      [
        { preference: { winner: 0, strength: 'much' }, ratings: { helpful: [6, 3] } },
        'response.ratings.honest: is required',
      ],
      [
        { preference: { winner: 0, strength: 'much' }, ratings: { ...ratings, honest: [6, 4] } },
        'response.ratings.honest.0: must be from 1 to 5',
      ],
      [
        { preference: { winner: 0, strength: 'much' }, ratings: { ...ratings, helpful: [6] } },
        'one score per attachment',
      ],
      [
        { preference: { winner: 0, strength: 'much' }, ratings: { ...ratings, style: [1, 1] } },
        'unknown criterion',
      ],
    ];
    for (const [response, message] of cases) expect(() => check(response)).toThrow(message);
    const noTies = parseCreateTaskBody('comparison', {
      ...params,
      preference: { ties: false },
    }).params;
    expect(() =>
      parseTaskResponse('comparison', { preference: { winner: 'tie' }, ratings }, noTies),
    ).toThrow('allows no ties');
  });

  it('refuses duplicate criteria and an empty scale', () => {
    expect(() =>
      parseCreateTaskBody('comparison', { ...params, criteria: [{ id: 'a' }, { id: 'a' }] }),
    ).toThrow('criteria.1.id: duplicate criterion');
    expect(() =>
      parseCreateTaskBody('comparison', { ...params, criteria: [{ id: 'a', min: 3, max: 3 }] }),
    ).toThrow('criteria.0.max');
  });
});

describe('comparison rankings, flags and rewrites', () => {
  const { params } = parseCreateTaskBody('comparison', {
    attachments: ['A says hi', 'B says hello', 'C says hey'],
    attachment_type: 'text',
    ranking: true,
    flags: ['hte'],
    rewrite: { required: false },
  });

  it('takes a full ranking, flags on attachments and an optional rewrite', () => {
    const response = { ranking: [2, 0, 1], flags: [{ attachment: 1, category: 'hte' }] };
    expect(parseTaskResponse('comparison', response, params)).toEqual(response);
    expect(
      parseTaskResponse('comparison', { ...response, rewrite: 'Hello!' }, params).rewrite,
    ).toBe('Hello!');
  });

  it('names the ranking that misses or repeats an item', () => {
    const ranking = (value: number[]) =>
      failure(() => parseTaskResponse('comparison', { ranking: value, flags: [] }, params));
    expect(ranking([0, 1]).message).toContain('all 3');
    expect(ranking([0, 1, 1]).field).toBe('response.ranking.2');
    expect(ranking([0, 1, 3]).field).toBe('response.ranking.2');
  });

  it('refuses a flag on a response that does not exist, and parts the task did not ask for', () => {
    expect(
      failure(() =>
        parseTaskResponse(
          'comparison',
          { ranking: [0, 1, 2], flags: [{ attachment: 3, category: 'hte' }] },
          params,
        ),
      ).field,
    ).toBe('response.flags.0.attachment');
    const plain = parseCreateTaskBody('comparison', recorded).params;
    expect(
      failure(() => parseTaskResponse('comparison', { choice: 'yes', ranking: [0, 1] }, plain))
        .field,
    ).toBe('response.ranking');
  });

  it('completes a test-mode task with a valid identity ranking', () => {
    const response = TASK_TYPES.comparison!.testResponse(params);
    expect(parseTaskResponse('comparison', response, params)).toEqual(response);
  });
});
