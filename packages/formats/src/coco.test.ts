import type { ImageAnnotation } from '@quorum/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CocoWriter, writeCoco } from './coco';
import { cocoPrelabels } from './coco-import';
import { validateCoco } from './coco-validate';
import type { ImageTaskRecord } from './geometry';
import { LABELS, imageRecord } from './test-support';

const street: ImageTaskRecord = {
  taskId: 'task_1',
  attachment: 'https://cdn.example.com/street/Stra%C3%9Fe%201.jpg',
  width: 640,
  height: 480,
  annotations: [
    {
      type: 'box',
      uuid: 'b1',
      label: 'car',
      left: 10,
      top: 20,
      width: 100.5,
      height: 50,
      attributes: { occluded: 'no' },
    },
    {
      type: 'polygon',
      label: 'person',
      vertices: [
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 10 },
        { x: 0, y: 10 },
      ],
    },
    {
      type: 'line',
      label: 'car',
      vertices: [
        { x: 1, y: 1 },
        { x: 2, y: 2 },
      ],
    },
    { type: 'point', label: 'person', x: 5, y: 6 },
  ],
};
const empty: ImageTaskRecord = {
  taskId: 'task_2',
  attachment: 'https://cdn.example.com/b.png',
  fileName: 'b.png',
  width: 32,
  height: 16,
  annotations: [],
};

function exportCoco(records: ImageTaskRecord[], labels: readonly string[] = ['car', 'person']) {
  return JSON.parse([...writeCoco(records, { labels })].join('')) as {
    images: Array<Record<string, unknown>>;
    annotations: Array<Record<string, unknown>>;
    categories: Array<Record<string, unknown>>;
  };
}

