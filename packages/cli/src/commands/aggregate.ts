import {
  AnswerSetBuilder,
  DEFAULT_TRUTH_METHOD,
  TRUTH_METHODS,
  encodeGold,
  inferTruth,
  isTruthMethod,
  type AnswerSet,
  type TruthEstimate,
  type TruthMethod,
} from '@quorum/quality';
import type { Command } from '../main';
import { InputError, csvField, readCsv, readFlags, runResearchCommand, writeWhole } from '../csv';

const HELP = `Usage:
  quorum aggregate --input labels.csv --output truth.csv [--method M] [--gold gold.csv]

Infers each item's true label from several workers' answers.

Input: a CSV file whose header names the columns item, worker and label (other columns are
ignored; fields may be quoted). One row per answer; a worker who answered an item twice counts
twice. Labels are compared as text.

Output: a CSV file with the columns item,label,confidence, one row per item in input order;
confidence is the posterior probability of the chosen label.

Options:
  --method M          ${TRUTH_METHODS.join(', ')} (default ${DEFAULT_TRUTH_METHOD})
                        mv       majority vote; ties go to the label first in natural order
                        wawa     vote weighted by each worker's agreement with the majority
                        ds       Dawid-Skene, a full confusion matrix per worker
                        onecoin  Dawid-Skene with one accuracy per worker
                        hybrid   Dawid-Skene choosing per worker between the two by evidence
                        glad     GLAD: worker ability and item difficulty
                        mace     MACE: each worker knows the answer or spams
  --gold FILE         item,label of known true labels: prints the accuracy on those items
  --max-iterations N  EM iterations at most (iterative methods)
  --tolerance T       absolute convergence tolerance (iterative methods)`;

/** What `quorum aggregate` was asked to do. */
export interface AggregateOptions {
  input: string;
  output: string;
  method: TruthMethod;
  gold?: string;
  maxIterations?: number;
  tolerance?: number;
}

