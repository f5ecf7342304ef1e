import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { failure } from './test-support';
import { COMMON_TASK_FIELDS, TASK_TYPES, parseCreateTaskBody, parseTaskResponse } from './index';

const TYPES = [
  'imageannotation',
  'categorization',
  'comparison',
  'namedentityrecognition',
  'textcollection',
  'chat',
];
const categorization = { attachment: 'Buy now', categories: ['spam', 'ham'] };

describe('task type registry', () => {
  it('offers exactly the six implemented types', () => {
    expect(Object.keys(TASK_TYPES)).toEqual(TYPES);
    for (const type of TYPES) expect(TASK_TYPES[type]!.type).toBe(type);
  });

  it('knows nothing of names inherited from Object', () => {
    expect(TASK_TYPES['constructor']).toBeUndefined();
    expect(TASK_TYPES['__proto__']).toBeUndefined();
    const error = failure(() => parseCreateTaskBody('toString', {}));
    expect(error.field).toBe('type');
  });

  it('refuses an unknown type, listing the supported ones', () => {
    const error = failure(() => parseCreateTaskBody('lidarannotation', {}));
    expect(error.code).toBe('invalid');
    expect(error.field).toBe('type');
    expect(error.message).toBe(
      `Unknown task type "lidarannotation"; supported: ${TYPES.join(', ')}`,
    );
    expect(failure(() => parseTaskResponse('lidarannotation', {}, {})).field).toBe('type');
  });

  it.each([null, [], 'text', 3, undefined])(
    'refuses a body that is not a JSON object (%j)',
    (body) => {
      const error = failure(() => parseCreateTaskBody('categorization', body));
      expect(error.field).toBe('body');
      expect(error.message).toBe('body: must be a JSON object');
    },
  );

  it('refuses a `__proto__` key as an unknown field instead of letting it change the prototype', () => {
    const body = JSON.parse(
      '{"attachment": "x", "categories": ["a"], "__proto__": {"allow_multiple": true}}',
    ) as unknown;
    const error = failure(() => parseCreateTaskBody('categorization', body));
    expect(error.field).toBe('__proto__');
    expect(error.message).toContain('unknown field "__proto__"');
  });

  it('refuses absurdly deep nesting with the path where it got too deep', () => {
    let metadata: unknown = 1;
    for (let level = 0; level < 100; level++) metadata = { a: metadata };
    const error = failure(() =>
      parseCreateTaskBody('categorization', { ...categorization, metadata }),
    );
    expect(error.field?.startsWith('metadata.a.a')).toBe(true);
    expect(error.message).toContain('nests deeper than 64 levels');
  });
});

describe('common task fields', () => {
  it('splits every common field off the params and keeps their values', () => {
    const common = {
      project: 'p',
      batch: 'b',
      instruction: '# Do it',
      callback_url: 'https://example.com/cb',
      metadata: { a: [1, { b: null }] },
      unique_id: 'u-1',
      priority: 30,
      tags: ['x', 'y'],
      clear_unique_id_on_error: true,
      project_param_version: -1,
      force: true,
      urgency: 'day',
      with_labels: true,
    };
    const parsed = parseCreateTaskBody('categorization', { ...categorization, ...common });
    expect(parsed.common).toEqual(common);
    expect(parsed.params).toEqual({
      ...categorization,
      attachment_type: 'text',
      allow_multiple: false,
    });
  });

  it('takes an email address as a callback', () => {
    expect(
      parseCreateTaskBody('categorization', { ...categorization, callback_url: 'ops@example.com' })
        .common.callback_url,
    ).toBe('ops@example.com');
  });

  const bad: Array<[string, Record<string, unknown>, string, string]> = [
    [
      'a callback that is neither URL nor email',
      { callback_url: 'ftp://example.com' },
      'callback_url',
      'must be an http(s) URL or an email address',
    ],
    [
      'a callback URL over 2048 characters',
      { callback_url: `https://example.com/${'a'.repeat(2048)}` },
      'callback_url',
      'at most 2048 characters',
    ],
    ['an empty callback', { callback_url: '' }, 'callback_url', 'must not be empty'],
    ['array metadata', { metadata: [] }, 'metadata', 'must be a JSON object'],
    ['null metadata', { metadata: null }, 'metadata', 'must be a JSON object'],
    ['an empty unique_id', { unique_id: '' }, 'unique_id', 'must not be empty'],
    [
      'a unique_id over 256 characters',
      { unique_id: 'u'.repeat(257) },
      'unique_id',
      'at most 256 characters',
    ],
    ['a numeric unique_id', { unique_id: 7 }, 'unique_id', 'must be a string'],
    ['priority 15', { priority: 15 }, 'priority', 'must be one of 10, 20, 30'],
    ['tags that are a string', { tags: 'a' }, 'tags', 'must be an array'],
    ['an empty tag', { tags: ['a', ''] }, 'tags.1', 'must not be empty'],
    [
      '101 tags',
      { tags: Array.from({ length: 101 }, (_, index) => `t${index}`) },
      'tags',
      'at most 100 items',
    ],
    [
      'an instruction over 100k characters',
      { instruction: 'i'.repeat(100_001) },
      'instruction',
      'at most 100000 characters',
    ],
    ['an empty project name', { project: '' }, 'project', 'must not be empty'],
    ['a numeric batch name', { batch: 3 }, 'batch', 'must be a string'],
    [
      'a string clear_unique_id_on_error',
      { clear_unique_id_on_error: 'true' },
      'clear_unique_id_on_error',
      'must be true or false',
    ],
    [
      'project_param_version -2',
      { project_param_version: -2 },
      'project_param_version',
      'must be >= -1',
    ],
  ];

  it.each(bad)('refuses %s', (_name, fields, field, fragment) => {
    const error = failure(() =>
      parseCreateTaskBody('categorization', { ...categorization, ...fields }),
    );
    expect(error.field).toBe(field);
    expect(error.message).toContain(fragment);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });
});

