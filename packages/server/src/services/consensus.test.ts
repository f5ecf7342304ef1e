import { describe, expect, it } from 'vitest';
import { aggregateTasks, canonicalJson, scoreAgainstExpected } from './consensus';

describe('consensus of categorization tasks', () => {
  it('takes a lone answer as it is with every method', () => {
    for (const method of ['hybrid', 'mv', 'wawa', 'ds', 'onecoin', 'glad', 'mace'] as const) {
      const result = aggregateTasks(
        [
          {
            taskId: 't',
            type: 'categorization',
            params: { categories: ['a', 'b'] },
            answers: [{ worker: 'w', response: { category: 'b' } }],
          },
        ],
        method,
      );
      expect(result.tasks.get('t')!.response).toEqual({ category: 'b' });
    }
  });

  it('aggregates several-category answers class by class', () => {
    const result = aggregateTasks(
      [
        {
          taskId: 't',
          type: 'categorization',
          params: { categories: ['cat', 'dog', 'bird'], allow_multiple: true },
          answers: [
            { worker: 'a', response: { category: ['cat', 'dog'] } },
            { worker: 'b', response: { category: ['cat'] } },
            { worker: 'c', response: { category: ['cat', 'dog'] } },
          ],
        },
      ],
      'mv',
    );
    const consensus = result.tasks.get('t')!;
    expect(consensus.response).toEqual({ category: ['cat', 'dog'] });
    // cat is sure, dog 2/3, bird absent for sure: 1 · 2/3 · 1.
    expect(consensus.confidence).toBeCloseTo(2 / 3);
  });

  it('aggregates each taxonomy question on its own, leaf choices as classes', () => {
    const params = {
      taxonomies: {
        colour: { choices: ['red', 'blue'], allow_multiple: false },
        shape: { choices: ['round', 'square'], allow_multiple: true },
      },
    };
    const result = aggregateTasks(
      [
        {
          taskId: 't',
          type: 'categorization',
          params,
          answers: [
            { worker: 'a', response: { taxonomies: { colour: ['red'], shape: ['round'] } } },
            { worker: 'b', response: { taxonomies: { colour: ['blue'], shape: ['round'] } } },
            { worker: 'c', response: { taxonomies: { colour: ['red'] } } },
          ],
        },
      ],
      'mv',
    );
    expect(result.tasks.get('t')!.response).toEqual({
      taxonomies: { colour: ['red'], shape: ['round'] },
    });
  });

  it('compares responses whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(
      canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }),
    );
  });
});

describe('scores against an expected response', () => {
  it('scores each task type with its own measure', () => {
    const categories = { categories: ['a', 'b', 'c'] };
    expect(
      scoreAgainstExpected('categorization', categories, { category: 'a' }, { category: 'a' }),
    ).toBe(1);
    expect(
      scoreAgainstExpected('categorization', categories, { category: 'b' }, { category: 'a' }),
    ).toBe(0);
    const several = { categories: ['a', 'b', 'c'], allow_multiple: true };
    expect(
      scoreAgainstExpected(
        'categorization',
        several,
        { category: ['a', 'b'] },
        { category: ['a'] },
      ),
    ).toBeCloseTo(0.5);
    const spans = (list: Array<[number, number, string]>) => ({
      annotations: list.map(([start, end, label]) => ({ start, end, label })),
    });
    expect(
      scoreAgainstExpected(
        'namedentityrecognition',
        {},
        spans([[0, 5, 'PER']]),
        spans([
          [0, 5, 'PER'],
          [9, 12, 'ORG'],
        ]),
      ),
    ).toBeCloseTo(2 / 3);
    expect(
      scoreAgainstExpected(
        'textcollection',
        {},
        { annotations: { summary: 'a good phone', rating: 4 } },
        { annotations: { summary: 'a great phone', rating: 4 } },
      ),
    ).toBeCloseTo((2 / 3 + 1) / 2);
    expect(scoreAgainstExpected('comparison', {}, { choice: 'left' }, { choice: 'right' })).toBe(0);
    const prefer = (winner: number | 'tie', strength?: string) => ({
      preference: { winner, strength },
    });
    expect(scoreAgainstExpected('comparison', {}, prefer(1, 'much'), prefer(1, 'slightly'))).toBe(
      1,
    );
    expect(scoreAgainstExpected('comparison', {}, prefer('tie'), prefer(0, 'much'))).toBe(0);
    const polygon = { annotations: [{ type: 'polygon', label: 'x', vertices: [{ x: 0, y: 0 }] }] };
    expect(scoreAgainstExpected('imageannotation', {}, polygon, polygon)).toBe(1);
  });
});

