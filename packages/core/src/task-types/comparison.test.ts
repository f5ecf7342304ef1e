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
      'choices or fields is required',
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
