import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AnswerSetBuilder,
  encodeGold,
  type AnswerSet,
  type EncodedGold,
  type TruthEstimate,
} from '../src/index';

/** The categorical fixtures under test/fixtures/crowd. */
export const CROWD_DATASETS = ['bluebirds', 'snow-rte', 'snow-temp', 'snow-wsd', 'adult2'] as const;
export type CrowdDataset = (typeof CROWD_DATASETS)[number];

const FIXTURES = fileURLToPath(new URL('./fixtures/crowd/', import.meta.url));

function rows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(','));
}

/** A fixture's answers (in file order) and gold. */
export function loadCrowd(name: CrowdDataset): { answers: AnswerSet; gold: EncodedGold } {
  const builder = new AnswerSetBuilder();
  for (const [item, worker, label] of rows(`${FIXTURES}${name}/labels.csv`))
    builder.add(item!, worker!, label!);
  const answers = builder.build();
  const goldRows = rows(`${FIXTURES}${name}/gold.csv`).map(([i, l]) => [i!, l!] as const);
  return { answers, gold: encodeGold(answers, goldRows) };
}

/** Share of gold items whose chosen label is the gold one. */
export function goldAccuracy(estimate: TruthEstimate, gold: EncodedGold): number {
  let right = 0;
  let total = 0;
  for (let i = 0; i < gold.label.length; i++) {
    if (gold.label[i]! < 0) continue;
    total++;
    if (estimate.label[i] === gold.label[i]) right++;
  }
  return total > 0 ? right / total : NaN;
}
