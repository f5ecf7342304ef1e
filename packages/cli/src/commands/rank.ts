import {
  OutcomeTableBuilder,
  bootstrapBradleyTerry,
  rankByIntervals,
  seededRandom,
  toEloRatings,
  type Outcome,
} from '@quorum/quality';
import type { Command } from '../main';
import { InputError, csvField, readCsv, readFlags, writeWhole } from '../csv';

const HELP = `Usage:
  quorum rank --input comparisons.csv --output scores.csv [--bootstrap N] [--seed S]

Ranks items from pairwise comparisons with a Bradley-Terry model.

Input: a CSV file whose header names the columns left, right and winner, and optionally group
(other columns are ignored; fields may be quoted). winner is the preferred item, equal to left or
right, or the word "tie" (half a win each way). Each group is ranked on its own.

Output: a CSV file with the columns group,item,score,lower,upper,rank. score is on the Elo-like
scale (400 points = 10:1 odds; the mean item of a group scores 1000); lower and upper bound its
bootstrap 95% interval (equal to score with --bootstrap 0); rank is 1 + the number of items whose
lower bound is above this item's upper bound, so items that cannot be told apart share a rank.

Options:
  --input FILE      the comparisons
  --output FILE     where to write the scores (written whole or not at all)
  --bootstrap N     bootstrap rounds, a whole number (default 1000; 0 skips the intervals)
  --seed S          seed of the resampling, a whole number below 2^32 (default 1)`;

// Rounds × items doubles are held at once; this keeps a run within memory.
const MAX_BOOTSTRAP = 100_000;

/** What `quorum rank` was asked to do. */
export interface RankOptions {
  input: string;
  output: string;
  bootstrap: number;
  seed: number;
}

/** Reads the command line; `help` when --help was given. */
export function parseRankArguments(args: string[]): RankOptions | 'help' {
  const values = readFlags(
    args,
    {
      input: { type: 'string' },
      output: { type: 'string' },
      bootstrap: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
    'rank',
  );
  if (values.help) return 'help';
  if (!values.input) throw new InputError('--input is required (the comparisons CSV)');
  if (!values.output) throw new InputError('--output is required (where to write the scores)');
  const bootstrap = wholeNumber(values.bootstrap, MAX_BOOTSTRAP);
  if (bootstrap === undefined)
    throw new InputError(
      `--bootstrap must be a whole number of rounds from 0 to ${MAX_BOOTSTRAP}, not "${values.bootstrap}"`,
    );
  const seed = wholeNumber(values.seed, 2 ** 32 - 1);
  if (seed === undefined)
    throw new InputError(
      `--seed must be a whole number from 0 to 4294967295, not "${values.seed}"`,
    );
  return { input: values.input, output: values.output, bootstrap, seed };
}

function wholeNumber(text: string, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

/** One output row. */
export interface ItemScore {
  group: string;
  item: string;
  score: number;
  lower: number;
  upper: number;
  rank: number;
}

/** What a run read and wrote. */
export interface RankSummary {
  comparisons: number;
  groups: number;
  items: number;
}

/** Reads comparisons, ranks every group and writes the scores file (or throws InputError). */
export async function rankComparisonsFile(options: RankOptions): Promise<RankSummary> {
  const { groups, comparisons } = await readComparisons(options.input);
  const rows = scoreGroups(groups, options);
  await writeWhole(options.output, formatScores(rows));
  return { comparisons, groups: groups.size, items: rows.length };
}

export const rank: Command = {
  summary: 'Rank items from pairwise comparisons (Bradley-Terry, Elo-like scores)',
  async run(args) {
    try {
      const options = parseRankArguments(args);
      if (options === 'help') {
        console.log(HELP);
        return 0;
      }
      const summary = await rankComparisonsFile(options);
      console.log(
        `Ranked ${summary.items} items in ${summary.groups} group${summary.groups === 1 ? '' : 's'} ` +
          `from ${summary.comparisons} comparisons into ${options.output}`,
      );
      return 0;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      console.error(`quorum rank: ${error.message}`);
      return 2;
    }
  },
};

async function readComparisons(
  path: string,
): Promise<{ groups: Map<string, OutcomeTableBuilder>; comparisons: number }> {
  const groups = new Map<string, OutcomeTableBuilder>();
  let comparisons = 0;
  const rows = readCsv(path, { flag: '--input', required: ['left', 'right', 'winner'] });
  for await (const row of rows) {
    const { line } = row;
    const left = row.get('left');
    const right = row.get('right');
    const winner = row.get('winner');
    const group = row.optional('group') ?? '';
    if (left === '') throw new InputError(`line ${line}: left is empty`);
    if (right === '') throw new InputError(`line ${line}: right is empty`);
    if (left === right) throw new InputError(`line ${line}: "${left}" is compared with itself`);
    let builder = groups.get(group);
    if (!builder) groups.set(group, (builder = new OutcomeTableBuilder()));
    builder.add(left, right, outcomeOf(winner, left, right, line));
    comparisons++;
  }
  if (comparisons === 0) throw new InputError(`"${path}" has a header but no comparisons`);
  return { groups, comparisons };
}

function outcomeOf(winner: string, left: string, right: string, line: number): Outcome {
  // An item may itself be called "tie": naming a side wins over the keyword.
  if (winner === left) return 'left';
  if (winner === right) return 'right';
  if (winner.toLowerCase() === 'tie') return 'tie';
  throw new InputError(
    `line ${line}: winner "${winner}" is neither left ("${left}"), right ("${right}") nor "tie"`,
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function scoreGroups(groups: Map<string, OutcomeTableBuilder>, options: RankOptions): ItemScore[] {
  const rows: ItemScore[] = [];
  for (const group of [...groups.keys()].sort(compareText)) {
    const table = groups.get(group)!.build();
    // Each group gets its own generator from the seed, so a group's scores do not depend on
    // which other groups share the file.
    const intervals = bootstrapBradleyTerry(table, {
      rounds: options.bootstrap,
      random: seededRandom(options.seed),
    });
    const score = toEloRatings(intervals.logStrengths);
    const lower = toEloRatings(intervals.lower);
    const upper = toEloRatings(intervals.upper);
    const ranks = rankByIntervals(lower, upper);
    const groupRows = table.items.map((item, i) => ({
      group,
      item,
      score: score[i]!,
      lower: lower[i]!,
      upper: upper[i]!,
      rank: ranks[i]!,
    }));
    groupRows.sort((a, b) => a.rank - b.rank || b.score - a.score || compareText(a.item, b.item));
    rows.push(...groupRows);
  }
  return rows;
}

function formatScores(rows: readonly ItemScore[]): string {
  const lines = ['group,item,score,lower,upper,rank'];
  for (const row of rows) {
    lines.push(
      [
        csvField(row.group),
        csvField(row.item),
        row.score.toFixed(2),
        row.lower.toFixed(2),
        row.upper.toFixed(2),
        String(row.rank),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
