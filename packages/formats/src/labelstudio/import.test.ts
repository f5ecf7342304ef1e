import { describe, expect, it } from 'vitest';
import { fromLabelStudioTask } from './import';
import { parseLabelStudioConfig } from './config';
import { percentToPixels, pixelsToPercent, rectangleToBox } from './regions';
import { imageConfig, imageTask, nerConfig, size } from './test-support';

describe('Label Studio import', () => {
  it('turns predictions into pixel pre-labels with region ids, attributes and global answers', () => {
    const imported = fromLabelStudioTask(imageTask, imageConfig);
    expect(imported.type).toBe('imageannotation');
    expect(imported.image).toEqual({ width: 1000, height: 500 });
    expect(imported.body).toEqual({
      ...imageConfig.params,
      attachment: 'https://cdn.example.com/street.jpg',
      metadata: { camera: 'front', label_studio_id: 17 },
      hypothesis: {
        annotations: [
          {
            type: 'box',
            uuid: 'a1',
            label: 'car',
            left: 125,
            top: 50,
            width: 200,
            height: 151.25,
            attributes: { occluded: 'no' },
          },
          {
            type: 'polygon',
            uuid: 'p1',
            label: 'road',
            vertices: [
              { x: 0, y: 0 },
              { x: 500, y: 0 },
              { x: 500, y: 250 },
            ],
          },
          { type: 'point', uuid: 'k1', label: 'nose', x: 15, y: 12.5 },
        ],
        global_attributes: { weather: 'rain' },
      },
    });
  });

  it('turns a rotated rectangle (turned about its top-left corner) into a box turned about its centre', () => {
    const box = rectangleToBox(
      { x: 10, y: 10, width: 20, height: 10, rotation: 90 },
      { width: 100, height: 100 },
    );
    // Turned a quarter clockwise about (10, 10), the 20 × 10 box spans x 0–10 and y 10–30.
    expect(box.left + box.width / 2).toBeCloseTo(5, 9);
    expect(box.top + box.height / 2).toBeCloseTo(20, 9);
    expect(box.rotation).toBeCloseTo(Math.PI / 2, 12);
    expect(box.vertices![0]!.x).toBeCloseTo(10, 9);
    expect(box.vertices![0]!.y).toBeCloseTo(10, 9);
  });

  it('converts percent to pixels to the precision the percentage had', () => {
    expect(percentToPixels(12.34, 640)).toBe(78.976);
    expect(percentToPixels(33.333333, 1333)).toBe(444.33332889);
    expect(pixelsToPercent(78.976, 640)).toBe(12.34);
  });

  it('reads spans in code points, or UTF-16 units for older exports, checking their text', () => {
    const text = 'Met 👩🏽‍🔬 Ngũgĩ in Köln';
    const task = (start: number, end: number) => ({
      data: { text },
      annotations: [
        {
          result: [
            {
              id: 's1',
              from_name: 'label',
              to_name: 'text',
              type: 'labels',
              value: { start, end, text: 'Ngũgĩ', labels: ['PER'] },
            },
          ],
        },
      ],
    });
    expect(fromLabelStudioTask(task(9, 14), nerConfig).body.hypothesis).toEqual({
      annotations: [{ id: 's1', start: 9, end: 14, text: 'Ngũgĩ', label: 'PER' }],
    });
    expect(fromLabelStudioTask(task(12, 17), nerConfig, { textOffsets: 'utf16' }).response).toEqual(
      {
        annotations: [{ id: 's1', start: 9, end: 14, text: 'Ngũgĩ', label: 'PER' }],
      },
    );
    expect(() => fromLabelStudioTask(task(12, 17), nerConfig, { file: 'export.json' })).toThrow(
      /^"export.json": result s1: its text "Ngũgĩ" is not the text at 12–17 .* try textOffsets "utf16"/,
    );
  });

  it('reads categorization and text collection answers', () => {
    const sentiment = parseLabelStudioConfig(
      '<View><Text name="text" value="$text"/><Choices name="s" toName="text"><Choice value="pos"/><Choice value="neg"/></Choices></View>',
    );
    const imported = fromLabelStudioTask(
      {
        data: { text: 'Génial !' },
        annotations: [
          {
            result: [
              { from_name: 's', to_name: 'text', type: 'choices', value: { choices: ['pos'] } },
            ],
          },
        ],
      },
      sentiment,
    );
    expect(imported).toEqual({
      type: 'categorization',
      body: {
        attachment_type: 'text',
        categories: ['pos', 'neg'],
        allow_multiple: false,
        attachment: 'Génial !',
      },
      response: { category: 'pos' },
    });
    const form = parseLabelStudioConfig(
      '<View><Image name="image" value="$image"/><TextArea name="sign" toName="image"/><Choices name="ok" toName="image"><Choice value="yes"/></Choices></View>',
    );
    const answered = fromLabelStudioTask(
      {
        data: { image: 'https://x/s.jpg' },
        annotations: [
          {
            result: [
              { from_name: 'sign', to_name: 'image', type: 'textarea', value: { text: ['STOP'] } },
              { from_name: 'ok', to_name: 'image', type: 'choices', value: { choices: ['yes'] } },
            ],
          },
        ],
      },
      form,
    );
    expect(answered.response).toEqual({ annotations: { sign: 'STOP', ok: ['yes'] } });
    expect(answered.body.attachments).toEqual([{ type: 'image', content: 'https://x/s.jpg' }]);
  });

  it('names what it cannot read', () => {
    const read = (result: Record<string, unknown>) => () =>
      fromLabelStudioTask(
        {
          data: { image: 'https://x/a.jpg' },
          annotations: [{ result: [{ id: 'x', to_name: 'image', ...size, ...result }] }],
        },
        imageConfig,
        { entry: 'tasks.json' },
      );
    expect(read({ from_name: 'brush', type: 'brushlabels', value: {} })).toThrow(
      'entry "tasks.json": result x comes from "brush", which the config does not have',
    );
    expect(read({ from_name: 'box', type: 'polygonlabels', value: {} })).toThrow(
      'result x is a polygonlabels, but "box" is a rectanglelabels',
    );
    expect(
      read({
        from_name: 'box',
        type: 'rectanglelabels',
        value: { x: 1, y: 1, width: 1, height: 1, rectanglelabels: ['car', 'person'] },
      }),
    ).toThrow('has 2 labels');
    expect(
      read({
        from_name: 'box',
        type: 'rectanglelabels',
        value: { x: 1, y: 1, width: 1, height: 1, rectanglelabels: ['bus'] },
      }),
    ).toThrow(/hypothesis.annotations.0.label: "bus" is not a box label/);
    expect(read({ from_name: 'occluded', type: 'choices', value: { choices: ['yes'] } })).toThrow(
      'answers "occluded" for a region that is not in the results',
    );
    expect(
      read({
        from_name: 'box',
        type: 'rectanglelabels',
        image_rotation: 90,
        value: { x: 1, y: 1, width: 1, height: 1, rectanglelabels: ['car'] },
      }),
    ).toThrow('rotated image');
    expect(() => fromLabelStudioTask({ data: {} }, imageConfig)).toThrow(
      'data.image must hold the image URL',
    );
  });
});