/** Reads the command line; `help` when --help was given. */
export function parseAggregateArguments(args: string[]): AggregateOptions | 'help' {
  const values = readFlags(
    args,
    {
      input: { type: 'string' },
      output: { type: 'string' },
      method: { type: 'string', default: DEFAULT_TRUTH_METHOD },
      gold: { type: 'string' },
      'max-iterations': { type: 'string' },
      tolerance: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    'aggregate',
  );
  if (values.help) return 'help';
  if (!values.input) throw new InputError('--input is required (the answers CSV)');
  if (!values.output) throw new InputError('--output is required (where to write the labels)');
  const method = values.method as string;
  if (!isTruthMethod(method))
    throw new InputError(`--method must be one of ${TRUTH_METHODS.join(', ')}, not "${method}"`);
  const options: AggregateOptions = { input: values.input, output: values.output, method };
  if (values.gold !== undefined) options.gold = values.gold;
  const maxIterations = values['max-iterations'];
  if (maxIterations !== undefined) {
    if (!/^\d+$/.test(maxIterations) || Number(maxIterations) < 1 || Number(maxIterations) > 1e6)
      throw new InputError(
        `--max-iterations must be a whole number from 1 to 1000000, not "${maxIterations}"`,
      );
    options.maxIterations = Number(maxIterations);
  }
  const tolerance = values.tolerance;
  if (tolerance !== undefined) {
    const value = Number(tolerance);
    if (tolerance.trim() === '' || !(value > 0 && value < 1))
      throw new InputError(`--tolerance must be a number between 0 and 1, not "${tolerance}"`);
    options.tolerance = value;
  }
  return options;
}

/** What a run read, inferred and (with gold) scored. */
export interface AggregateSummary {
  answers: number;
  items: number;
  workers: number;
  estimate: TruthEstimate;
  gold?: { items: number; correct: number; accuracy: number; unknownItems: number };
}

/** Reads the answers, infers the labels and writes them (or throws InputError). */
export async function aggregateFile(options: AggregateOptions): Promise<AggregateSummary> {
  const answers = await readAnswers(options.input);
  const estimate = inferTruth(answers, options.method, {
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
    ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
  });
  const summary: AggregateSummary = {
    answers: answers.item.length,
    items: answers.items.length,
    workers: answers.workers.length,
    estimate,
  };
  if (options.gold !== undefined) summary.gold = await scoreGold(options.gold, answers, estimate);
  await writeWhole(options.output, formatLabels(estimate));
  return summary;
}

async function readAnswers(path: string): Promise<AnswerSet> {
  const builder = new AnswerSetBuilder();
  for await (const row of readCsv(path, {
    flag: '--input',
    required: ['item', 'worker', 'label'],
  })) {
    const values = { item: row.get('item'), worker: row.get('worker'), label: row.get('label') };
    for (const [column, value] of Object.entries(values))
      if (value === '') throw new InputError(`line ${row.line}: ${column} is empty`);
    builder.add(values.item, values.worker, values.label);
  }
  if (builder.size === 0) throw new InputError(`--input: "${path}" has a header but no answers`);
  return builder.build();
}

async function scoreGold(path: string, answers: AnswerSet, estimate: TruthEstimate) {
  const pairs: Array<readonly [string, string]> = [];
  const seen = new Map<string, number>();
  for await (const row of readCsv(path, { flag: '--gold', required: ['item', 'label'] })) {
    const item = row.get('item');
    const label = row.get('label');
    if (item === '') throw new InputError(`--gold line ${row.line}: item is empty`);
    if (label === '') throw new InputError(`--gold line ${row.line}: label is empty`);
    const earlier = seen.get(item);
    if (earlier !== undefined)
      throw new InputError(
        `--gold line ${row.line}: item "${item}" already has a gold label (line ${earlier})`,
      );
    seen.set(item, row.line);
    pairs.push([item, label]);
  }
  const gold = encodeGold(answers, pairs);
  // A gold label no worker gave cannot be chosen: it counts as a miss.
  const itemIndex = new Map(answers.items.map((item, i) => [item, i]));
  let items = 0;
  let correct = 0;
  for (const [item, label] of pairs) {
    const i = itemIndex.get(item);
    if (i === undefined) continue;
    items++;
    const chosen = estimate.label[i]!;
    if (chosen >= 0 && answers.labels[chosen] === label) correct++;
  }
  return {
    items,
    correct,
    accuracy: items > 0 ? correct / items : NaN,
    unknownItems: gold.unknownItems,
  };
}

function formatLabels(estimate: TruthEstimate): string {
  const lines = ['item,label,confidence'];
  estimate.items.forEach((item, i) => {
    const k = estimate.label[i]!;
    if (k < 0) return;
    lines.push(
      `${csvField(item)},${csvField(estimate.labels[k]!)},${estimate.confidence[i]!.toFixed(6)}`,
    );
  });
  return `${lines.join('\n')}\n`;
}

function describe(options: AggregateOptions, summary: AggregateSummary): string {
  const { estimate } = summary;
  const lines = [
    `Aggregated ${summary.answers} answers on ${summary.items} items by ${summary.workers} ` +
      `workers with ${options.method}` +
      (estimate.iterations > 1
        ? ` (${estimate.iterations} iterations, ${estimate.converged ? 'converged' : 'not converged: raise --max-iterations'})`
        : '') +
      ` into ${options.output}`,
  ];
  const gold = summary.gold;
  if (gold) {
    lines.push(
      gold.items > 0
        ? `Accuracy on ${gold.items} gold items: ${gold.accuracy.toFixed(4)} (${gold.correct} correct)`
        : 'No gold item was among the answered items',
    );
    if (gold.unknownItems > 0)
      lines.push(`${gold.unknownItems} gold items had no answers and were not scored`);
  }
  return lines.join('\n');
}

export const aggregate: Command = {
  summary: 'Infer true labels from crowd answers (MV, Wawa, Dawid-Skene, GLAD, MACE)',
  run: (args) =>
    runResearchCommand('aggregate', HELP, async () => {
      const options = parseAggregateArguments(args);
      if (options === 'help') return 'help';
      return describe(options, await aggregateFile(options));
    }),
};
