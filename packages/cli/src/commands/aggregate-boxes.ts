import {
  boxSetF1,
  fuseBoxItems,
  medoidAnnotation,
  type BoxItem,
  type BoxItemsFusion,
  type CornerBox,
} from '@quorum/quality';
import type { Command } from '../main';
import { InputError, csvField, readCsv, readFlags, runResearchCommand, writeWhole } from '../csv';

const HELP = `Usage:
  quorum aggregate-boxes --input boxes.csv --output fused.csv [--iou T] [--min-support S]
                         [--rounds N] [--gold gold.csv]

Fuses several workers' bounding boxes on each item into one set of objects.

Input: a CSV file whose header names the columns item, worker, box, x1, y1, x2, y2 (other
columns are ignored; fields may be quoted). One row per box; the rows of one item and worker
are that worker's annotation of the item (box tells the boxes apart). x1 <= x2 and y1 <= y2.

Boxes drawn around the same object are grouped (at most one per worker), and each group's
corners are averaged, weighted by each worker's reliability (their mean F1 against the consensus,
estimated over all items). By default the kept objects are the set that agrees best with the
workers (the largest mean F1 against each worker's own boxes): a majority vote when workers agree
closely, and objects fewer of them drew when each skips some.

Output: a CSV file with the columns item,box,x1,y1,x2,y2,confidence: items in input order, each
item's objects numbered from 0 by confidence, the reliability-weighted share of workers who drew
the object. An item where no object is kept has no rows.

Options:
  --input FILE        the boxes
  --output FILE       where to write the fused boxes (written whole or not at all)
  --iou T             IoU (0 < T <= 1) a box needs with a group's fused box to join it, and at
                      which boxes match when scoring (default 0.5)
  --min-support S     keep instead the objects drawn by at least this share of an item's
                      workers (0 to 1; 0.5 = at least half)
  --rounds N          rounds of worker reliability estimation at most, stopping when the
                      reliabilities settle; 0 gives every worker the same weight (default 10)
  --gold FILE         item,box,x1,y1,x2,y2 of the true boxes: prints the mean per-item F1 of the
                      fused boxes, the medoid annotation and an average single annotation`;

const MAX_ROUNDS = 100;

/** What `quorum aggregate-boxes` was asked to do. */
export interface AggregateBoxesOptions {
  input: string;
  output: string;
  iou: number;
  minSupport?: number;
  rounds: number;
  gold?: string;
}

