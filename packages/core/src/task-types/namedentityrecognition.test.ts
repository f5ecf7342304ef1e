import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failure } from './test-support';
import { TASK_TYPES, parseCreateTaskBody, parseTaskResponse } from './index';

const TEXT = 'Yesterday Alex Wang spoke at Transform 🚀 in San Francisco.';

/** The Scale SDK test's labels, and a rich body with nested labels and named relationships. */
const sdkBody = { text: TEXT, labels: [{ name: 'Label_A', description: 'the first label' }] };
const rich = {
  text: TEXT,
  labels: [
    { name: 'person', display_name: 'Person' },
    { name: 'event', children: [{ name: 'conference', description: 'A conference' }] },
    { name: 'place', children: [{ name: 'city' }, { name: 'country' }] },
  ],
  relationships: [
    {
      name: 'speaker_at',
      display_name: 'speaks at',
      is_directed: true,
      source_label: 'person',
      target_label: 'event',
    },
    { name: 'located_in', display_name: 'is in', source_label: 'event', target_label: 'place' },
  ],
};

describe('namedentityrecognition create params', () => {
  it('accepts the SDK test body as given', () => {
    expect(parseCreateTaskBody('namedentityrecognition', sdkBody).params).toEqual(sdkBody);
  });

  it('accepts nested labels and named relationships, filling in is_directed', () => {
    const { params } = parseCreateTaskBody('namedentityrecognition', rich);
    expect(params.labels).toEqual(rich.labels);
    expect(params.relationships).toEqual([
      rich.relationships[0],
      { ...rich.relationships[1], is_directed: false },
    ]);
  });

  it('accepts unnamed relationships', () => {
    const body = {
      ...sdkBody,
      relationships: [{ display_name: 'related to' }, { source_label: 'Label_A' }],
    };
    expect(parseCreateTaskBody('namedentityrecognition', body).params.relationships).toHaveLength(
      2,
    );
  });

  const bad: Array<[string, Record<string, unknown>, string, string]> = [
    ['no text', { labels: sdkBody.labels }, 'text', 'is required'],
    ['empty text', { ...sdkBody, text: '' }, 'text', 'must not be empty'],
    ['no labels', { text: TEXT, labels: [] }, 'labels', 'at least one label'],
    [
      'a label without a name',
      { text: TEXT, labels: [{ description: 'x' }] },
      'labels.0.name',
      'is required',
    ],
    [
      'a duplicate label name in the tree',
      { text: TEXT, labels: [{ name: 'a', children: [{ name: 'b' }] }, { name: 'b' }] },
      'labels.1.name',
      'duplicate label "b"',
    ],
    [
      'a label with a misspelt key',
      { text: TEXT, labels: [{ name: 'a', colour: 'red' }] },
      'labels.0.colour',
      'unknown field "colour"',
    ],
    [
      'empty children',
      { text: TEXT, labels: [{ name: 'a', children: [] }] },
      'labels.0.children',
      'at least one child',
    ],
    [
      'named and unnamed relationships mixed',
      { ...sdkBody, relationships: [{ display_name: 'x' }, { name: 'r', display_name: 'R' }] },
      'relationships.1.name',
      'all named or all unnamed',
    ],
    [
      'a named relationship without a display name',
      { ...sdkBody, relationships: [{ name: 'r' }] },
      'relationships.0.display_name',
      'is required for a named relationship',
    ],
    [
      'a duplicate relationship name',
      {
        ...sdkBody,
        relationships: [
          { name: 'r', display_name: 'R' },
          { name: 'r', display_name: 'R2' },
        ],
      },
      'relationships.1.name',
      'duplicate relationship "r"',
    ],
    [
      'a relationship to an unknown label',
      { ...sdkBody, relationships: [{ target_label: 'Label_B' }] },
      'relationships.0.target_label',
      'unknown label "Label_B"',
    ],
    [
      'a non-boolean is_directed',
      { ...sdkBody, relationships: [{ is_directed: 'yes' }] },
      'relationships.0.is_directed',
      'must be true or false',
    ],
  ];

  it.each(bad)('refuses %s, naming the field', (_name, body, field, fragment) => {
    const error = failure(() => parseCreateTaskBody('namedentityrecognition', body));
    expect(error.field).toBe(field);
    expect(error.message).toContain(fragment);
  });
});