const labelName = fc.string({ minLength: 1, maxLength: 6 }).filter((value) => value.trim() !== '');
const url = fc.webPath().map((path) => `https://example.com/${encodeURI(path)}`);
const point = fc.record({
  x: fc.double({ noNaN: true, noDefaultInfinity: true }),
  y: fc.double({ noNaN: true, noDefaultInfinity: true }),
});

/** A valid `imageannotation` body, its hypothesis drawn from the geometries and labels it requests. */
const imageAnnotationBody = fc
  .record({
    attachment: url,
    geometries: fc.uniqueArray(fc.constantFrom('box', 'polygon', 'line', 'point', 'ellipse'), {
      minLength: 1,
    }),
    labels: fc.uniqueArray(labelName, { maxLength: 5 }),
    grouped: fc.boolean(),
    minVertices: fc.integer({ min: 1, max: 4 }),
  })
  .chain(({ attachment, geometries, labels, grouped, minVertices }) => {
    const objectsToAnnotate =
      grouped && labels.length > 0 ? [{ choice: 'group', subchoices: labels }] : labels;
    const annotation = fc.constantFrom(...geometries).chain((type) => {
      const base: Record<string, fc.Arbitrary<unknown>> = labels.length > 0
        ? { type: fc.constant(type), label: fc.constantFrom(...labels) }
        : { type: fc.constant(type) };
      const vertices = (count: number) =>
        fc.array(point, { minLength: count, maxLength: count + 3 });
      const shape: Record<string, fc.Arbitrary<unknown>> = type === 'box'
        ? { left: fc.integer(), top: fc.integer(), width: fc.nat(), height: fc.nat() }
        : type === 'point'
          ? { x: fc.integer(), y: fc.integer() }
          : type === 'ellipse'
            ? { vertices: fc.array(point, { minLength: 4, maxLength: 4 }) }
            : { vertices: vertices(minVertices) };
      return fc.record({ ...base, ...shape });
    });
    return fc.record(
      {
        attachment: fc.constant(attachment),
        geometries: fc.constant(
          Object.fromEntries(
            geometries.map((type) => [
              type,
              type === 'polygon' || type === 'line'
                ? { objects_to_annotate: objectsToAnnotate, min_vertices: minVertices }
                : { objects_to_annotate: objectsToAnnotate },
            ]),
          ),
        ),
        hypothesis: fc.record({ annotations: fc.array(annotation, { maxLength: 5 }) }),
      },
      { requiredKeys: ['attachment', 'geometries'] },
    );
  })
  .map((body) => JSON.parse(JSON.stringify(body)) as Record<string, unknown>);

const categorizationBody = fc.oneof(
  fc.record({
    attachment: fc.string({ minLength: 1 }),
    categories: fc.uniqueArray(labelName, { minLength: 1, maxLength: 5 }),
    allow_multiple: fc.boolean(),
  }),
  fc.record({
    attachment: url,
    attachment_type: fc.constant('image'),
    taxonomies: fc.dictionary(
      labelName,
      fc.record({
        choices: fc.uniqueArray(labelName, { minLength: 1, maxLength: 4 }),
        allow_multiple: fc.boolean(),
      }),
      {
        minKeys: 1,
        maxKeys: 3,
      },
    ),
  }),
);