/** Reads the command line; `help` when --help was given. */
export function parseAggregateBoxesArguments(args: string[]): AggregateBoxesOptions | 'help' {
  const values = readFlags(
    args,
    {
      input: { type: 'string' },
      output: { type: 'string' },
      iou: { type: 'string', default: '0.5' },
      'min-support': { type: 'string' },
      rounds: { type: 'string', default: '10' },
      gold: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    'aggregate-boxes',
  );
  if (values.help) return 'help';
  if (!values.input) throw new InputError('--input is required (the boxes CSV)');
  if (!values.output) throw new InputError('--output is required (where to write the objects)');
  const iou = decimal(values.iou);
  if (iou === undefined || !(iou > 0 && iou <= 1))
    throw new InputError(`--iou must be a number above 0 and at most 1, not "${values.iou}"`);
  if (!/^\d+$/.test(values.rounds) || Number(values.rounds) > MAX_ROUNDS)
    throw new InputError(
      `--rounds must be a whole number from 0 to ${MAX_ROUNDS}, not "${values.rounds}"`,
    );
  const options: AggregateBoxesOptions = {
    input: values.input,
    output: values.output,
    iou,
    rounds: Number(values.rounds),
  };
  const minSupport = values['min-support'];
  if (minSupport !== undefined) {
    const share = decimal(minSupport);
    if (share === undefined || !(share >= 0 && share <= 1))
      throw new InputError(`--min-support must be a number from 0 to 1, not "${minSupport}"`);
    options.minSupport = share;
  }
  if (values.gold !== undefined) options.gold = values.gold;
  return options;
}

function decimal(text: string): number | undefined {
  return /^\s*(\d+\.?\d*|\.\d+)\s*$/.test(text) ? Number(text) : undefined;
}

/** Mean per-item F1 against gold of the fused boxes and of the two baselines. */
export interface BoxGoldScore {
  /** Gold items scored (those with annotations). */
  items: number;
  /** Gold items nobody annotated (not scored). */
  unannotatedItems: number;
  fused: number;
  medoid: number;
  averageSingle: number;
}

/** What a run read, fused and (with gold) scored. */
export interface AggregateBoxesSummary {
  boxes: number;
  annotations: number;
  items: number;
  workers: number;
  objects: number;
  fusion: BoxItemsFusion;
  gold?: BoxGoldScore;
}

/** Reads the boxes, fuses every item and writes the objects (or throws InputError). */
export async function aggregateBoxesFile(
  options: AggregateBoxesOptions,
): Promise<AggregateBoxesSummary> {
  const { items, boxes, workers } = await readAnnotations(options.input);
  const gold = options.gold === undefined ? undefined : await readGold(options.gold);
  const fusion = fuseBoxItems(items, {
    iouThreshold: options.iou,
    rounds: options.rounds,
    ...(options.minSupport !== undefined ? { minSupport: options.minSupport } : {}),
  });
  const summary: AggregateBoxesSummary = {
    boxes,
    annotations: items.reduce((sum, item) => sum + item.annotations.length, 0),
    items: items.length,
    workers,
    objects: fusion.items.reduce((sum, item) => sum + item.objects.length, 0),
    fusion,
  };
  if (gold) summary.gold = scoreGold(gold, items, fusion, options.iou);
  await writeWhole(options.output, formatObjects(fusion));
  return summary;
}

/** The input as items (in input order) of annotations (in input order) of boxes. */
async function readAnnotations(path: string) {
  const items = new Map<string, Map<string, CornerBox[]>>();
  const seenBoxes = new Map<string, number>();
  const workers = new Set<string>();
  let boxes = 0;
  for await (const row of readCsv(path, {
    flag: '--input',
    required: ['item', 'worker', 'box', 'x1', 'y1', 'x2', 'y2'],
  })) {
    const where = `line ${row.line}`;
    const item = nonEmpty(row.get('item'), 'item', where);
    const worker = nonEmpty(row.get('worker'), 'worker', where);
    const box = nonEmpty(row.get('box'), 'box', where);
    const key = JSON.stringify([item, worker, box]);
    const earlier = seenBoxes.get(key);
    if (earlier !== undefined)
      throw new InputError(
        `${where}: box "${box}" of worker "${worker}" on item "${item}" ` +
          `already appears on line ${earlier}`,
      );
    seenBoxes.set(key, row.line);
    let annotations = items.get(item);
    if (!annotations) items.set(item, (annotations = new Map()));
    let drawn = annotations.get(worker);
    if (!drawn) annotations.set(worker, (drawn = []));
    drawn.push(readBox(row, where));
    workers.add(worker);
    boxes++;
  }
  if (boxes === 0) throw new InputError(`--input: "${path}" has a header but no boxes`);
  const list: BoxItem[] = [...items].map(([item, annotations]) => ({
    item,
    annotations: [...annotations].map(([annotator, drawn]) => ({ annotator, boxes: drawn })),
  }));
  return { items: list, boxes, workers: workers.size };
}

async function readGold(path: string): Promise<Map<string, CornerBox[]>> {
  const gold = new Map<string, CornerBox[]>();
  const seenBoxes = new Map<string, number>();
  for await (const row of readCsv(path, {
    flag: '--gold',
    required: ['item', 'box', 'x1', 'y1', 'x2', 'y2'],
  })) {
    const where = `--gold line ${row.line}`;
    const item = nonEmpty(row.get('item'), 'item', where);
    const box = nonEmpty(row.get('box'), 'box', where);
    const key = JSON.stringify([item, box]);
    const earlier = seenBoxes.get(key);
    if (earlier !== undefined)
      throw new InputError(
        `${where}: box "${box}" of item "${item}" already appears on line ${earlier}`,
      );
    seenBoxes.set(key, row.line);
    let boxes = gold.get(item);
    if (!boxes) gold.set(item, (boxes = []));
    boxes.push(readBox(row, where));
  }
  if (gold.size === 0) throw new InputError(`--gold: "${path}" has a header but no boxes`);
  return gold;
}

function nonEmpty(value: string, column: string, where: string): string {
  if (value === '') throw new InputError(`${where}: ${column} is empty`);
  return value;
}

function readBox(row: { get(column: string): string }, where: string): CornerBox {
  const corner = (column: string) => {
    const text = row.get(column);
    // Number('') is 0 and Number('0x10') is 16: accept plain decimal notation only.
    const value = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(value))
      throw new InputError(`${where}: ${column} "${text}" is not a finite number`);
    return value;
  };
  const box = { x1: corner('x1'), y1: corner('y1'), x2: corner('x2'), y2: corner('y2') };
  if (box.x2 < box.x1) throw new InputError(`${where}: x2 (${box.x2}) is less than x1 (${box.x1})`);
  if (box.y2 < box.y1) throw new InputError(`${where}: y2 (${box.y2}) is less than y1 (${box.y1})`);
  return box;
}

