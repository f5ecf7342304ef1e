import { describe, expect, it } from 'vitest';
import { failure } from './test-support';
import { TASK_TYPES, parseCreateTaskBody, parseTaskResponse } from './index';

/** The Scale SDK's `test_categorize_ok`, legacy `force` included. */
const sdkBody = {
  callback_url: 'http://www.example.com/callback',
  instruction: 'Is this company public or private?',
  attachment_type: 'website',
  force: true,
  attachment: 'http://www.google.com/',
  categories: ['public', 'private'],
};

const taxonomyBody = {
  attachment: 'https://example.com/product.jpg',
  attachment_type: 'image',
  taxonomies: {
    colour: {
      description: 'Main colour',
      choices: ['red', { choice: 'blue', subchoices: ['navy', 'sky'] }],
    },
    tags: { type: 'category', choices: ['new', 'used', 'damaged'], allow_multiple: true },
  },
  layers: { boxes: [{ left: 1, top: 1, width: 10, height: 10 }] },
};

describe('categorization create params', () => {
  it('accepts the SDK test body, ignores force, and fills in allow_multiple', () => {
    const { common, params } = parseCreateTaskBody('categorization', sdkBody);
    expect(common).toMatchObject({ force: true, callback_url: sdkBody.callback_url });
    expect(params).toEqual({
      attachment: 'http://www.google.com/',
      attachment_type: 'website',
      categories: ['public', 'private'],
      allow_multiple: false,
    });
  });

  it('takes text as the attachment by default', () => {
    const { params } = parseCreateTaskBody('categorization', {
      attachment: 'Buy now!!!',
      categories: ['spam', 'ham'],
    });
    expect(params).toEqual({
      attachment: 'Buy now!!!',
      attachment_type: 'text',
      categories: ['spam', 'ham'],
      allow_multiple: false,
    });
  });

  it('accepts taxonomies with nested choices and image layers, filling in their defaults', () => {
    const { params } = parseCreateTaskBody('categorization', taxonomyBody);
    expect(params.taxonomies).toEqual({
      colour: {
        type: 'category',
        description: 'Main colour',
        choices: taxonomyBody.taxonomies.colour.choices,
        allow_multiple: false,
      },
      tags: { type: 'category', choices: ['new', 'used', 'damaged'], allow_multiple: true },
    });
    expect(params.layers).toEqual(taxonomyBody.layers);
  });

  const bad: Array<[string, Record<string, unknown>, string, string]> = [
    ['no attachment (test_categorize_fail)', { categories: ['a'] }, 'attachment', 'is required'],
    [
      'neither categories nor taxonomies',
      { attachment: 'x' },
      'categories',
      'categories or taxonomies is required',
    ],
    [
      'empty categories',
      { attachment: 'x', categories: [] },
      'categories',
      'at least one category',
    ],
    [
      'a duplicate category',
      { attachment: 'x', categories: ['a', 'b', 'a'] },
      'categories.2',
      'duplicate category "a"',
    ],
    [
      'a blank category',
      { attachment: 'x', categories: ['a', ' '] },
      'categories.1',
      'must not be blank',
    ],
    [
      'an unknown attachment type',
      { attachment: 'x', attachment_type: 'hologram', categories: ['a'] },
      'attachment_type',
      'must be one of "text", "image"',
    ],
    [
      'an image that is not a URL',
      { attachment: 'cat.jpg', attachment_type: 'image', categories: ['a'] },
      'attachment',
      'when attachment_type is "image"',
    ],
    [
      'category ids naming an unknown category',
      { attachment: 'x', categories: ['a'], category_ids: { id1: 'b' } },
      'category_ids.id1',
      '"b" is not one of the categories',
    ],
    [
      'category ids without categories',
      { attachment: 'x', taxonomies: { q: { choices: ['a'] } }, category_ids: { id1: 'a' } },
      'category_ids',
      'needs categories',
    ],
    [
      'an empty taxonomies object',
      { attachment: 'x', taxonomies: {} },
      'taxonomies',
      'at least one question',
    ],
    [
      'a taxonomy without choices',
      { attachment: 'x', taxonomies: { q: { choices: [] } } },
      'taxonomies.q.choices',
      'at least one choice',
    ],
    [
      'a taxonomy of another type',
      { attachment: 'x', taxonomies: { q: { type: 'text', choices: ['a'] } } },
      'taxonomies.q.type',
      'must be "category"',
    ],
    [
      'a duplicate taxonomy choice',
      {
        attachment: 'x',
        taxonomies: { q: { choices: ['a', { choice: 'g', subchoices: ['a'] }] } },
      },
      'taxonomies.q.choices.1.subchoices.0',
      'duplicate choice "a"',
    ],
    [
      'layers on a text attachment',
      { attachment: 'x', categories: ['a'], layers: {} },
      'layers',
      'attachment_type is "image"',
    ],
    [
      'a non-boolean allow_multiple',
      { attachment: 'x', categories: ['a'], allow_multiple: 'true' },
      'allow_multiple',
      'must be true or false',
    ],
  ];

  it.each(bad)('refuses %s, naming the field', (_name, body, field, fragment) => {
    const error = failure(() => parseCreateTaskBody('categorization', body));
    expect(error.field).toBe(field);
    expect(error.message).toContain(fragment);
  });
});

