/**
 * `npm run bench -- boxes [--repeat N]`: bounding-box fusion on the bbox-braylan-dev fixture
 * (packages/quality/test/fixtures/bbox-braylan-dev) against the per-image medoid annotation,
 * the baseline of the fixture's README, timed in the same run (ratios hold on any machine).
 * Prints the mean per-image F1 (boxes matched at IoU >= 0.5) of fusion, medoid and an average
 * single annotation.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  boxSetF1,
  fuseBoxItems,
  medoidAnnotation,
  type BoxItem,
  type CornerBox,
} from '@quorum/quality';

const FIXTURE = fileURLToPath(
  new URL('../packages/quality/test/fixtures/bbox-braylan-dev/', import.meta.url),
);

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

/** Median wall time in milliseconds of `repeat` runs, after one warm-up run. */
function time<T>(repeat: number, body: () => T): { ms: number; result: T } {
  let result = body();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    result = body();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)]!, result };
}

export async function run(args: string[]) {
  const { values } = parseArgs({ args, options: { repeat: { type: 'string', default: '20' } } });
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a whole number');
  const { items, gold } = load();
  const boxes = items.reduce(
    (sum, { annotations }) => sum + annotations.reduce((s, a) => s + a.boxes.length, 0),
    0,
  );
  const annotations = items.reduce((sum, item) => sum + item.annotations.length, 0);
  console.log(
    `boxes: ${items.length} images, ${annotations} annotations, ${boxes} boxes ` +
      `(bbox-braylan-dev), median of ${repeat} runs\n`,
  );
  const f1 = (item: string, answer: readonly CornerBox[]) => boxSetF1(answer, gold.get(item)!).f1;

  const medoid = time(repeat, () =>
    items.map(({ annotations }) => annotations[medoidAnnotation(annotations)]!),
  );
  const fusion = time(repeat, () => fuseBoxItems(items));
  const equalWeights = time(repeat, () => fuseBoxItems(items, { rounds: 0 }));
  const majority = time(repeat, () => fuseBoxItems(items, { rounds: 0, minSupport: 0.5 }));

  const rowsOut: Array<[string, number, number]> = [
    [
      `fusion (default: agreement, ${fusion.result.rounds} reliability rounds)`,
      fusion.ms,
      mean(
        fusion.result.items.map(({ item, objects }) =>
          f1(
            item,
            objects.map((o) => o.box),
          ),
        ),
      ),
    ],
    [
      'fusion, equal weights (rounds 0)',
      equalWeights.ms,
      mean(
        equalWeights.result.items.map(({ item, objects }) =>
          f1(
            item,
            objects.map((o) => o.box),
          ),
        ),
      ),
    ],
    [
      'fusion, majority rule (--min-support 0.5)',
      majority.ms,
      mean(
        majority.result.items.map(({ item, objects }) =>
          f1(
            item,
            objects.map((o) => o.box),
          ),
        ),
      ),
    ],
    [
      'medoid annotation (reference)',
      medoid.ms,
      mean(medoid.result.map((annotation, i) => f1(items[i]!.item, annotation.boxes))),
    ],
  ];
  const single = mean(
    items.map(({ item, annotations }) => mean(annotations.map((a) => f1(item, a.boxes)))),
  );
  console.log(
    `  ${'method'.padEnd(52)} ${'F1'.padStart(6)} ${'time'.padStart(10)}  ratio to medoid`,
  );
  for (const [name, ms, score] of rowsOut) {
    const took = `${ms.toFixed(2)} ms`.padStart(10);
    console.log(`  ${name.padEnd(52)} ${score.toFixed(4)} ${took}  ${(ms / medoid.ms).toFixed(2)}`);
  }
  console.log(`  ${'average single annotation'.padEnd(52)} ${single.toFixed(4)}`);
  console.log('\n  (README, whole source set: average single 0.660, medoid 0.756)');
}
