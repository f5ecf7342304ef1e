import { describe, expect, it } from 'vitest';
import { failure } from './test-support';
import { TASK_TYPES, parseCreateTaskBody, parseTaskResponse } from './index';

const minimal = {
  attachments: [{ type: 'text', content: 'Is this review positive?\n\n> Great phone.' }],
  fields: [{ type: 'text', field_id: 'summary', title: 'Summarise the review' }],
};

const rich = {
  title: 'Product review',
  description: 'Read the review and answer the questions',
  responses_required: 2,
  attachments: [
    { type: 'image', content: 'https://example.com/phone.jpg', forms: ['sentiment'] },
    {
      type: 'text',
      content: '**Great phone**, battery could be better.',
      forms: ['summary', 'price'],
    },
  ],
  fields: [
    {
      type: 'category',
      field_id: 'sentiment',
      title: 'Sentiment',
      hint: 'Overall tone',
      required: true,
      choices: [
        {
          label: 'Positive',
          value: 'positive',
          subchoices: [
            { label: 'Very', value: 'very' },
            { label: 'Somewhat', value: 'somewhat' },
          ],
        },
        { label: 'Negative', value: 'negative' },
        { label: 'Neutral', value: 0 },
      ],
      max_choices: 2,
    },
    { type: 'text', field_id: 'summary', title: 'Summary', min_characters: 5, max_characters: 200 },
    {
      type: 'number',
      field_id: 'price',
      title: 'Price',
      min: 0,
      max: 5000,
      step: 0.01,
      max_responses_required: 3,
    },
    { type: 'datetime', field_id: 'bought', title: 'Bought on', format: 'date' },
    { type: 'boolean', field_id: 'recommend', title: 'Recommends it?' },
    {
      type: 'field_set',
      field_id: 'dimensions',
      title: 'Dimensions',
      inline: true,
      fields: [
        { type: 'number', field_id: 'width', title: 'Width' },
        { type: 'number', field_id: 'height', title: 'Height' },
      ],
    },
    {
      type: 'field_set',
      field_id: 'issues',
      title: 'Issues',
      max_responses_required: 5,
      fields: [
        { type: 'text', field_id: 'issue', title: 'Issue', required: true },
        { type: 'boolean', field_id: 'fixed', title: 'Fixed?' },
      ],
    },
  ],
};

