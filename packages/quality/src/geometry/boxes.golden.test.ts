import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CornerBox } from '../agreement/boxes';
import { boxSetF1 } from '../gold/boxes';
import { fuseBoxes, medoidAnnotation } from './fusion';
import { fuseBoxItems, type BoxItem } from './reliability';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/bbox-braylan-dev/', import.meta.url));

function rows(file: string): string[][] {
  return readFileSync(`${FIXTURE}${file}`, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(','));
}

function load(): { items: BoxItem[]; gold: Map<string, CornerBox[]> } {
  const byItem = new Map<string, Map<string, CornerBox[]>>();
  for (const [item, worker, , x1, y1, x2, y2] of rows('labels.csv')) {
    let annotations = byItem.get(item!);
    if (!annotations) byItem.set(item!, (annotations = new Map()));
    let boxes = annotations.get(worker!);
    if (!boxes) annotations.set(worker!, (boxes = []));
    boxes.push({ x1: Number(x1), y1: Number(y1), x2: Number(x2), y2: Number(y2) });
  }
  const gold = new Map<string, CornerBox[]>();
  for (const [item, , x1, y1, x2, y2] of rows('gold.csv')) {
    let boxes = gold.get(item!);
    if (!boxes) gold.set(item!, (boxes = []));
    boxes.push({ x1: Number(x1), y1: Number(y1), x2: Number(x2), y2: Number(y2) });
  }
  const items = [...byItem].map(([item, annotations]) => ({
    item,
    annotations: [...annotations].map(([annotator, boxes]) => ({ annotator, boxes })),
  }));
  return { items, gold };
}

const mean = (values: readonly number[]) =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * Mean per-image F1 (boxes matched at IoU >= 0.5) on bbox-braylan-dev, the even-numbered images
 * of Braylan & Lease's set, pinned to four digits. The fixture's README gives 0.660 for an
 * average single annotation and 0.756 for the medoid on the whole set; this half is a little
 * harder. A majority vote loses to the medoid here because crowd workers each skip objects;
 * the default agreement rule adapts to that and beats it.
 */
describe('box fusion on bbox-braylan-dev', () => {
  const { items, gold } = load();
  const f1 = (item: string, boxes: readonly CornerBox[]) => boxSetF1(boxes, gold.get(item)!).f1;
  const single = mean(
    items.map(({ item, annotations }) => mean(annotations.map((a) => f1(item, a.boxes)))),
  );
  const medoid = mean(
    items.map(({ item, annotations }) =>
      f1(item, annotations[medoidAnnotation(annotations)]!.boxes),
    ),
  );
  const fused = (options: Parameters<typeof fuseBoxItems>[1]) =>
    mean(
      fuseBoxItems(items, options).items.map(({ item, objects }) =>
        f1(
          item,
          objects.map((object) => object.box),
        ),
      ),
    );

  it('has gold for every image', () => {
    expect(items).toHaveLength(100);
    for (const { item } of items) expect(gold.get(item)?.length).toBeGreaterThan(0);
  });

  it('scores the baselines: an average single annotation and the medoid', () => {
    expect(single).toBeCloseTo(0.6446, 4);
    expect(medoid).toBeCloseTo(0.7426, 4);
  });

  it('beats the medoid with reliability-weighted fusion (the default)', () => {
    const score = fused({});
    expect(score).toBeGreaterThan(medoid + 0.02);
    expect(score).toBeCloseTo(0.7652, 4);
  });

  it('beats the medoid with equal weights too, and not with a majority vote', () => {
    expect(fused({ rounds: 0 })).toBeCloseTo(0.7634, 4);
    expect(fused({ rounds: 0, minSupport: 0.5 })).toBeCloseTo(0.7249, 4);
  });

  it('fuses one image the same way alone as among all', () => {
    const [first] = items;
    expect(fuseBoxes(first!.annotations)).toEqual(
      fuseBoxItems([first!], { rounds: 0 }).items[0]!.objects,
    );
  });
});