describe('the COCO writer', () => {
  it('writes images, annotations and categories that pass the validator', () => {
    const coco = exportCoco([street, empty]);
    expect(validateCoco(coco)).toEqual([]);
    expect(coco.images).toEqual([
      {
        id: 1,
        file_name: 'Straße 1.jpg',
        width: 640,
        height: 480,
        coco_url: street.attachment,
        quorum_task_id: 'task_1',
      },
      {
        id: 2,
        file_name: 'b.png',
        width: 32,
        height: 16,
        coco_url: empty.attachment,
        quorum_task_id: 'task_2',
      },
    ]);
    expect(coco.annotations).toEqual([
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        bbox: [10, 20, 100.5, 50],
        area: 5025,
        segmentation: [],
        attributes: { occluded: 'no' },
        iscrowd: 0,
      },
      {
        id: 2,
        image_id: 1,
        category_id: 2,
        bbox: [0, 0, 10, 10],
        area: 100,
        segmentation: [[0, 0, 10, 0, 10, 10, 0, 10]],
        iscrowd: 0,
      },
      {
        id: 3,
        image_id: 1,
        category_id: 2,
        bbox: [5, 6, 0, 0],
        area: 0,
        segmentation: [],
        keypoints: [5, 6, 2],
        num_keypoints: 1,
        iscrowd: 0,
      },
    ]);
    expect(coco.categories).toEqual([
      { id: 1, name: 'car', supercategory: '' },
      { id: 2, name: 'person', supercategory: '', keypoints: ['person'], skeleton: [] },
    ]);
  });

  it('writes in one pass, annotations held apart, the same document as in two', () => {
    fc.assert(
      fc.property(fc.array(imageRecord, { maxLength: 4 }), (records) => {
        const writer = new CocoWriter({ labels: LABELS });
        const chunks = [writer.begin()];
        let annotations = '';
        for (const record of records) {
          const written = writer.imageWithAnnotations(record);
          chunks.push(written.image);
          annotations += written.annotations;
        }
        chunks.push(writer.beginAnnotations(), annotations, writer.end());
        expect(chunks.join('')).toBe([...writeCoco(records, { labels: LABELS })].join(''));
      }),
      { numRuns: 50 },
    );
    const writer = new CocoWriter({ labels: ['car', 'person'] });
    writer.begin();
    expect(writer.imageWithAnnotations(empty).annotations).toBe('');
    const { annotations } = writer.imageWithAnnotations(street);
    expect(JSON.parse(`[${annotations}]`)).toEqual(exportCoco([empty, street]).annotations);
    expect(writer.skipped).toEqual({ line: 1 });
  });

  it('counts the shapes COCO cannot hold', () => {
    const writer = new CocoWriter({ labels: ['car', 'person'] });
    writer.begin();
    writer.image(street);
    writer.beginAnnotations();
    writer.annotations(street);
    writer.end();
    expect(writer.skipped).toEqual({ line: 1 });
  });

  it('keeps category ids stable and appends labels met only in answers', () => {
    const coco = exportCoco(
      [
        {
          ...empty,
          annotations: [{ type: 'box', label: 'bus', left: 0, top: 0, width: 1, height: 1 }],
        },
      ],
      ['car', 'person'],
    );
    expect(coco.categories.map((category) => [category.id, category.name])).toEqual([
      [1, 'car'],
      [2, 'person'],
      [3, 'bus'],
    ]);
  });

  it('takes labels met on the way, a status per image and an info note written last', () => {
    const writer = new CocoWriter({ labels: ['car'], info: { description: 'streets' } });
    const chunks = [writer.begin(), writer.image({ ...empty, status: 'pending' })];
    writer.addLabels(['truck', 'car']);
    chunks.push(writer.beginAnnotations(), writer.annotations(empty));
    writer.addLabels(['bus']);
    chunks.push(writer.end({ skipped: { total: 1 } }));
    const coco = JSON.parse(chunks.join(''));
    expect(validateCoco(coco)).toEqual([]);
    expect(coco.images[0]).toMatchObject({ quorum_task_id: 'task_2', quorum_status: 'pending' });
    expect(coco.categories.map((category: { name: string }) => category.name)).toEqual([
      'car',
      'truck',
      'bus',
    ]);
    expect(coco.info).toEqual({ description: 'streets', skipped: { total: 1 } });
    expect(() => writer.addLabels(['late'])).toThrow(/after end/);
  });

  it('writes a rotated box as its unrotated box with the angle in degrees, as CVAT does', () => {
    const rotated: ImageAnnotation = {
      type: 'box',
      label: 'car',
      left: 10,
      top: 10,
      width: 20,
      height: 10,
      rotation: Math.PI / 6,
    };
    const coco = exportCoco([{ ...empty, annotations: [rotated] }]);
    expect(coco.annotations[0]).toMatchObject({
      bbox: [10, 10, 20, 10],
      attributes: { rotation: 30 },
    });
    const [image] = cocoPrelabels(coco).images;
    const box = image!.hypothesis.annotations[0] as Extract<ImageAnnotation, { type: 'box' }>;
    expect(box.rotation).toBeCloseTo(Math.PI / 6, 12);
    expect(box.vertices).toHaveLength(4);
    expect(box.attributes).toBeUndefined();
  });

  it('groups linked points into keypoint objects of the schema', () => {
    const point = (uuid: string, label: string, x: number, of?: string): ImageAnnotation => ({
      type: 'point',
      uuid,
      label,
      x,
      y: x,
      ...(of ? { attributes: { of } } : {}),
    });
    const record = {
      ...empty,
      annotations: [
        point('n1', 'nose', 1),
        point('e1', 'eye', 2, 'n1'),
        point('n2', 'nose', 10),
        point('e2', 'eye', 11, 'n2'),
        point('e3', 'eye', 12, 'n2'),
      ],
    };
    const coco = JSON.parse(
      [
        ...writeCoco([record], {
          labels: ['nose', 'eye'],
          keypoints: { category: 'face', labels: ['nose', 'eye'], skeleton: [['nose', 'eye']] },
        }),
      ].join(''),
    );
    expect(validateCoco(coco)).toEqual([]);
    const face = coco.categories.find((category: { name: string }) => category.name === 'face');
    expect(face).toMatchObject({ keypoints: ['nose', 'eye'], skeleton: [[1, 2]] });
    const objects = coco.annotations.filter(
      (annotation: { category_id: number }) => annotation.category_id === face.id,
    );
    // The first face is whole; the second has two eyes, so it cannot be one object and its points stay alone.
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({
      keypoints: [1, 1, 2, 2, 2, 2],
      num_keypoints: 2,
      bbox: [1, 1, 1, 1],
      attributes: { eye: { of: 'n1' } },
    });
    expect(coco.annotations).toHaveLength(4);
    // Read back against the project's labels, the keypoint category itself need not be one.
    const [image] = cocoPrelabels(coco, { labels: ['nose', 'eye'] }).images;
    expect(image!.hypothesis.annotations.map((shape) => shape.label)).toEqual([
      'nose',
      'eye',
      'nose',
      'eye',
      'eye',
    ]);
  });

  it('makes one keypoint object of unlinked points when no label repeats', () => {
    const record = {
      ...empty,
      annotations: [
        { type: 'point' as const, label: 'eye', x: 3, y: 4 },
        { type: 'point' as const, label: 'nose', x: 1, y: 2 },
      ],
    };
    const coco = JSON.parse(
      [
        ...writeCoco([record], {
          labels: [],
          keypoints: { category: 'face', labels: ['nose', 'eye'] },
        }),
      ].join(''),
    );
    expect(coco.annotations).toEqual([
      expect.objectContaining({ keypoints: [1, 2, 2, 3, 4, 2], num_keypoints: 2 }),
    ]);
  });

  it('refuses passes that differ, calls out of order and images without a size', () => {
    const writer = new CocoWriter({ labels: [] });
    expect(() => writer.image(street)).toThrow(/out of order/);
    writer.begin();
    writer.image(street);
    writer.beginAnnotations();
    writer.annotations(empty);
    expect(() => writer.end()).toThrow(/same tasks in the same order/);
    expect(() => [...writeCoco([{ ...street, width: undefined }], { labels: [] })]).toThrow(
      /COCO needs the image's width and height \(task task_1\)/,
    );
  });

  it('detects a one-shot iterable that cannot be read twice', () => {
    function* once() {
      yield street;
    }
    expect(() => [...writeCoco(once(), { labels: [] })]).toThrow(/two passes/);
  });
});