describe('textcollection create params', () => {
  it('accepts a minimal body and fills in the response counts', () => {
    const { params } = parseCreateTaskBody('textcollection', minimal);
    expect(params).toEqual({
      attachments: minimal.attachments,
      fields: [{ ...minimal.fields[0], min_responses_required: 1, max_responses_required: 1 }],
    });
  });

  it('accepts every field type, nested choices and field sets, filling in choice counts', () => {
    const { params } = parseCreateTaskBody('textcollection', rich);
    const fields = params.fields as Array<Record<string, unknown>>;
    expect(fields[0]).toMatchObject({
      min_choices: 1,
      max_choices: 2,
      min_responses_required: 1,
      max_responses_required: 1,
    });
    expect(fields[2]).toMatchObject({ max_responses_required: 3 });
    expect(fields[5]).toMatchObject({
      fields: [{ field_id: 'width', max_responses_required: 1 }, { field_id: 'height' }],
    });
    expect(params.title).toBe('Product review');
  });

  const field = (extra: Record<string, unknown>) => ({
    ...minimal,
    fields: [{ type: 'text', field_id: 'f', title: 'F', ...extra }],
  });
  const category = (extra: Record<string, unknown>) =>
    field({
      type: 'category',
      choices: [
        { label: 'A', value: 'a' },
        { label: 'B', value: 'b' },
      ],
      ...extra,
    });

  const bad: Array<[string, Record<string, unknown>, string, string]> = [
    ['no fields', { attachments: [] }, 'fields', 'is required'],
    ['empty fields', { attachments: [], fields: [] }, 'fields', 'at least one field'],
    ['no attachments', { fields: minimal.fields }, 'attachments', 'is required'],
    [
      'an unknown field type',
      field({ type: 'colour' }),
      'fields.0.type',
      'must be one of "category", "text", "number", "datetime", "boolean", "field_set"',
    ],
    [
      'a field without a field_id',
      { ...minimal, fields: [{ type: 'text', title: 'x' }] },
      'fields.0.field_id',
      'is required',
    ],
    [
      'a field without a title',
      { ...minimal, fields: [{ type: 'text', field_id: 'x' }] },
      'fields.0.title',
      'is required',
    ],
    [
      'a misspelt field key',
      field({ max_chars: 3 }),
      'fields.0.max_chars',
      'unknown field "max_chars"',
    ],
    [
      'min_responses_required of 0',
      field({ min_responses_required: 0 }),
      'fields.0.min_responses_required',
      'must be >= 1',
    ],
    [
      'max_responses_required over 100',
      field({ max_responses_required: 101 }),
      'fields.0.max_responses_required',
      'must be <= 100',
    ],
    [
      'max_responses_required below min',
      field({ min_responses_required: 3, max_responses_required: 2 }),
      'fields.0.max_responses_required',
      'max_responses_required (2) must be >= min_responses_required (3)',
    ],
    [
      'max_characters below min',
      field({ min_characters: 10, max_characters: 5 }),
      'fields.0.max_characters',
      'max_characters (5) must be >= min_characters (10)',
    ],
    [
      'a number field with max below min',
      field({ type: 'number', min: 5, max: 1 }),
      'fields.0.max',
      'max (1) must be >= min (5)',
    ],
    [
      'a category without choices',
      field({ type: 'category', choices: [] }),
      'fields.0.choices',
      'at least one choice',
    ],
    [
      'a choice without a value',
      field({ type: 'category', choices: [{ label: 'A' }] }),
      'fields.0.choices.0.value',
      'is required',
    ],
    [
      'a choice value that is an object',
      field({ type: 'category', choices: [{ label: 'A', value: {} }] }),
      'fields.0.choices.0.value',
      'must be a string, a number or true/false',
    ],
    [
      'max_choices below min_choices',
      category({ min_choices: 2, max_choices: 1 }),
      'fields.0.max_choices',
      'max_choices (1) must be >= min_choices (2)',
    ],
    [
      'min_choices above the number of choices',
      category({ min_choices: 3, max_choices: 3 }),
      'fields.0.min_choices',
      'min_choices (3) exceeds the number of choices (2)',
    ],
    [
      'a duplicate choice value',
      field({
        type: 'category',
        choices: [
          { label: 'A', value: 'a' },
          { label: 'G', value: 'g', subchoices: [{ label: 'A2', value: 'a' }] },
        ],
      }),
      'fields.0.choices.1.subchoices.0.value',
      'duplicate value "a"',
    ],
    [
      'a duplicate field_id inside a field set',
      {
        ...minimal,
        fields: [
          { type: 'text', field_id: 'a', title: 'A' },
          {
            type: 'field_set',
            field_id: 's',
            title: 'S',
            fields: [
              { type: 'text', field_id: 'b', title: 'B' },
              { type: 'text', field_id: 'a', title: 'A' },
            ],
          },
        ],
      },
      'fields.1.fields.1.field_id',
      'duplicate field_id "a"',
    ],
    [
      'a field set with one field',
      field({ type: 'field_set', fields: [{ type: 'text', field_id: 'x', title: 'X' }] }),
      'fields.0.fields',
      'at least 2 fields',
    ],
    [
      'an inline field set with a category',
      field({
        type: 'field_set',
        inline: true,
        fields: [
          { type: 'text', field_id: 'x', title: 'X' },
          { type: 'category', field_id: 'y', title: 'Y', choices: [{ label: 'A', value: 1 }] },
        ],
      }),
      'fields.0.fields.1.type',
      'only text and number fields',
    ],
    [
      'an attachment of an unknown type',
      { ...minimal, attachments: [{ type: 'hologram', content: 'x' }] },
      'attachments.0.type',
      'must be one of',
    ],
    [
      'an image attachment that is not a URL',
      { ...minimal, attachments: [{ type: 'image', content: 'phone.jpg' }] },
      'attachments.0.content',
      'when type is "image"',
    ],
    [
      'a form naming an unknown field',
      { ...minimal, attachments: [{ type: 'text', content: 'x', forms: ['summary', 'nope'] }] },
      'attachments.0.forms.1',
      'no field has field_id "nope"',
    ],
    [
      'responses_required of 0',
      { ...minimal, responses_required: 0 },
      'responses_required',
      'must be >= 1',
    ],
  ];

  it.each(bad)('refuses %s, naming the field', (_name, body, path, fragment) => {
    const error = failure(() => parseCreateTaskBody('textcollection', body));
    expect(error.field).toBe(path);
    expect(error.message).toContain(fragment);
  });

  it('refuses field sets nested five deep', () => {
    let nested: Record<string, unknown> = { type: 'text', field_id: 'leaf', title: 'Leaf' };
    for (let level = 1; level <= 4; level++) {
      nested = {
        type: 'field_set',
        field_id: `set${level}`,
        title: 'S',
        fields: [nested, { type: 'boolean', field_id: `b${level}`, title: 'B' }],
      };
    }
    expect(() => parseCreateTaskBody('textcollection', { ...minimal, fields: [nested] })).toThrow(
      'field sets nest at most 4 levels deep',
    );
  });
});

