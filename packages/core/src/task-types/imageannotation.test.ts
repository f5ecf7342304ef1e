import { describe, expect, it } from 'vitest';
import { failure } from './test-support';
import { TASK_TYPES, parseCreateTaskBody, parseTaskResponse } from './index';

/** What the Scale SDK's own test-suite sends (`make_a_task`). */
const minimal = {
  callback_url: 'http://www.example.com/callback',
  instruction: 'Draw a box around each baby cow and big cow.',
  attachment_type: 'image',
  attachment: 'http://i.imgur.com/v4cBreD.jpg',
  geometries: {
    box: { objects_to_annotate: ['Baby Cow', 'Big Cow'], min_height: 10, min_width: 10 },
  },
};

const vehicleLabels = [
  'traffic_sign',
  { choice: 'vehicle', subchoices: ['car', { choice: 'truck_suv', display: 'truck or SUV' }] },
  'pedestrian',
];

/** Every documented parameter at once (compat doc §6.1). */
const rich = {
  project: 'streets',
  unique_id: 'frame-0001',
  priority: 20,
  tags: ['night'],
  metadata: { camera: 'front' },
  attachment: 'scaledata://upload/123',
  context_attachments: [{ attachment: 'https://example.com/left.jpg' }],
  geometries: {
    box: { objects_to_annotate: vehicleLabels, min_height: 5, can_rotate: true },
    polygon: { objects_to_annotate: ['road'], min_vertices: 3, max_vertices: 20 },
    line: { objects_to_annotate: ['lane'] },
    point: {
      objects_to_annotate: ['head', 'tail'],
      connections: [{ pair: ['head', 'tail'], connection_attribute: 'attached_to' }],
    },
    ellipse: { objects_to_annotate: ['wheel'] },
  },
  annotation_attributes: {
    parked: { description: 'Is the car currently parked?', choices: ['Yes', 'No'] },
    heading: {
      description: 'Which direction is the car heading',
      choices: ['left', 'right', 'back', 'front'],
      conditions: { label_condition: { label: 'car' }, attribute_conditions: [{ parked: 'No' }] },
    },
    occlusion: { type: 'number', description: '% occluded', min: 0, max: 100, step: 10 },
    attached_to: { type: 'linked', allowed_labels: ['head'] },
  },
  links: { towing: { from: 'car', to: 'car' } },
  hypothesis: {
    annotations: [
      {
        uuid: 'h-1',
        type: 'box',
        label: 'car',
        left: 1.5,
        top: 2,
        width: 30,
        height: 40,
        rotation: 0.3,
        attributes: { parked: 'No', heading: 'front', occlusion: 20 },
      },
      { uuid: 'h-2', type: 'point', label: 'head', x: 3, y: 4 },
      { uuid: 'h-3', type: 'point', label: 'tail', x: 5, y: 6, attributes: { attached_to: 'h-2' } },
      {
        type: 'polygon',
        label: 'road',
        vertices: [
          { x: 0, y: 0 },
          { x: 9, y: 0 },
          { x: 9, y: 9 },
        ],
      },
      {
        type: 'ellipse',
        label: 'wheel',
        vertices: [
          { x: 0, y: 1 },
          { x: 1, y: 0 },
          { x: 2, y: 1 },
          { x: 1, y: 2 },
        ],
      },
    ],
    global_attributes: { weather: 'rain' },
  },
  layers: {
    boxes: [{ left: 0, top: 0, width: 5, height: 5 }],
    polygons: [{ vertices: [{ x: 1, y: 1 }] }],
  },
  base_annotations: {
    annotations: [
      {
        type: 'line',
        label: 'lane',
        vertices: [
          { x: 0, y: 0 },
          { x: 5, y: 5 },
        ],
      },
    ],
  },
  can_add_base_annotations: true,
  can_edit_base_annotations: false,
  can_edit_base_annotation_labels: false,
  can_delete_base_annotations: false,
  padding: 10,
  paddingX: 4,
  paddingY: 0,
};