describe('consensus of image annotations', () => {
  it('keeps the polygon most annotators drew, as drawn by the most typical of them', () => {
    const square = (x: number, label = 'roof') => ({
      type: 'polygon',
      label,
      vertices: [
        { x, y: 0 },
        { x: x + 10, y: 0 },
        { x: x + 10, y: 10 },
        { x, y: 10 },
      ],
    });
    const result = aggregateTasks(
      [
        {
          taskId: 't',
          type: 'imageannotation',
          params: {},
          answers: [
            { worker: 'a', response: { annotations: [square(0), square(100)] } },
            { worker: 'b', response: { annotations: [square(1)] } },
            { worker: 'c', response: { annotations: [square(0.5)] } },
          ],
        },
      ],
      'hybrid',
    );
    const consensus = result.tasks.get('t')!;
    expect(consensus.method).toBe('shape-fusion');
    expect(consensus.response.annotations).toEqual([square(0.5)]);
  });

  it('fuses boxes label by label', () => {
    const box = (label: string, left: number, top: number) => ({
      type: 'box',
      label,
      left,
      top,
      width: 10,
      height: 10,
    });
    const result = aggregateTasks(
      [
        {
          taskId: 't',
          type: 'imageannotation',
          params: {},
          answers: [
            { worker: 'a', response: { annotations: [box('car', 0, 0), box('bus', 50, 50)] } },
            { worker: 'b', response: { annotations: [box('car', 2, 2), box('bus', 52, 50)] } },
            { worker: 'c', response: { annotations: [box('car', 1, 1)] } },
          ],
        },
      ],
      'hybrid',
    );
    const consensus = result.tasks.get('t')!;
    expect(consensus.method).toBe('shape-fusion');
    const annotations = consensus.response.annotations as Array<Record<string, number | string>>;
    const car = annotations.find((a) => a.label === 'car')!;
    expect(car.left).toBeCloseTo(1);
    expect(car.width).toBeCloseTo(10);
    expect(annotations.find((a) => a.label === 'bus')!.left).toBeCloseTo(51);
    expect(consensus.confidence).toBeGreaterThan(0.5);
  });
});

describe('consensus of named entities', () => {
  it('keeps characters most annotators marked with a label', () => {
    const text = 'Ada met Charles';
    const entities = (...list: Array<[number, number, string]>) => ({
      annotations: list.map(([start, end, label]) => ({ start, end, label })),
    });
    const result = aggregateTasks(
      [
        {
          taskId: 't',
          type: 'namedentityrecognition',
          params: { text, labels: [{ name: 'PER' }] },
          answers: [
            { worker: 'a', response: entities([0, 3, 'PER'], [8, 15, 'PER']) },
            { worker: 'b', response: entities([0, 3, 'PER']) },
            { worker: 'c', response: entities([0, 3, 'PER'], [8, 15, 'PER']) },
          ],
        },
      ],
      'hybrid',
    );
    const consensus = result.tasks.get('t')!;
    expect(consensus.method).toBe('span-consensus');
    expect(consensus.response.annotations).toEqual([
      { start: 0, end: 3, label: 'PER', text: 'Ada' },
      { start: 8, end: 15, label: 'PER', text: 'Charles' },
    ]);
    expect(consensus.confidence).toBeCloseTo((1 + 2 / 3) / 2);
  });
});

describe('consensus of text collection', () => {
  it('combines text fields word by word and other fields by plurality', () => {
    const answer = (worker: string, annotations: Record<string, unknown>) => ({
      worker,
      response: { annotations },
    });
    const result = aggregateTasks(
      [
        {
          taskId: 't',
          type: 'textcollection',
          params: {},
          answers: [
            answer('a', { summary: 'a great phone with a bad battery', stars: 4 }),
            answer('b', { summary: 'a good phone with a weak battery', stars: 4, note: 'x' }),
            answer('c', { summary: 'a great phone with a weak battery', stars: 5 }),
          ],
        },
      ],
      'hybrid',
    );
    const consensus = result.tasks.get('t')!;
    expect(consensus.method).toBe('field-consensus');
    expect(consensus.response).toEqual({
      annotations: { summary: 'a great phone with a weak battery', stars: 4 },
    });
    expect(consensus.confidence).toBeGreaterThan(0.6);
  });
});