describe('textcollection responses', () => {
  const params = parseCreateTaskBody('textcollection', rich).params;

  it('completes test tasks with an answer to each required field and nothing else', () => {
    const response = TASK_TYPES.textcollection!.testResponse(params);
    expect(response).toEqual({ annotations: { sentiment: ['very'] } });
    expect(parseTaskResponse('textcollection', response, params)).toEqual(response);
    const optional = parseCreateTaskBody('textcollection', minimal).params;
    expect(TASK_TYPES.textcollection!.testResponse(optional)).toEqual({ annotations: {} });
  });

  it('completes test tasks whatever the required fields ask for', () => {
    const demanding = parseCreateTaskBody('textcollection', {
      attachments: [],
      fields: [
        { type: 'text', field_id: 'long', title: 'Long', required: true, min_characters: 12 },
        { type: 'number', field_id: 'negative', title: 'Negative', required: true, max: -3 },
        { type: 'datetime', field_id: 'when', title: 'When', required: true },
        { type: 'boolean', field_id: 'ok', title: 'OK?', required: true },
        {
          type: 'category',
          field_id: 'tags',
          title: 'Tags',
          required: true,
          min_choices: 2,
          max_choices: 3,
          choices: [
            { label: 'A', value: 'a' },
            { label: 'B', value: 'b' },
            { label: 'C', value: 'c' },
          ],
        },
        {
          type: 'field_set',
          field_id: 'parts',
          title: 'Parts',
          required: true,
          min_responses_required: 2,
          max_responses_required: 4,
          fields: [
            { type: 'text', field_id: 'name', title: 'Name', required: true },
            { type: 'number', field_id: 'count', title: 'Count' },
          ],
        },
      ],
    }).params;
    const response = TASK_TYPES.textcollection!.testResponse(demanding);
    expect(parseTaskResponse('textcollection', response, demanding)).toEqual(response);
    expect(response).toEqual({
      annotations: {
        long: 'xxxxxxxxxxxx',
        negative: -3,
        when: '1970-01-01T00:00:00Z',
        ok: false,
        tags: ['a', 'b'],
        parts: [{ name: 'x' }, { name: 'x' }],
      },
    });
  });

  it('demands required fields, but not those shown only under conditions', () => {
    const form = (required: Record<string, unknown>) =>
      parseCreateTaskBody('textcollection', {
        attachments: [],
        fields: [
          { type: 'text', field_id: 'f', title: 'F', ...required },
          { type: 'text', field_id: 'g', title: 'G' },
        ],
      }).params;
    const required = form({ required: true });
    for (const answer of [{}, { f: '' }, { f: '   ' }, { f: null }, { g: 'only g' }]) {
      const error = failure(() =>
        parseTaskResponse('textcollection', { annotations: answer }, required),
      );
      expect(error.field).toBe('response.annotations.f');
      expect(error.message).toContain('is required');
    }
    const conditional = form({ required: true, conditions: { g: 'yes' } });
    expect(parseTaskResponse('textcollection', { annotations: {} }, conditional)).toEqual({
      annotations: {},
    });
    // Given in Scale's richer form, a required field is answered.
    const richAnswer = { f: { type: 'text', field_id: 'f', response: [['said']] } };
    expect(parseTaskResponse('textcollection', { annotations: richAnswer }, required)).toEqual({
      annotations: richAnswer,
    });
  });

  it('accepts answers of every field type, repeated answers as arrays', () => {
    const response = {
      annotations: {
        sentiment: ['very', 0],
        summary: 'Good phone',
        price: ['11.79', 12],
        bought: '2024-05-01',
        recommend: true,
        dimensions: { width: 7, height: 15 },
        issues: [{ issue: 'battery', fixed: false }],
      },
    };
    expect(parseTaskResponse('textcollection', response, params)).toEqual(response);
  });

  it("accepts Scale's richer expected-response form for a field", () => {
    const response = {
      annotations: {
        sentiment: ['negative'],
        summary: { type: 'text', field_id: 'summary', response: [['Good phone']] },
      },
    };
    expect(parseTaskResponse('textcollection', response, params)).toEqual(response);
  });

  const bad: Array<[string, unknown, string, string]> = [
    ['no annotations', {}, 'response.annotations', 'is required'],
    [
      'an unknown field',
      { annotations: { colour: 'red' } },
      'response.annotations.colour',
      'unknown field "colour"',
    ],
    [
      'a parent choice',
      { annotations: { sentiment: ['positive'] } },
      'response.annotations.sentiment.0',
      '"positive" is not one of',
    ],
    [
      'too many choices',
      { annotations: { sentiment: ['very', 'negative', 0] } },
      'response.annotations.sentiment',
      'at most 2 (max_choices)',
    ],
    [
      'a category answer that is not an array',
      { annotations: { sentiment: 'negative' } },
      'response.annotations.sentiment',
      'must be an array of choice values',
    ],
    [
      'a text answer that is too short',
      { annotations: { summary: 'ok' } },
      'response.annotations.summary',
      'at least 5 characters',
    ],
    [
      'a single answer to a repeated field',
      { annotations: { price: 12 } },
      'response.annotations.price',
      'must be an array of answers',
    ],
    [
      'a price below min',
      { annotations: { price: [-1] } },
      'response.annotations.price.0',
      'must be >= 0',
    ],
    [
      'a price that is not a number',
      { annotations: { price: ['cheap'] } },
      'response.annotations.price.0',
      'must be a number',
    ],
    [
      'a boolean as a string',
      { annotations: { recommend: 'yes' } },
      'response.annotations.recommend',
      'must be true or false',
    ],
    [
      'an unknown field in a field set',
      { annotations: { dimensions: { depth: 1 } } },
      'response.annotations.dimensions.depth',
      'unknown field "depth"',
    ],
    [
      'a required field left out',
      { annotations: { summary: 'Good phone' } },
      'response.annotations.sentiment',
      'is required',
    ],
    [
      'a required field left empty',
      { annotations: { sentiment: [] } },
      'response.annotations.sentiment',
      'is required',
    ],
    [
      'a required field of a field set left out',
      {
        annotations: {
          sentiment: ['negative'],
          issues: [{ fixed: true }],
        },
      },
      'response.annotations.issues.0.issue',
      'is required',
    ],
    [
      'a wrong value in a repeated field set',
      { annotations: { issues: [{ issue: 'x', fixed: 'no' }] } },
      'response.annotations.issues.0.fixed',
      'must be true or false',
    ],
  ];

  it.each(bad)('refuses %s', (_name, response, path, fragment) => {
    const error = failure(() => parseTaskResponse('textcollection', response, params));
    expect(error.field).toBe(path);
    expect(error.message).toContain(fragment);
  });
});