describe('imageannotation create params', () => {
  it('accepts the SDK test body and fills in every geometry default', () => {
    const { common, params } = parseCreateTaskBody('imageannotation', minimal);
    expect(common).toEqual({
      callback_url: minimal.callback_url,
      instruction: minimal.instruction,
    });
    expect(params).toEqual({
      attachment: minimal.attachment,
      attachment_type: 'image',
      geometries: {
        box: {
          objects_to_annotate: ['Baby Cow', 'Big Cow'],
          min_height: 10,
          min_width: 10,
          can_rotate: false,
          integer_pixels: false,
        },
      },
    });
  });

  it('fills in the attachment type and the defaults of every geometry left empty', () => {
    const { params } = parseCreateTaskBody('imageannotation', {
      attachment: 'https://example.com/a.png',
      geometries: { box: {}, polygon: {}, line: {}, point: {}, ellipse: {} },
    });
    expect(params).toEqual({
      attachment: 'https://example.com/a.png',
      attachment_type: 'image',
      geometries: {
        box: {
          objects_to_annotate: [],
          min_height: 0,
          min_width: 0,
          can_rotate: false,
          integer_pixels: false,
        },
        polygon: { objects_to_annotate: [], min_vertices: 1, max_vertices: null },
        line: { objects_to_annotate: [], min_vertices: 1, max_vertices: null },
        point: { objects_to_annotate: [] },
        ellipse: { objects_to_annotate: [] },
      },
    });
  });

  it('accepts every documented parameter and keeps them all', () => {
    const { common, params } = parseCreateTaskBody('imageannotation', rich);
    expect(common).toEqual({
      project: 'streets',
      unique_id: 'frame-0001',
      priority: 20,
      tags: ['night'],
      metadata: { camera: 'front' },
    });
    expect(params.hypothesis).toEqual(rich.hypothesis);
    expect(params.annotation_attributes).toMatchObject({
      parked: { type: 'category', allow_multiple: false },
      occlusion: { type: 'number', step: 10 },
    });
    expect(params.padding).toBe(10);
    expect(params.layers).toEqual(rich.layers);
  });

  const bad: Array<[string, Record<string, unknown>, string, string]> = [
    ['no attachment', { geometries: { box: {} } }, 'attachment', 'is required'],
    [
      'an ftp attachment',
      { attachment: 'ftp://x/y.png', geometries: { box: {} } },
      'attachment',
      'http(s) URL or a scaledata://',
    ],
    [
      'a video attachment type',
      { ...minimal, attachment_type: 'video' },
      'attachment_type',
      'must be "image"',
    ],
    ['no geometries', { attachment: minimal.attachment }, 'geometries', 'is required'],
    [
      'empty geometries',
      { ...minimal, geometries: {} },
      'geometries',
      'at least one geometry is required (box, polygon, line, point, ellipse)',
    ],
    [
      'a cuboid',
      { ...minimal, geometries: { cuboid: {} } },
      'geometries.cuboid',
      'not supported yet',
    ],
    [
      'an unknown geometry',
      { ...minimal, geometries: { circle: {} } },
      'geometries.circle',
      'unknown field "circle"',
    ],
    [
      'a misspelt box option',
      { ...minimal, geometries: { box: { colour: 'red' } } },
      'geometries.box.colour',
      'unknown field "colour"',
    ],
    [
      'a negative min_width',
      { ...minimal, geometries: { box: { min_width: -1 } } },
      'geometries.box.min_width',
      'must be a non-negative number',
    ],
    [
      'a string min_height',
      { ...minimal, geometries: { box: { min_height: '10' } } },
      'geometries.box.min_height',
      'must be a number',
    ],
    [
      'a non-boolean can_rotate',
      { ...minimal, geometries: { box: { can_rotate: 'yes' } } },
      'geometries.box.can_rotate',
      'must be true or false',
    ],
    [
      'max_vertices below min_vertices',
      { ...minimal, geometries: { polygon: { min_vertices: 3, max_vertices: 2 } } },
      'geometries.polygon.max_vertices',
      'max_vertices (2) must be >= min_vertices (3)',
    ],
    [
      'a fractional min_vertices',
      { ...minimal, geometries: { line: { min_vertices: 1.5 } } },
      'geometries.line.min_vertices',
      'must be an integer',
    ],
    [
      'zero min_vertices',
      { ...minimal, geometries: { line: { min_vertices: 0 } } },
      'geometries.line.min_vertices',
      'must be >= 1',
    ],
    [
      'a label that is a number',
      { ...minimal, geometries: { box: { objects_to_annotate: ['a', 'b', 3] } } },
      'geometries.box.objects_to_annotate.2',
      'must be a label string or a {choice',
    ],
    [
      'a nested label that is a number',
      {
        ...minimal,
        geometries: { box: { objects_to_annotate: ['a', 'b', { choice: 'c', subchoices: [4] }] } },
      },
      'geometries.box.objects_to_annotate.2.subchoices.0',
      'must be a label string',
    ],
    [
      'an empty label',
      { ...minimal, geometries: { box: { objects_to_annotate: ['car', ''] } } },
      'geometries.box.objects_to_annotate.1',
      'must not be empty',
    ],
    [
      'a blank label',
      { ...minimal, geometries: { box: { objects_to_annotate: ['  '] } } },
      'geometries.box.objects_to_annotate.0',
      'must not be blank',
    ],
    [
      'an empty choice',
      { ...minimal, geometries: { box: { objects_to_annotate: [{ choice: '' }] } } },
      'geometries.box.objects_to_annotate.0.choice',
      'must not be empty',
    ],
    [
      'a duplicate label',
      { ...minimal, geometries: { box: { objects_to_annotate: ['car', 'bus', 'car'] } } },
      'geometries.box.objects_to_annotate.2',
      'duplicate label "car"',
    ],
    [
      'a duplicate nested label',
      {
        ...minimal,
        geometries: {
          box: {
            objects_to_annotate: ['car', { choice: 'vehicle', subchoices: [{ choice: 'car' }] }],
          },
        },
      },
      'geometries.box.objects_to_annotate.1.subchoices.0.choice',
      'duplicate label "car"',
    ],
    [
      'empty subchoices',
      {
        ...minimal,
        geometries: { box: { objects_to_annotate: [{ choice: 'vehicle', subchoices: [] }] } },
      },
      'geometries.box.objects_to_annotate.0.subchoices',
      'at least one subchoice',
    ],
    [
      'an unknown key in a label',
      {
        ...minimal,
        geometries: { box: { objects_to_annotate: [{ choice: 'car', colour: 'red' }] } },
      },
      'geometries.box.objects_to_annotate.0.colour',
      'unknown field "colour"',
    ],
    [
      'a category attribute without choices',
      { ...minimal, annotation_attributes: { parked: { choices: [] } } },
      'annotation_attributes.parked.choices',
      'must list at least one choice',
    ],
    [
      'an unknown attribute type',
      { ...minimal, annotation_attributes: { parked: { type: 'colour' } } },
      'annotation_attributes.parked.type',
      'must be one of "category", "number", "angle", "text", "linked"',
    ],
    [
      'a number attribute with max below min',
      { ...minimal, annotation_attributes: { occlusion: { type: 'number', min: 10, max: 5 } } },
      'annotation_attributes.occlusion.max',
      'max (5) must be >= min (10)',
    ],
    [
      'a zero step',
      { ...minimal, annotation_attributes: { occlusion: { type: 'number', step: 0 } } },
      'annotation_attributes.occlusion.step',
      'must be a positive number',
    ],
    [
      'a condition on an unknown attribute',
      {
        ...minimal,
        annotation_attributes: {
          heading: { choices: ['left'], conditions: { attribute_conditions: [{ parked: 'No' }] } },
        },
      },
      'annotation_attributes.heading.conditions.attribute_conditions.0.parked',
      'unknown attribute "parked"',
    ],
    [
      'a condition on a value the attribute does not offer',
      {
        ...minimal,
        annotation_attributes: {
          parked: { choices: ['Yes', 'No'] },
          heading: {
            choices: ['left'],
            conditions: { attribute_conditions: [{ parked: 'Maybe' }] },
          },
        },
      },
      'annotation_attributes.heading.conditions.attribute_conditions.0.parked',
      '"Maybe" is not a choice of attribute "parked"',
    ],
    [
      'a label condition on a label no geometry has',
      {
        ...minimal,
        annotation_attributes: {
          heading: { choices: ['left'], conditions: { label_condition: { label: 'truck' } } },
        },
      },
      'annotation_attributes.heading.conditions.label_condition.label',
      '"truck" is not a label of any geometry',
    ],
    [
      'a misspelt conditions key',
      {
        ...minimal,
        annotation_attributes: { heading: { choices: ['left'], conditions: { labels: 'x' } } },
      },
      'annotation_attributes.heading.conditions.labels',
      'unknown field "labels"',
    ],
    [
      'a point connection with an unknown label',
      {
        ...minimal,
        geometries: {
          point: { objects_to_annotate: ['head'], connections: [{ pair: ['head', 'toe'] }] },
        },
      },
      'geometries.point.connections.0.pair.1',
      '"toe" is not a point label',
    ],
    [
      'a point connection through a non-linked attribute',
      {
        ...minimal,
        geometries: {
          point: { connections: [{ pair: ['a', 'b'], connection_attribute: 'size' }] },
        },
        annotation_attributes: { size: { type: 'number' } },
      },
      'geometries.point.connections.0.connection_attribute',
      'not a linked attribute',
    ],
    [
      'a context attachment equal to the attachment',
      { ...minimal, context_attachments: [{ attachment: minimal.attachment }] },
      'context_attachments.0.attachment',
      'must differ from the task attachment',
    ],
    [
      'a hypothesis label the geometry does not offer',
      {
        ...minimal,
        hypothesis: {
          annotations: [{ type: 'box', label: 'Cat', left: 0, top: 0, width: 1, height: 1 }],
        },
      },
      'hypothesis.annotations.0.label',
      '"Cat" is not a box label ("Baby Cow", "Big Cow")',
    ],
    [
      'a hypothesis shape that was not requested',
      {
        ...minimal,
        hypothesis: { annotations: [{ type: 'point', label: 'Big Cow', x: 0, y: 0 }] },
      },
      'hypothesis.annotations.0.type',
      'point was not requested (geometries: box)',
    ],
    [
      'a hypothesis annotation without a type',
      { ...minimal, hypothesis: { annotations: [{ label: 'Big Cow' }] } },
      'hypothesis.annotations.0.type',
      'is required',
    ],
    [
      'a hypothesis box with a negative width',
      {
        ...minimal,
        hypothesis: {
          annotations: [{ type: 'box', label: 'Big Cow', left: 0, top: 0, width: -1, height: 1 }],
        },
      },
      'hypothesis.annotations.0.width',
      'must be a non-negative number',
    ],
    [
      'a rotated hypothesis box when rotation is off',
      {
        ...minimal,
        hypothesis: {
          annotations: [
            { type: 'box', label: 'Big Cow', left: 0, top: 0, width: 1, height: 1, rotation: 1 },
          ],
        },
      },
      'hypothesis.annotations.0.rotation',
      'can_rotate',
    ],
    [
      'duplicate hypothesis uuids',
      {
        ...minimal,
        hypothesis: {
          annotations: [
            { uuid: 'a', type: 'box', label: 'Big Cow', left: 0, top: 0, width: 1, height: 1 },
            { uuid: 'a', type: 'box', label: 'Big Cow', left: 0, top: 0, width: 1, height: 1 },
          ],
        },
      },
      'hypothesis.annotations.1.uuid',
      'duplicate uuid "a"',
    ],
    [
      'a hypothesis attribute that is not defined',
      {
        ...minimal,
        hypothesis: {
          annotations: [
            {
              type: 'box',
              label: 'Big Cow',
              left: 0,
              top: 0,
              width: 1,
              height: 1,
              attributes: { size: 3 },
            },
          ],
        },
      },
      'hypothesis.annotations.0.attributes.size',
      'unknown attribute "size"',
    ],
    [
      'base annotations without annotations',
      { ...minimal, base_annotations: {} },
      'base_annotations.annotations',
      'is required',
    ],
    ['a fractional padding', { ...minimal, padding: 1.5 }, 'padding', 'must be an integer'],
    [
      'an unknown top-level parameter',
      { ...minimal, colour: 'red' },
      'colour',
      'unknown field "colour"',
    ],
  ];

  it.each(bad)('refuses %s, naming the field', (_name, body, field, fragment) => {
    const error = failure(() => parseCreateTaskBody('imageannotation', body));
    expect(error.code).toBe('invalid');
    expect(error.field).toBe(field);
    expect(error.message).toContain(fragment);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it('refuses labels nested nine levels deep', () => {
    let label: unknown = 'leaf';
    for (let level = 1; level < 9; level++)
      label = { choice: `level ${level}`, subchoices: [label] };
    const error = failure(() =>
      parseCreateTaskBody('imageannotation', {
        ...minimal,
        geometries: { box: { objects_to_annotate: [label] } },
      }),
    );
    expect(error.field).toBe(
      `geometries.box.objects_to_annotate.0${'.subchoices.0'.repeat(7)}.subchoices`,
    );
    expect(error.message).toContain('labels nest at most 8 levels deep');
  });
});

describe('imageannotation responses', () => {
  const { params } = parseCreateTaskBody('imageannotation', rich);

  it('completes test tasks with the hypothesis, uuids kept', () => {
    const response = TASK_TYPES.imageannotation!.testResponse(params);
    expect(response).toEqual({ ...rich.hypothesis, links: [] });
    expect(parseTaskResponse('imageannotation', response, params)).toEqual(response);
  });

  it('completes test tasks without a hypothesis with an empty answer', () => {
    const plain = parseCreateTaskBody('imageannotation', minimal).params;
    const response = TASK_TYPES.imageannotation!.testResponse(plain);
    expect(response).toEqual({ annotations: [], links: [], global_attributes: {} });
    expect(parseTaskResponse('imageannotation', response, plain)).toEqual(response);
  });

  it('accepts a response with every shape, attribute kind and link', () => {
    const response = {
      annotations: [
        {
          uuid: 'a',
          type: 'box',
          label: 'truck_suv',
          left: 0,
          top: 0,
          width: 10,
          height: 5,
          rotation: 0.1,
          vertices: [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
            { x: 1, y: 1 },
            { x: 0, y: 1 },
          ],
        },
        { uuid: 'b', type: 'line', label: 'lane', vertices: [{ x: -5, y: 0 }] },
        { uuid: 'c', type: 'point', label: 'tail', x: 1, y: 1, attributes: { attached_to: 'a' } },
      ],
      links: [{ from: 'a', to: 'b', label: 'towing' }],
      global_attributes: {},
    };
    expect(parseTaskResponse('imageannotation', response, params)).toEqual(response);
  });

  const bad: Array<[string, unknown, string, string]> = [
    ['a non-object response', [], 'response', 'must be a JSON object'],
    ['no annotations', {}, 'response.annotations', 'is required'],
    [
      'a parent label',
      { annotations: [{ type: 'box', label: 'vehicle', left: 0, top: 0, width: 1, height: 1 }] },
      'response.annotations.0.label',
      '"vehicle" is not a box label',
    ],
    [
      'a missing label',
      { annotations: [{ type: 'box', left: 0, top: 0, width: 1, height: 1 }] },
      'response.annotations.0.label',
      'is required',
    ],
    [
      'too few polygon vertices',
      { annotations: [{ type: 'polygon', label: 'road', vertices: [{ x: 0, y: 0 }] }] },
      'response.annotations.0.vertices',
      'at least 3 vertices',
    ],
    [
      'an ellipse with 3 vertices',
      {
        annotations: [
          {
            type: 'ellipse',
            label: 'wheel',
            vertices: [
              { x: 0, y: 0 },
              { x: 0, y: 0 },
              { x: 0, y: 0 },
            ],
          },
        ],
      },
      'response.annotations.0.vertices',
      'must have exactly 4 items',
    ],
    [
      'a category attribute value not offered',
      {
        annotations: [
          {
            type: 'box',
            label: 'car',
            left: 0,
            top: 0,
            width: 1,
            height: 1,
            attributes: { parked: 'Maybe' },
          },
        ],
      },
      'response.annotations.0.attributes.parked',
      'must be one of "Yes", "No"',
    ],
    [
      'a number attribute above max',
      {
        annotations: [
          {
            type: 'box',
            label: 'car',
            left: 0,
            top: 0,
            width: 1,
            height: 1,
            attributes: { occlusion: 150 },
          },
        ],
      },
      'response.annotations.0.attributes.occlusion',
      'must be <= 100',
    ],
    [
      'a link to a missing annotation',
      {
        annotations: [
          { type: 'point', label: 'tail', x: 0, y: 0, attributes: { attached_to: 'nobody' } },
        ],
      },
      'response.annotations.0.attributes.attached_to',
      'no annotation has uuid "nobody"',
    ],
    [
      'a vertex with a z',
      { annotations: [{ type: 'line', label: 'lane', vertices: [{ x: 0, y: 0, z: 1 }] }] },
      'response.annotations.0.vertices.0.z',
      'unknown field "z"',
    ],
  ];

  it.each(bad)('refuses %s', (_name, response, field, fragment) => {
    const error = failure(() => parseTaskResponse('imageannotation', response, params));
    expect(error.field).toBe(field);
    expect(error.message).toContain(fragment);
  });

  it('requires whole pixels when integer_pixels is set', () => {
    const strict = parseCreateTaskBody('imageannotation', {
      ...minimal,
      geometries: { box: { integer_pixels: true } },
    }).params;
    const error = failure(() =>
      parseTaskResponse(
        'imageannotation',
        { annotations: [{ type: 'box', left: 0.5, top: 0, width: 1, height: 1 }] },
        strict,
      ),
    );
    expect(error.field).toBe('response.annotations.0.left');
    expect(error.message).toContain('integer_pixels');
  });

  it('accepts any label when the geometry lists none', () => {
    const open = parseCreateTaskBody('imageannotation', {
      ...minimal,
      geometries: { box: {} },
    }).params;
    const response = {
      annotations: [{ type: 'box', label: 'anything', left: 0, top: 0, width: 1, height: 1 }],
    };
    expect(parseTaskResponse('imageannotation', response, open)).toEqual(response);
  });
});