describe('categorization responses', () => {
  const single = parseCreateTaskBody('categorization', {
    ...sdkBody,
    category_ids: { pub: 'public', priv: 'private' },
  }).params;
  const multiple = parseCreateTaskBody('categorization', {
    ...sdkBody,
    allow_multiple: true,
  }).params;
  const taxonomies = parseCreateTaskBody('categorization', taxonomyBody).params;

  it('completes test tasks with the first category, as an array when several may be chosen', () => {
    expect(TASK_TYPES.categorization!.testResponse(single)).toEqual({ category: 'public' });
    expect(TASK_TYPES.categorization!.testResponse(multiple)).toEqual({ category: ['public'] });
    for (const params of [single, multiple, taxonomies]) {
      const response = TASK_TYPES.categorization!.testResponse(params);
      expect(parseTaskResponse('categorization', response, params)).toEqual(response);
    }
  });

  it('completes taxonomy test tasks with the first leaf of every question', () => {
    expect(TASK_TYPES.categorization!.testResponse(taxonomies)).toEqual({
      taxonomies: { colour: ['red'], tags: ['new'] },
    });
  });

  it('accepts the recorded Scale answers', () => {
    expect(
      parseTaskResponse('categorization', { category: 'private', category_id: null }, single),
    ).toEqual({ category: 'private', category_id: null });
    expect(
      parseTaskResponse('categorization', { category: 'private', category_id: 'priv' }, single),
    ).toMatchObject({ category_id: 'priv' });
    expect(
      parseTaskResponse(
        'categorization',
        { taxonomies: { colour: ['navy'], tags: ['used', 'damaged'] } },
        taxonomies,
      ),
    ).toBeDefined();
  });

  const bad: Array<[string, unknown, Record<string, unknown>, string, string]> = [
    [
      'an unknown category',
      { category: 'secret' },
      single,
      'response.category',
      '"secret" is not one of "public", "private"',
    ],
    [
      'an array when one is expected',
      { category: ['public'] },
      single,
      'response.category',
      'allow_multiple is not set',
    ],
    [
      'one category when several may be chosen',
      { category: 'public' },
      multiple,
      'response.category',
      'must be an array',
    ],
    [
      'a repeated category',
      { category: ['public', 'public'] },
      multiple,
      'response.category.1',
      'duplicate category',
    ],
    [
      'an id of another category',
      { category: 'public', category_id: 'priv' },
      single,
      'response.category_id',
      'not of the chosen category',
    ],
    ['no answer at all', {}, single, 'response.category', 'category or taxonomies is required'],
    [
      'a parent taxonomy choice',
      { taxonomies: { colour: ['blue'], tags: ['new'] } },
      taxonomies,
      'response.taxonomies.colour.0',
      '"blue" is not one of',
    ],
    [
      'an unanswered question',
      { taxonomies: { colour: ['red'] } },
      taxonomies,
      'response.taxonomies.tags',
      'is required',
    ],
    [
      'two answers to a single-choice question',
      { taxonomies: { colour: ['red', 'sky'], tags: ['new'] } },
      taxonomies,
      'response.taxonomies.colour',
      'exactly one choice',
    ],
    [
      'an unknown question',
      { taxonomies: { colour: ['red'], tags: ['new'], size: ['xl'] } },
      taxonomies,
      'response.taxonomies.size',
      'unknown question',
    ],
    [
      'a category for a taxonomy task',
      { category: 'red' },
      taxonomies,
      'response.category',
      'asks taxonomies, not categories',
    ],
  ];

  it.each(bad)('refuses %s', (_name, response, params, field, fragment) => {
    const error = failure(() => parseTaskResponse('categorization', response, params));
    expect(error.field).toBe(field);
    expect(error.message).toContain(fragment);
  });
});
