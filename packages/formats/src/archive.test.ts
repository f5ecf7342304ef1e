import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { identifyDataset, readDatasetArchive } from './archive';

const text = (value: string) => new TextEncoder().encode(value);
const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3);
const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 9, 9, 9);

describe('dataset archives', () => {
  it('pairs YOLO images with their label files and finds the class lists', () => {
    const dataset = readDatasetArchive(
      zipSync({
        'data.yaml': text('names: [car, person]\n'),
        'images/train/a.jpg': jpeg,
        'images/train/b.jpg': jpeg,
        'labels/train/a.txt': text('0 0.5 0.5 0.2 0.2\n'),
        '__MACOSX/images/._a.jpg': text('mac'),
        'README.md': text('# read me'),
      }),
    );
    expect(dataset.images.map((image) => [image.path, image.mediaType, image.annotation])).toEqual([
      ['images/train/a.jpg', 'image/jpeg', { path: 'labels/train/a.txt', format: 'yolo' }],
      ['images/train/b.jpg', 'image/jpeg', undefined],
    ]);
    expect(dataset.classFiles.map((file) => file.path)).toEqual(['data.yaml']);
    expect(dataset.ignored).toEqual(['__MACOSX/images/._a.jpg', 'README.md']);
  });

  it('pairs VOC images in JPEGImages/ with Annotations/', () => {
    const dataset = readDatasetArchive(
      zipSync({
        'VOC/JPEGImages/000001.jpg': jpeg,
        'VOC/Annotations/000001.xml': text(
          '<annotation><filename>000001.jpg</filename></annotation>',
        ),
      }),
    );
    expect(dataset.images[0]!.annotation).toEqual({
      path: 'VOC/Annotations/000001.xml',
      format: 'voc',
    });
  });

  it('pairs images with the COCO file listing them and the Label Studio file linking them', () => {
    const dataset = identifyDataset([
      { name: 'images/x.png', data: png },
      { name: 'uploads/y.png', data: png },
      { name: 'photos/z.jpg', data: jpeg },
      {
        name: 'annotations/instances.json',
        data: text(
          JSON.stringify({
            images: [{ id: 1, file_name: 'x.png' }],
            annotations: [],
            categories: [],
          }),
        ),
      },
      {
        name: 'export.json',
        data: text(JSON.stringify([{ id: 1, data: { image: '/data/upload/1/3f2a9c1b-y.png' } }])),
      },
      { name: 'other.json', data: text('{"hello":"world"}') },
    ]);
    expect(dataset.images.map((image) => [image.path, image.annotation?.format ?? null])).toEqual([
      ['images/x.png', 'coco'],
      ['uploads/y.png', 'labelstudio'],
      ['photos/z.jpg', null],
    ]);
    expect(dataset.ignored).toEqual(['other.json']);
  });

  it('knows images by their bytes, not their names', () => {
    const dataset = identifyDataset([
      { name: 'picture.jpg', data: text('<html>not an image</html>') },
      { name: 'noext', data: png },
    ]);
    expect(dataset.images.map((image) => image.path)).toEqual(['noext']);
  });

  it('refuses a hostile annotation file, naming the entry', () => {
    const xxe = text(
      '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><annotation>&x;</annotation>',
    );
    expect(() => identifyDataset([{ name: 'Annotations/1.xml', data: xxe }])).toThrow(
      'entry "Annotations/1.xml", line 1: DOCTYPE declarations are refused',
    );
    expect(() => identifyDataset([{ name: 'bad.json', data: text('{') }])).toThrow(
      /^entry "bad.json": is not valid JSON/,
    );
  });
});
