import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImageTaskRecord } from './geometry';
import {
  parseYoloClasses,
  parseYoloLabels,
  yoloClassesTxt,
  yoloLabelFile,
  yoloLabelFileName,
} from './yolo';
import { parseYoloDataYaml, yoloDataYaml } from './yolo-yaml';

const classes = ['car', 'person'];
const record: ImageTaskRecord = {
  taskId: 'task_1',
  attachment: 'https://cdn.example.com/a.jpg',
  width: 200,
  height: 100,
  annotations: [
    { type: 'box', label: 'person', left: 20, top: 10, width: 40, height: 30 },
    {
      type: 'polygon',
      label: 'car',
      vertices: [
        { x: 0, y: 0 },
        { x: 100, y: 0 },
        { x: 50, y: 50 },
      ],
    },
    { type: 'box', label: 'car', left: -10, top: 90, width: 30, height: 20 },
    { type: 'point', label: 'car', x: 1, y: 1 },
    {
      type: 'ellipse',
      label: 'car',
      vertices: [
        { x: 1, y: 0 },
        { x: 2, y: 1 },
        { x: 1, y: 2 },
        { x: 0, y: 1 },
      ],
    },
  ],
};

describe('YOLO labels', () => {
  it('writes normalised boxes and polygons, clipping to the image, and counts the rest', () => {
    expect(yoloLabelFile(record, { classes })).toEqual({
      text: '1 0.2 0.25 0.2 0.3\n0 0 0 0.5 0 0.25 0.5\n0 0.05 0.95 0.1 0.1\n',
      skipped: { point: 1, ellipse: 1 },
    });
  });

  it('refuses a label that is not a class, naming the task', () => {
    expect(() =>
      yoloLabelFile(
        {
          ...record,
          annotations: [{ type: 'box', label: 'bus', left: 0, top: 0, width: 1, height: 1 }],
        },
        { classes },
      ),
    ).toThrow('task task_1: "bus" is not one of the YOLO classes');
    expect(() => yoloLabelFile({ ...record, height: undefined }, { classes })).toThrow(
      /YOLO needs the image's width and height/,
    );
  });

  it('reads boxes and polygons back in pixels without float noise', () => {
    expect(
      parseYoloLabels('1 0.2 0.25 0.2 0.3\n\n0 0 0 0.5 0 0.25 0.5\n', {
        width: 200,
        height: 100,
        classes,
      }),
    ).toEqual({
      annotations: [
        { type: 'box', label: 'person', left: 20, top: 10, width: 40, height: 30 },
        {
          type: 'polygon',
          label: 'car',
          vertices: [
            { x: 0, y: 0 },
            { x: 100, y: 0 },
            { x: 50, y: 50 },
          ],
        },
      ],
    });
    const [box] = parseYoloLabels('0 0.123457 0.5 0.1 0.1', {
      width: 640,
      height: 480,
      classes,
    }).annotations;
    expect(box).toMatchObject({ left: 47.01248, width: 64 });
  });

  it('names the line of a label it cannot read', () => {
    const read = (text: string) => () =>
      parseYoloLabels(text, { width: 10, height: 10, classes, file: 'labels/a.txt' });
    expect(read('0 0.5 0.5 0.1 0.1\n7 0.5 0.5 0.1 0.1')).toThrow(
      '"labels/a.txt", line 2: class 7 is not listed (2 classes)',
    );
    expect(read('0 0.5 0.5 0.1')).toThrow('line 1: has 3 coordinates');
    expect(read('x 0.5 0.5 0.1 0.1')).toThrow('line 1: "x" is not a class number');
    expect(read('0 0.5 0.5 abc 0.1')).toThrow('line 1: coordinates must be numbers');
  });

  it('round-trips files written to six decimals exactly', () => {
    const micro = (max: number) => fc.integer({ min: 0, max }).map((value) => value / 1e6);
    const box = fc
      .record({
        cx: fc.integer({ min: 0, max: 1e6 }),
        cy: fc.integer({ min: 0, max: 1e6 }),
        c: fc.integer({ min: 0, max: 1 }),
      })
      .chain(({ cx, cy, c }) =>
        fc
          .record({
            w: fc.integer({ min: 0, max: Math.min(cx, 1e6 - cx) }),
            h: fc.integer({ min: 0, max: Math.min(cy, 1e6 - cy) }),
          })
          .map(
            ({ w, h }) => `${c} ${[cx / 1e6, cy / 1e6, (2 * w) / 1e6, (2 * h) / 1e6].join(' ')}`,
          ),
      );
    const polygon = fc
      .tuple(
        fc.integer({ min: 0, max: 1 }),
        fc.array(fc.tuple(micro(1e6), micro(1e6)), { minLength: 3, maxLength: 6 }),
      )
      .map(([c, points]) => `${c} ${points.flat().join(' ')}`);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(box, polygon), { maxLength: 6 }),
        fc.integer({ min: 1, max: 8000 }),
        fc.integer({ min: 1, max: 8000 }),
        (lines, width, height) => {
          const text = lines.map((line) => `${line}\n`).join('');
          const { annotations } = parseYoloLabels(text, { width, height, classes });
          const written = yoloLabelFile(
            { taskId: 't', attachment: 'https://x/a.jpg', width, height, annotations },
            { classes },
          );
          expect(written.text).toBe(text);
        },
      ),
    );
  });

  it('names label files after their images', () => {
    expect(yoloLabelFileName('images/train/a.b.jpg')).toBe('images/train/a.b.txt');
    expect(yoloLabelFileName('noext')).toBe('noext.txt');
    expect(yoloLabelFileName('dir.v2/.hidden')).toBe('dir.v2/.hidden.txt');
  });
});