describe('namedentityrecognition responses', () => {
  const params = parseCreateTaskBody('namedentityrecognition', rich).params;
  const characters = Array.from(TEXT);
  const span = (text: string) => {
    const start = Array.from(TEXT.slice(0, TEXT.indexOf(text))).length;
    return { start, end: start + Array.from(text).length, text };
  };

  it('completes test tasks with no entities', () => {
    const response = TASK_TYPES.namedentityrecognition!.testResponse(params);
    expect(response).toEqual({ annotations: [], relationships: [] });
    expect(parseTaskResponse('namedentityrecognition', response, params)).toEqual(response);
  });

  it('accepts spans, parent and child labels, and relationships that fit their definitions', () => {
    const response = {
      annotations: [
        { id: 'p', ...span('Alex Wang'), label: 'person' },
        { id: 'e', ...span('Transform'), label: 'conference', attributes: {} },
        { id: 'c', ...span('San Francisco'), label: 'city' },
      ],
      relationships: [
        { id: 'r1', source_ref: 'p', target_ref: 'e', name: 'speaker_at' },
        // Undirected: the ends may come either way round.
        { source_ref: 'c', target_ref: 'e', name: 'located_in' },
      ],
    };
    expect(parseTaskResponse('namedentityrecognition', response, params)).toEqual(response);
  });

  it('counts offsets in code points, so an emoji is one character', () => {
    const rocket = span('🚀');
    expect(rocket.end - rocket.start).toBe(1);
    const after = span('in San');
    expect(characters.slice(after.start, after.end).join('')).toBe('in San');
    expect(() =>
      parseTaskResponse(
        'namedentityrecognition',
        { annotations: [{ ...after, label: 'place' }] },
        params,
      ),
    ).not.toThrow();
    const utf16Start = TEXT.indexOf('in San');
    const error = failure(() =>
      parseTaskResponse(
        'namedentityrecognition',
        {
          annotations: [{ start: utf16Start, end: utf16Start + 6, text: 'in San', label: 'place' }],
        },
        params,
      ),
    );
    expect(error.field).toBe('response.annotations.0.text');
  });

  it('checks a span text against the document for any offsets', () => {
    fc.assert(
      fc.property(
        fc.nat(characters.length - 1),
        fc.integer({ min: 1, max: 8 }),
        (start, length) => {
          const end = Math.min(characters.length, start + length);
          const text = characters.slice(start, end).join('');
          expect(() =>
            parseTaskResponse(
              'namedentityrecognition',
              { annotations: [{ start, end, text, label: 'person' }] },
              params,
            ),
          ).not.toThrow();
          const wrong = failure(() =>
            parseTaskResponse(
              'namedentityrecognition',
              { annotations: [{ start, end, text: `${text}x`, label: 'person' }] },
              params,
            ),
          );
          expect(wrong.field).toBe('response.annotations.0.text');
        },
      ),
    );
  });

  const bad: Array<[string, unknown, string, string]> = [
    [
      'end before start',
      { annotations: [{ start: 5, end: 3, label: 'person' }] },
      'response.annotations.0.end',
      'end (3) must be > start (5)',
    ],
    [
      'an empty span',
      { annotations: [{ start: 5, end: 5, label: 'person' }] },
      'response.annotations.0.end',
      'must be > start',
    ],
    [
      'a negative start',
      { annotations: [{ start: -1, end: 3, label: 'person' }] },
      'response.annotations.0.start',
      'must be a non-negative number',
    ],
    [
      'a span past the end',
      { annotations: [{ start: 0, end: 500, label: 'person' }] },
      'response.annotations.0.end',
      `past the end of the text (${Array.from(TEXT).length} characters)`,
    ],
    [
      'a wrong span text',
      { annotations: [{ start: 0, end: 9, text: 'Today', label: 'person' }] },
      'response.annotations.0.text',
      'does not match the text from 0 to 9: "Yesterday"',
    ],
    [
      'an unknown label',
      { annotations: [{ start: 0, end: 9, label: 'animal' }] },
      'response.annotations.0.label',
      'unknown label "animal"',
    ],
    [
      'a duplicate id',
      {
        annotations: [
          { id: 'a', start: 0, end: 1, label: 'person' },
          { id: 'a', start: 1, end: 2, label: 'person' },
        ],
      },
      'response.annotations.1.id',
      'duplicate id "a"',
    ],
    [
      'a relationship to a missing annotation',
      {
        annotations: [{ id: 'a', start: 0, end: 1, label: 'person' }],
        relationships: [{ source_ref: 'a', target_ref: 'b', name: 'speaker_at' }],
      },
      'response.relationships.0.target_ref',
      'no annotation has id "b"',
    ],
    [
      'an unknown relationship name',
      {
        annotations: [
          { id: 'a', start: 0, end: 1, label: 'person' },
          { id: 'b', start: 1, end: 2, label: 'event' },
        ],
        relationships: [{ source_ref: 'a', target_ref: 'b', name: 'knows' }],
      },
      'response.relationships.0.name',
      'unknown relationship "knows"',
    ],
    [
      'a directed relationship the wrong way round',
      {
        annotations: [
          { id: 'a', start: 0, end: 1, label: 'person' },
          { id: 'b', start: 1, end: 2, label: 'conference' },
        ],
        relationships: [{ source_ref: 'b', target_ref: 'a', name: 'speaker_at' }],
      },
      'response.relationships.0',
      'no relationship definition allows a "conference" → "person" relationship',
    ],
  ];

  it.each(bad)('refuses %s', (_name, response, field, fragment) => {
    const error = failure(() => parseTaskResponse('namedentityrecognition', response, params));
    expect(error.field).toBe(field);
    expect(error.message).toContain(fragment);
  });

  it('refuses relationships when the task defines none, and names on unnamed ones', () => {
    const plain = parseCreateTaskBody('namedentityrecognition', sdkBody).params;
    const annotations = [
      { id: 'a', start: 0, end: 1, label: 'Label_A' },
      { id: 'b', start: 1, end: 2, label: 'Label_A' },
    ];
    expect(
      failure(() =>
        parseTaskResponse(
          'namedentityrecognition',
          { annotations, relationships: [{ source_ref: 'a', target_ref: 'b' }] },
          plain,
        ),
      ).field,
    ).toBe('response.relationships');
    const unnamed = parseCreateTaskBody('namedentityrecognition', {
      ...sdkBody,
      relationships: [{ display_name: 'related' }],
    }).params;
    expect(
      parseTaskResponse(
        'namedentityrecognition',
        { annotations, relationships: [{ source_ref: 'a', target_ref: 'b', name: '' }] },
        unnamed,
      ),
    ).toBeDefined();
    const named = failure(() =>
      parseTaskResponse(
        'namedentityrecognition',
        { annotations, relationships: [{ source_ref: 'a', target_ref: 'b', name: 'x' }] },
        unnamed,
      ),
    );
    expect(named.field).toBe('response.relationships.0.name');
    expect(named.message).toContain('unnamed');
  });
});

describe('namedentityrecognition pre-labels', () => {
  it('accepts a hypothesis of spans inside the text and refuses one outside, naming the field', () => {
    const base = { text: 'Ada 😀 Lovelace', labels: [{ name: 'PER' }] };
    expect(() =>
      parseCreateTaskBody('namedentityrecognition', {
        ...base,
        hypothesis: { annotations: [{ start: 0, end: 3, label: 'PER' }] },
      }),
    ).not.toThrow();
    expect(() =>
      parseCreateTaskBody('namedentityrecognition', {
        ...base,
        hypothesis: { annotations: [{ start: 10, end: 40, label: 'PER' }] },
      }),
    ).toThrow(/hypothesis\.annotations\.0/);
    expect(() =>
      parseCreateTaskBody('namedentityrecognition', {
        ...base,
        hypothesis: { annotations: [{ start: 0, end: 3, label: 'ORG' }] },
      }),
    ).toThrow(/hypothesis/);
  });
});