function scoreGold(
  gold: Map<string, CornerBox[]>,
  items: readonly BoxItem[],
  fusion: BoxItemsFusion,
  threshold: number,
): BoxGoldScore {
  const f1 = (answer: readonly CornerBox[], truth: readonly CornerBox[]) =>
    boxSetF1(answer, truth, { threshold }).f1;
  let scored = 0;
  let fused = 0;
  let medoid = 0;
  let averageSingle = 0;
  items.forEach(({ item, annotations }, i) => {
    const truth = gold.get(item);
    if (!truth) return;
    scored++;
    fused += f1(
      fusion.items[i]!.objects.map((object) => object.box),
      truth,
    );
    medoid += f1(
      annotations[medoidAnnotation(annotations, { iouThreshold: threshold })]!.boxes,
      truth,
    );
    averageSingle +=
      annotations.reduce((sum, annotation) => sum + f1(annotation.boxes, truth), 0) /
      annotations.length;
  });
  const annotated = new Set(items.map(({ item }) => item));
  return {
    items: scored,
    unannotatedItems: [...gold.keys()].filter((item) => !annotated.has(item)).length,
    fused: scored > 0 ? fused / scored : NaN,
    medoid: scored > 0 ? medoid / scored : NaN,
    averageSingle: scored > 0 ? averageSingle / scored : NaN,
  };
}

function formatObjects(fusion: BoxItemsFusion): string {
  const lines = ['item,box,x1,y1,x2,y2,confidence'];
  for (const { item, objects } of fusion.items)
    objects.forEach(({ box, confidence }, k) => {
      const corners = [box.x1, box.y1, box.x2, box.y2].map(coordinate);
      lines.push([csvField(item), String(k), ...corners, confidence.toFixed(6)].join(','));
    });
  return `${lines.join('\n')}\n`;
}

/** Six decimals at most, without trailing zeros (a mean of whole pixels stays short). */
function coordinate(value: number): string {
  const rounded = Math.round(value * 1e6) / 1e6;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

function describe(options: AggregateBoxesOptions, summary: AggregateBoxesSummary): string {
  const rule =
    options.minSupport === undefined
      ? 'best agreement with the workers'
      : `support >= ${options.minSupport}`;
  const lines = [
    `Fused ${summary.boxes} boxes in ${summary.annotations} annotations of ${summary.items} ` +
      `items by ${summary.workers} workers into ${summary.objects} objects ` +
      `(IoU >= ${options.iou}, kept by ${rule}) in ${options.output}`,
  ];
  const gold = summary.gold;
  if (gold) {
    lines.push(
      gold.items > 0
        ? `Mean F1 on ${gold.items} gold items (IoU >= ${options.iou}): ` +
            `fused ${gold.fused.toFixed(4)}, medoid annotation ${gold.medoid.toFixed(4)}, ` +
            `average single annotation ${gold.averageSingle.toFixed(4)}`
        : 'No gold item was among the annotated items',
    );
    if (gold.unannotatedItems > 0)
      lines.push(`${gold.unannotatedItems} gold items had no annotations and were not scored`);
  }
  return lines.join('\n');
}

export const aggregateBoxes: Command = {
  summary: "Fuse several workers' bounding boxes per item into consensus objects",
  run: (args) =>
    runResearchCommand('aggregate-boxes', HELP, async () => {
      const options = parseAggregateBoxesArguments(args);
      if (options === 'help') return 'help';
      return describe(options, await aggregateBoxesFile(options));
    }),
};