describe('YOLO class lists', () => {
  it('writes and reads classes.txt', () => {
    expect(parseYoloClasses(yoloClassesTxt(['car', 'traffic light']))).toEqual([
      'car',
      'traffic light',
    ]);
    expect(() => yoloClassesTxt(['two\nlines'])).toThrow(/cannot be a line/);
  });

  it('round-trips any class names through data.yaml', () => {
    const breakers = ['\u2028', ' \u0085 ', '\ufeffa', 'b\u2029', '\u007f'];
    expect(parseYoloDataYaml(yoloDataYaml({ names: breakers })).names).toEqual(breakers);
    expect(yoloDataYaml({ names: breakers })).not.toMatch(/[\u0085\u2028\u2029\ufeff]/);
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 6 }),
        fc.option(fc.string(), { nil: undefined }),
        (names, train) => {
          const dataset = { names, ...(train === undefined ? {} : { train }) };
          expect(parseYoloDataYaml(yoloDataYaml(dataset))).toEqual(dataset);
        },
      ),
    );
  });

  it('reads the forms Ultralytics datasets use', () => {
    expect(
      parseYoloDataYaml(
        'path: ../datasets/coco8 # root\ntrain: images/train\nval: images/val\nnc: 2\nnames: [\'person\', "bicycle"]\n',
      ),
    ).toEqual({
      path: '../datasets/coco8',
      train: 'images/train',
      val: 'images/val',
      names: ['person', 'bicycle'],
    });
    expect(
      parseYoloDataYaml("names:\n  - person\n  - 'it''s'\ndownload: |\n  curl x\n").names,
    ).toEqual(['person', "it's"]);
    expect(parseYoloDataYaml('names:\n  1: bicycle\n  0: person\n').names).toEqual([
      'person',
      'bicycle',
    ]);
    expect(() => parseYoloDataYaml('names:\n  0: a\n  2: c\n')).toThrow('names has no class 1');
    expect(() => parseYoloDataYaml('train: x\n', 'data.yaml')).toThrow('"data.yaml": has no names');
  });
});