const comparisonBody = fc.oneof(
  fc.record({
    attachments: fc.array(url, { minLength: 2, maxLength: 4 }),
    choices: fc.uniqueArray(labelName, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    attachments: fc.array(url, { minLength: 2, maxLength: 4 }),
    fields: fc.dictionary(labelName, fc.string(), { minKeys: 1, maxKeys: 3 }),
  }),
);

const nerBody = fc.record({
  text: fc.string({ minLength: 1, unit: 'grapheme' }),
  labels: fc
    .uniqueArray(labelName, { minLength: 1, maxLength: 5 })
    .map((names) => names.map((name) => ({ name }))),
});

const textCollectionBody = fc.record({
  attachments: fc.array(fc.record({ type: fc.constant('website'), content: url })),
  fields: fc
    .uniqueArray(labelName, { minLength: 1, maxLength: 5 })
    .chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc
            .constantFrom('text', 'number', 'datetime', 'boolean')
            .map((type) => ({ type, field_id: id, title: id })),
        ),
      ),
    ),
});

const message = fc.record({
  role: fc.constantFrom('system', 'user', 'assistant'),
  content: fc.string({ maxLength: 40 }),
});
const userTurn = fc.record({ role: fc.constant('user'), content: fc.string({ minLength: 1 }) });
const criteria = fc
  .uniqueArray(labelName, { minLength: 1, maxLength: 3 })
  .map((ids) => ids.map((id) => ({ id, min: 1, max: 5 })));

const chatBody = fc.oneof(
  fc.record(
    {
      endpoint: labelName,
      messages: fc.array(message, { maxLength: 4 }),
      max_turns: fc.integer({ min: 1, max: 20 }),
      criteria,
      flags: fc.uniqueArray(labelName, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: ['endpoint'] },
  ),
  fc.record(
    {
      messages: fc.tuple(fc.array(message, { maxLength: 3 }), userTurn).map(([a, b]) => [...a, b]),
      responses: fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 4 }),
      criteria,
      rewrite: fc.record({ required: fc.boolean() }),
    },
    { requiredKeys: ['messages', 'responses'] },
  ),
);

const validBodies: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  imageannotation: imageAnnotationBody,
  categorization: categorizationBody,
  comparison: comparisonBody,
  namedentityrecognition: nerBody,
  textcollection: textCollectionBody,
  chat: chatBody,
};

/** Bodies that look like task bodies: common field names and real param names, any JSON values. */
const anyBody = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      ...COMMON_TASK_FIELDS,
      'attachment',
      'attachments',
      'geometries',
      'categories',
      'labels',
      'text',
      'fields',
      'choices',
      'messages',
      'endpoint',
      'responses',
    ),
    fc.string(),
  ),
  fc.jsonValue(),
);

describe.each(TYPES)('%s bodies of any shape', (type) => {
  it('parse or fail with a DomainError naming a field, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), anyBody), (body) => {
        try {
          parseCreateTaskBody(type, body);
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe('invalid');
          expect((error as DomainError).field).toBeTruthy();
          expect(
            (error as DomainError).message.startsWith(`${(error as DomainError).field}: `),
          ).toBe(true);
        }
      }),
    );
  });

  it('never put a common field into params', () => {
    const common = fc.record(
      {
        project: labelName,
        unique_id: labelName,
        metadata: fc.dictionary(fc.string(), fc.jsonValue()),
        tags: fc.array(labelName),
        force: fc.jsonValue(),
        priority: fc.constantFrom(10, 20, 30),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(validBodies[type]!, common, (params, fields) => {
        const parsed = parseCreateTaskBody(type, { ...params, ...fields });
        for (const field of COMMON_TASK_FIELDS)
          expect(Object.hasOwn(parsed.params, field)).toBe(false);
        expect(Object.keys(parsed.common).sort()).toEqual(Object.keys(fields).sort());
      }),
    );
  });

  it('complete test tasks with a response that validates against the same params', () => {
    fc.assert(
      fc.property(validBodies[type]!, (body) => {
        const { params } = parseCreateTaskBody(type, body);
        const response = TASK_TYPES[type]!.testResponse(params);
        expect(parseTaskResponse(type, response, params)).toEqual(response);
        expect(TASK_TYPES[type]!.response.safeParse(response).success).toBe(true);
      }),
    );
  });

  it('validate any response or fail with a DomainError under response', () => {
    fc.assert(
      fc.property(
        validBodies[type]!,
        fc.oneof(
          fc.jsonValue(),
          fc.dictionary(
            fc.constantFrom(
              'annotations',
              'category',
              'choice',
              'taxonomies',
              'fields',
              'relationships',
              'links',
            ),
            fc.jsonValue(),
          ),
        ),
        (body, response) => {
          const { params } = parseCreateTaskBody(type, body);
          try {
            parseTaskResponse(type, response, params);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).field?.startsWith('response')).toBe(true);
          }
        },
      ),
    );
  });
});

describe('parsing is stable', () => {
  it('parses its own output to the same params (defaults are idempotent)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES).chain((type) => fc.tuple(fc.constant(type), validBodies[type]!)),
        ([type, body]) => {
          const once = parseCreateTaskBody(type, body).params;
          expect(parseCreateTaskBody(type, once).params).toEqual(once);
        },
      ),
    );
  });
});
