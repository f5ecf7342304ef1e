import { describe, expect, it } from 'vitest';
import { toLabelStudioTask } from './export';
import { fromLabelStudioTask } from './import';
import type { LabelStudioResult } from './results';
import { imageConfig, imageTask, nerConfig } from './test-support';

describe('Label Studio export', () => {
  it('writes responses as annotations and pre-labels as predictions, in percent', () => {
    const imported = fromLabelStudioTask(imageTask, imageConfig);
    const { task, dropped } = toLabelStudioTask(
      { id: 17, params: imported.body, response: { annotations: [] }, image: imported.image },
      imageConfig,
    );
    expect(dropped).toEqual([]);
    expect(task.data).toEqual({ image: 'https://cdn.example.com/street.jpg' });
    expect(task.annotations).toEqual([{ result: [] }]);
    const strip = (result: LabelStudioResult) => {
      const {
        origin: _origin,
        score: _score,
        ...rest
      } = result as LabelStudioResult & { origin?: string; score?: number };
      const { closed: _closed, width: _width, ...value } = rest.value as Record<string, unknown>;
      return {
        ...rest,
        value: rest.type === 'keypointlabels' || rest.type === 'polygonlabels' ? value : rest.value,
      };
    };
    const expected = imageTask.predictions[0]!.result.map((result) =>
      strip(result as LabelStudioResult),
    );
    expected[4] = { ...expected[4]!, id: 'r1' };
    expect(task.predictions).toEqual([{ result: expected }]);
  });

  it('lists what the config has no control for', () => {
    const { dropped } = toLabelStudioTask(
      {
        params: {
          attachment: 'https://x/a.jpg',
          hypothesis: {
            annotations: [
              { type: 'line', label: 'x', vertices: [{ x: 0, y: 0 }] },
              { type: 'point', uuid: 'q', label: 'nose', x: 1, y: 1, attributes: { speed: 3 } },
            ],
          },
        },
        image: { width: 10, height: 10 },
      },
      imageConfig,
    );
    expect(dropped).toEqual([
      'annotation 0: a line has no Label Studio control in this config',
      'annotation q: attribute "speed" has no perRegion control',
    ]);
    expect(() =>
      toLabelStudioTask(
        {
          params: {
            attachment: 'https://x/a.jpg',
            hypothesis: { annotations: [{ type: 'point', label: 'nose', x: 1, y: 1 }] },
          },
        },
        imageConfig,
      ),
    ).toThrow('the image size is needed');
  });

  it('writes UTF-16 offsets when asked', () => {
    const { task } = toLabelStudioTask(
      {
        params: { text: '😀 Bonn', labels: [{ name: 'LOC' }] },
        response: { annotations: [{ start: 2, end: 6, label: 'LOC' }] },
      },
      nerConfig,
      { textOffsets: 'utf16' },
    );
    expect(task.annotations![0]!.result[0]!.value).toEqual({
      start: 3,
      end: 7,
      text: 'Bonn',
      labels: ['LOC'],
    });
  });
});
