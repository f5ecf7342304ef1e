import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  OutcomeTableBuilder,
  bootstrapBradleyTerry,
  rankByIntervals,
  seededRandom,
  toEloRatings,
  type Outcome,
} from '@quorum/quality';
import type { Command } from '../main';

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

/** A problem with the command line or the input file: the user can fix it (exit code 2). */
export class RankInputError extends Error {}

/** What `quorum rank` was asked to do. */
export interface RankOptions {
  input: string;
  output: string;
  bootstrap: number;
  seed: number;
}

function readFlags(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        input: { type: 'string' },
        output: { type: 'string' },
        bootstrap: { type: 'string', default: '1000' },
        seed: { type: 'string', default: '1' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    // Node names the offending flag in its first sentence; the rest is advice for other tools.
    const message = error instanceof Error ? error.message : String(error);
    const firstSentence = message.split(/\.(?:\s|$)/)[0]!;
    throw new RankInputError(`${firstSentence} (see "quorum rank --help")`);
  }
}

/** Reads the command line; `help` when --help was given. */
export function parseRankArguments(args: string[]): RankOptions | 'help' {
  const values = readFlags(args);
  if (values.help) return 'help';
  if (!values.input) throw new RankInputError('--input is required (the comparisons CSV)');
  if (!values.output) throw new RankInputError('--output is required (where to write the scores)');
  const bootstrap = wholeNumber(values.bootstrap, MAX_BOOTSTRAP);
  if (bootstrap === undefined)
    throw new RankInputError(
      `--bootstrap must be a whole number of rounds from 0 to ${MAX_BOOTSTRAP}, not "${values.bootstrap}"`,
    );
  const seed = wholeNumber(values.seed, 2 ** 32 - 1);
  if (seed === undefined)
    throw new RankInputError(
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

/** Reads comparisons, ranks every group and writes the scores file (or throws RankInputError). */
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
      if (!(error instanceof RankInputError)) throw error;
      console.error(`quorum rank: ${error.message}`);
      return 2;
    }
  },
};

const REQUIRED_COLUMNS = ['left', 'right', 'winner'] as const;

async function readComparisons(
  path: string,
): Promise<{ groups: Map<string, OutcomeTableBuilder>; comparisons: number }> {
  const groups = new Map<string, OutcomeTableBuilder>();
  let columns: Map<string, number> | undefined;
  let width = 0;
  let comparisons = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const { fields, line } of csvRecords(lines)) {
      if (fields.length === 1 && fields[0] === '') continue; // blank line
      if (!columns) {
        columns = readHeader(fields, line);
        width = fields.length;
        continue;
      }
      if (fields.length !== width)
        throw new RankInputError(`line ${line}: expected ${width} fields, found ${fields.length}`);
      const left = fields[columns.get('left')!]!;
      const right = fields[columns.get('right')!]!;
      const winner = fields[columns.get('winner')!]!;
      const groupColumn = columns.get('group');
      const group = groupColumn === undefined ? '' : fields[groupColumn]!;
      if (left === '') throw new RankInputError(`line ${line}: left is empty`);
      if (right === '') throw new RankInputError(`line ${line}: right is empty`);
      if (left === right)
        throw new RankInputError(`line ${line}: "${left}" is compared with itself`);
      let builder = groups.get(group);
      if (!builder) groups.set(group, (builder = new OutcomeTableBuilder()));
      builder.add(left, right, outcomeOf(winner, left, right, line));
      comparisons++;
    }
  } catch (error) {
    if (error instanceof RankInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RankInputError(`--input: no such file "${path}"`);
    if (code !== undefined) throw new RankInputError(`--input: cannot read "${path}" (${code})`);
    throw error;
  } finally {
    lines.close();
  }
  if (!columns)
    throw new RankInputError(`"${path}" is empty (expected a header: left,right,winner)`);
  if (comparisons === 0) throw new RankInputError(`"${path}" has a header but no comparisons`);
  return { groups, comparisons };
}

function readHeader(fields: string[], line: number): Map<string, number> {
  const columns = new Map<string, number>();
  fields.forEach((field, index) => {
    const name = field.trim().toLowerCase();
    if (columns.has(name)) throw new RankInputError(`line ${line}: column "${name}" appears twice`);
    columns.set(name, index);
  });
  const missing = REQUIRED_COLUMNS.filter((name) => !columns.has(name));
  if (missing.length > 0)
    throw new RankInputError(
      `line ${line}: the header lacks the column${missing.length > 1 ? 's' : ''} ` +
        `${missing.join(', ')} (found: ${fields.join(', ')})`,
    );
  return columns;
}

function outcomeOf(winner: string, left: string, right: string, line: number): Outcome {
  // An item may itself be called "tie": naming a side wins over the keyword.
  if (winner === left) return 'left';
  if (winner === right) return 'right';
  if (winner.toLowerCase() === 'tie') return 'tie';
  throw new RankInputError(
    `line ${line}: winner "${winner}" is neither left ("${left}"), right ("${right}") nor "tie"`,
  );
}

/**
 * CSV records (RFC 4180): commas between fields, double quotes around fields that hold commas,
 * quotes ("" inside) or line breaks. Unquoted fields are trimmed. `line` is where a record starts.
 */
async function* csvRecords(
  lines: AsyncIterable<string>,
): AsyncGenerator<{ fields: string[]; line: number }> {
  let lineNumber = 0;
  let start = 0;
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let wasQuoted = false;
  for await (const rawLine of lines) {
    lineNumber++;
    const text = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (inQuotes) field += '\n';
    else start = lineNumber;
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (inQuotes) {
        if (char !== '"') field += char;
        else if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else if (char === ',') {
        fields.push(wasQuoted ? field : field.trim());
        field = '';
        wasQuoted = false;
      } else if (char === '"' && !wasQuoted && field.trim() === '') {
        field = '';
        inQuotes = true;
        wasQuoted = true;
      } else if (wasQuoted) {
        if (char.trim() !== '')
          throw new RankInputError(`line ${lineNumber}: text after a closing quote`);
      } else field += char;
    }
    if (inQuotes) continue;
    fields.push(wasQuoted ? field : field.trim());
    yield { fields, line: start };
    fields = [];
    field = '';
    wasQuoted = false;
  }
  if (inQuotes) throw new RankInputError(`line ${start}: a quoted field is never closed`);
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

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim()
    ? `"${value.replace(/"/g, '""')}"`
    : value;
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

/** Writes a file beside the target and renames it into place, so readers never see half. */
async function writeWhole(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new RankInputError(`--output: cannot write "${path}" (${code})`);
    throw error;
  }
}