describe('the COCO validator', () => {
  const valid = () => exportCoco([street, empty]);

  it('accepts what the writer writes', () => {
    fc.assert(
      fc.property(fc.array(imageRecord, { maxLength: 4 }), (records) => {
        expect(validateCoco(exportCoco(records, LABELS))).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it('finds duplicate ids, dangling references, negative sizes and areas that disagree', () => {
    const coco = valid();
    coco.images.push({ ...coco.images[0]! });
    coco.annotations[0]!.image_id = 99;
    coco.annotations[1]!.category_id = 42;
    coco.annotations[1]!.area = 7;
    coco.annotations.push({
      ...coco.annotations[0]!,
      id: 10,
      image_id: 1,
      bbox: [0, 0, -1, 5],
      area: 0,
    });
    coco.annotations.push({
      ...coco.annotations[2]!,
      id: 11,
      keypoints: [1, 1, 2, 5, 5, 2],
      num_keypoints: 2,
    });
    expect(validateCoco(coco)).toEqual([
      { path: 'images.2.id', message: 'duplicate image id 1' },
      { path: 'annotations.0.image_id', message: 'no image has id 99' },
      { path: 'annotations.1.category_id', message: 'no category has id 42' },
      { path: 'annotations.1.area', message: 'is 7 but the polygons enclose 100' },
      { path: 'annotations.3.bbox', message: 'width and height must not be negative' },
      { path: 'annotations.3.area', message: 'is 0 but the bbox is -1 × 5' },
      {
        path: 'annotations.4.keypoints',
        message: "must have 3 numbers (3 for each of the category's 1 keypoints)",
      },
    ]);
  });

  it('refuses documents without the three arrays', () => {
    expect(validateCoco({ images: [] })).toEqual([
      { path: 'annotations', message: 'must be an array' },
      { path: 'categories', message: 'must be an array' },
    ]);
    expect(validateCoco([])).toEqual([{ path: '', message: 'must be a JSON object' }]);
  });
});

describe('COCO import', () => {
  it('turns annotations into per-image pre-labels, through a label map', () => {
    const coco = exportCoco([street, empty]);
    const { images, skipped } = cocoPrelabels(coco, { labelMap: { car: 'vehicle' } });
    expect(skipped).toEqual({ crowd: 0 });
    expect(
      images.map((image) => [image.fileName, image.taskId, image.width, image.height]),
    ).toEqual([
      ['Straße 1.jpg', 'task_1', 640, 480],
      ['b.png', 'task_2', 32, 16],
    ]);
    expect(images[0]!.hypothesis.annotations).toEqual([
      {
        type: 'box',
        label: 'vehicle',
        left: 10,
        top: 20,
        width: 100.5,
        height: 50,
        attributes: { occluded: 'no' },
      },
      {
        type: 'polygon',
        label: 'person',
        vertices: street.annotations[1]!.type === 'polygon' ? street.annotations[1]!.vertices : [],
      },
      { type: 'point', label: 'person', x: 5, y: 6 },
    ]);
  });

  it('refuses labels the project does not have, and invalid documents', () => {
    expect(() =>
      cocoPrelabels(exportCoco([street]), { labels: ['car'], file: 'instances.json' }),
    ).toThrow(
      /"instances.json": annotations.1.category_id: "person" is not a label of the project/,
    );
    expect(() => cocoPrelabels({ images: [], annotations: [{}], categories: [] })).toThrow(
      /is not valid COCO/,
    );
  });

  it('counts crowd masks, which have no Quorum shape', () => {
    const coco = exportCoco([empty]);
    coco.annotations.push({
      id: 1,
      image_id: 1,
      category_id: 1,
      bbox: [0, 0, 2, 1],
      area: 2,
      iscrowd: 1,
      segmentation: { counts: [0, 2, 510], size: [16, 32] },
    });
    expect(cocoPrelabels(coco).skipped).toEqual({ crowd: 1 });
  });

  it('round-trips boxes, polygons, points and attributes (points after the other shapes)', () => {
    fc.assert(
      fc.property(fc.array(imageRecord, { minLength: 1, maxLength: 4 }), (records) => {
        const { images } = cocoPrelabels(exportCoco(records, LABELS));
        images.forEach((image, index) => {
          const shapes = records[index]!.annotations;
          const expected = [
            ...shapes.filter((shape) => shape.type !== 'point'),
            ...shapes.filter((shape) => shape.type === 'point'),
          ];
          expect(image.hypothesis.annotations).toEqual(expected);
        });
      }),
      { numRuns: 100 },
    );
  });
});
