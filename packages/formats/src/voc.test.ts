import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImageTaskRecord } from './geometry';
import { pixel } from './test-support';
import { parseVocXml, vocAnnotationXml } from './voc';

const record: ImageTaskRecord = {
  taskId: 'task_1',
  attachment: 'https://cdn.example.com/photos/caf%C3%A9.jpg',
  width: 640,
  height: 480,
  annotations: [
    {
      type: 'box',
      label: 'fish & <chips>',
      left: 10.5,
      top: 20,
      width: 30,
      height: 40.25,
      attributes: { note: 'a "b" <c>', count: 3, tags: ['x'] },
    },
    {
      type: 'box',
      label: 'car',
      left: 100,
      top: 100,
      width: 20,
      height: 10,
      rotation: Math.PI / 2,
    },
    {
      type: 'polygon',
      label: 'car',
      vertices: [
        { x: 0, y: 0 },
        { x: 1, y: 0 },
        { x: 0, y: 1 },
      ],
    },
  ],
};

describe('Pascal VOC', () => {
  it('writes escaped XML with boxes and attributes, counting other shapes', () => {
    const { text, skipped } = vocAnnotationXml(record);
    expect(skipped).toEqual({ polygon: 1 });
    expect(text).toContain('<filename>café.jpg</filename>');
    expect(text).toContain('<name>fish &amp; &lt;chips&gt;</name>');
    expect(text).toContain(
      '<bndbox><xmin>10.5</xmin><ymin>20</ymin><xmax>40.5</xmax><ymax>60.25</ymax></bndbox>',
    );
    expect(text).toContain('<attribute><name>count</name><value json="true">3</value></attribute>');
  });

  it('reads back what it writes (rotated boxes as the box around them)', () => {
    const image = parseVocXml(vocAnnotationXml(record).text);
    expect(image).toMatchObject({
      fileName: 'café.jpg',
      folder: 'images',
      width: 640,
      height: 480,
      depth: 3,
    });
    expect(image.hypothesis.annotations[0]).toEqual({
      type: 'box',
      label: 'fish & <chips>',
      left: 10.5,
      top: 20,
      width: 30,
      height: 40.25,
      attributes: { note: 'a "b" <c>', count: 3, tags: ['x'] },
    });
    const turned = image.hypothesis.annotations[1]!;
    expect(turned).toMatchObject({ type: 'box', label: 'car' });
    if (turned.type !== 'box') throw new Error('expected a box');
    expect(
      [turned.left, turned.top, turned.width, turned.height].map(
        (value) => Math.round(value * 1e9) / 1e9,
      ),
    ).toEqual([105, 95, 10, 20]);
  });

  it('reads a LabelImg file', () => {
    const labelImg = `<annotation>
	<folder>JPEGImages</folder>
	<filename>000001.jpg</filename>
	<size><width>353</width><height>500</height><depth>3</depth></size>
	<object><name>dog</name><pose>Left</pose><truncated>1</truncated><difficult>0</difficult>
		<bndbox><xmin>48</xmin><ymin>240</ymin><xmax>195</xmax><ymax>371</ymax></bndbox></object>
</annotation>`;
    expect(parseVocXml(labelImg, { labels: ['dog'] }).hypothesis.annotations).toEqual([
      { type: 'box', label: 'dog', left: 48, top: 240, width: 147, height: 131 },
    ]);
  });

  it('refuses external entities and DTDs (XXE) before reading anything', () => {
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE annotation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<annotation><filename>&xxe;</filename></annotation>';
    expect(() => parseVocXml(xxe, { file: 'Annotations/1.xml' })).toThrow(
      '"Annotations/1.xml", line 2: DOCTYPE declarations are refused',
    );
  });

  it('names the line of an object it cannot read', () => {
    const read = (objects: string) => () =>
      parseVocXml(`<annotation>\n<filename>a.jpg</filename>\n${objects}\n</annotation>`, {
        file: 'a.xml',
        labels: ['dog'],
      });
    expect(read('<object><name>dog</name></object>')).toThrow(
      '"a.xml", line 3: the "dog" <object> has no <bndbox>',
    );
    expect(read('<object><bndbox/></object>')).toThrow('line 3: an <object> has no <name>');
    expect(read('<object><name>cat</name></object>')).toThrow(
      'line 3: "cat" is not a label of the project',
    );
    expect(
      read(
        '<object><name>dog</name><bndbox><xmin>5</xmin><ymin>0</ymin><xmax>1</xmax><ymax>1</ymax></bndbox></object>',
      ),
    ).toThrow('a <bndbox> has a maximum below its minimum');
    expect(read('<object><name>dog</name><bndbox><xmin>five</xmin></bndbox></object>')).toThrow(
      '<xmin> must be a number, not "five"',
    );
    expect(() => parseVocXml('<Annotation/>')).toThrow(
      'the root element is <Annotation>, not <annotation>',
    );
  });

  it('round-trips boxes exactly', () => {
    const box = fc.record({
      left: pixel(500),
      top: pixel(500),
      width: pixel(500),
      height: pixel(500),
      label: fc
        .string({ unit: 'grapheme', minLength: 1 })
        .filter(
          (label) =>
            label.trim() === label && label !== '' && !/[\x00-\x1F\uFFFE\uFFFF]/.test(label),
        ),
    });
    fc.assert(
      fc.property(fc.array(box, { maxLength: 5 }), (boxes) => {
        const annotations = boxes.map((shape) => ({ type: 'box' as const, ...shape }));
        const text = vocAnnotationXml({
          taskId: 't',
          attachment: 'https://x/a.jpg',
          width: 1000,
          height: 1000,
          annotations,
        }).text;
        expect(parseVocXml(text).hypothesis.annotations).toEqual(annotations);
      }),
    );
  });
});
