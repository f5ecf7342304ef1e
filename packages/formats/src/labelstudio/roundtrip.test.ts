import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toLabelStudioTask } from './export';
import { fromLabelStudioTask } from './import';
import type { LabelStudioResult } from './results';
import { imageConfig, nerConfig } from './test-support';

const hundredths = (max: number) =>
  fc.integer({ min: 0, max: max * 100 }).map((value) => value / 100);
const regionId = fc.stringMatching(/^[A-Za-z0-9_-]{4,10}$/);

/** Image regions in canonical order: the shape, then its per-region answers in config order. */
const imageResults = fc
  .record({ width: fc.integer({ min: 1, max: 6000 }), height: fc.integer({ min: 1, max: 6000 }) })
  .chain(({ width, height }) => {
    const meta = { original_width: width, original_height: height, image_rotation: 0 };
    const geometry = fc.oneof(
      fc
        .record({
          x: hundredths(100),
          y: hundredths(100),
          width: hundredths(100),
          height: hundredths(100),
        })
        .map((value) => ({
          kind: 'rectanglelabels',
          from: 'box',
          value: { ...value, rotation: 0 },
          labels: ['car', 'person'],
        })),
      fc
        .array(fc.tuple(hundredths(100), hundredths(100)), { minLength: 3, maxLength: 6 })
        .map((points) => ({
          kind: 'polygonlabels',
          from: 'poly',
          value: { points },
          labels: ['road'],
        })),
      fc
        .record({ x: hundredths(100), y: hundredths(100) })
        .map((value) => ({ kind: 'keypointlabels', from: 'kp', value, labels: ['nose'] })),
    );
    const region = fc.record({
      geometry,
      label: fc.nat(1),
      occluded: fc.option(fc.constantFrom('yes', 'no'), { nil: undefined }),
      colour: fc.option(fc.subarray(['red', 'blue'], { minLength: 1 }), { nil: undefined }),
      note: fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }),
    });
    return fc
      .tuple(
        fc.uniqueArray(regionId, { maxLength: 5 }),
        fc.array(region, { maxLength: 5 }),
        fc.option(fc.constantFrom('sunny', 'rain'), { nil: undefined }),
      )
      .map(([ids, regions, weather]) => {
        const results: LabelStudioResult[] = [];
        regions.slice(0, ids.length).forEach((region, index) => {
          const id = ids[index]!;
          const { kind, from, value, labels } = region.geometry;
          const label = labels[region.label % labels.length]!;
          results.push({
            id,
            from_name: from,
            to_name: 'image',
            type: kind,
            ...meta,
            value: { ...value, [kind]: [label] },
          });
          const answers: Array<[string, string, Record<string, unknown>]> = [];
          if (region.occluded)
            answers.push(['occluded', 'choices', { choices: [region.occluded] }]);
          if (region.colour) answers.push(['colour', 'choices', { choices: region.colour }]);
          if (region.note !== undefined)
            answers.push(['note', 'textarea', { text: [region.note] }]);
          for (const [name, type, answer] of answers)
            results.push({
              id,
              from_name: name,
              to_name: 'image',
              type,
              ...meta,
              value: { ...value, ...answer },
            });
        });
        if (weather)
          results.push({
            id: 'r1',
            from_name: 'weather',
            to_name: 'image',
            type: 'choices',
            value: { choices: [weather] },
          });
        return results;
      });
  });

describe('Label Studio round trip', () => {
  it('keeps every box, polygon, keypoint, label, choice and attribute, coordinates exactly', () => {
    fc.assert(
      fc.property(imageResults, (result) => {
        // A region's shape result must come first for ids r1… not to clash; ids here never look like that.
        const source = {
          data: { image: 'https://cdn.example.com/a.jpg' },
          predictions: [{ result }],
        };
        const imported = fromLabelStudioTask(source, imageConfig);
        const { task, dropped } = toLabelStudioTask(
          { params: imported.body, image: imported.image },
          imageConfig,
        );
        expect(dropped).toEqual([]);
        expect(task.predictions).toEqual([{ result }]);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps rotated rectangles to within float precision', () => {
    const rectangle = fc.record({
      x: hundredths(100),
      y: hundredths(100),
      width: hundredths(100),
      height: hundredths(100),
      rotation: fc.integer({ min: 1, max: 359 }),
    });
    fc.assert(
      fc.property(
        rectangle,
        fc.integer({ min: 1, max: 6000 }),
        fc.integer({ min: 1, max: 6000 }),
        (value, width, height) => {
          const result = {
            id: 'abc',
            from_name: 'box',
            to_name: 'image',
            type: 'rectanglelabels',
            original_width: width,
            original_height: height,
            image_rotation: 0,
            value: { ...value, rectanglelabels: ['car'] },
          };
          const imported = fromLabelStudioTask(
            { data: { image: 'https://x/a.jpg' }, annotations: [{ result: [result] }] },
            imageConfig,
          );
          const back = toLabelStudioTask(
            { params: imported.body, image: imported.image },
            imageConfig,
          ).task.predictions![0]!.result[0]!;
          for (const key of ['x', 'y', 'width', 'height', 'rotation'] as const)
            expect(back.value[key] as number).toBeCloseTo(value[key], 8);
        },
      ),
    );
  });

  it('keeps every span, label and per-span answer of a text', () => {
    const text = 'Ada 👩🏽‍🔬 Lovelace e\u0301 Köln 🇫🇷 and more';
    const length = Array.from(text).length;
    const span = fc.tuple(
      fc.nat(length - 1),
      fc.integer({ min: 1, max: length }),
      fc.constantFrom('PER', 'LOC'),
      fc.option(fc.constantFrom('yes', 'no'), { nil: undefined }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(regionId, { maxLength: 6 }),
        fc.array(span, { maxLength: 6 }),
        fc.constantFrom<'codepoints' | 'utf16'>('codepoints', 'utf16'),
        (ids, spans, unit) => {
          const points = Array.from(text);
          const result: LabelStudioResult[] = [];
          spans.slice(0, ids.length).forEach(([a, b, label, certain], index) => {
            const start = Math.min(a, b - 1);
            const end = Math.max(a + 1, b);
            const offset = (at: number) =>
              unit === 'utf16' ? points.slice(0, at).join('').length : at;
            const value = {
              start: offset(start),
              end: offset(end),
              text: points.slice(start, end).join(''),
            };
            result.push({
              id: ids[index]!,
              from_name: 'label',
              to_name: 'text',
              type: 'labels',
              value: { ...value, labels: [label] },
            });
            if (certain)
              result.push({
                id: ids[index]!,
                from_name: 'certain',
                to_name: 'text',
                type: 'choices',
                value: { ...value, choices: [certain] },
              });
          });
          const imported = fromLabelStudioTask(
            { data: { text }, annotations: [{ result }] },
            nerConfig,
            { textOffsets: unit },
          );
          const { task } = toLabelStudioTask(
            { params: imported.body, response: imported.response },
            nerConfig,
            { textOffsets: unit },
          );
          expect(task.annotations).toEqual([{ result }]);
        },
      ),
    );
  });
});
