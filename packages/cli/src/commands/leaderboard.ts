import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  OutcomeTableBuilder,
  leaderboard as buildLeaderboard,
  type Outcome,
} from '@quorum/quality';
import type { Command } from '../main';
import { InputError, readFlags, writeWhole } from '../csv';

const HELP = `Usage:
  quorum leaderboard --input battles.jsonl [--bootstrap N] [--seed S] [--output board.json]
                     [--category NAME] [--skip-bad-lines]

Ranks models from Chatbot-Arena-style battle records with a Bradley-Terry model.

Input: one JSON object per line with model_a, model_b and winner ("model_a", "model_b", "tie" or
"tie (bothbad)"); other fields are ignored, except category with --category. A tie counts as half
a win each way.

Output: a JSON array, best first, of {model, rating, lower, upper, rank, battles}. rating is on the
400-point Elo scale (400 points = 10:1 odds; the geometric-mean model rates 1000); lower and upper
bound its bootstrap 95% interval; rank is 1 + the number of models whose lower bound is above this
model's upper bound, so models that cannot be told apart share a rank. Written whole to --output,
or to standard output.

Options:
  --input FILE        the battles (JSON lines)
  --output FILE       where to write the leaderboard (default: standard output)
  --bootstrap N       bootstrap rounds, a whole number (default 1000; 0 skips the intervals)
  --seed S            seed of the resampling (default 1)
  --category NAME     only the battles whose category is NAME
  --skip-bad-lines    skip malformed lines (each is reported) instead of stopping at the first`;

const MAX_BOOTSTRAP = 100_000;
const WINNERS: Record<string, Outcome> = {
  model_a: 'left',
  model_b: 'right',
  tie: 'tie',
  'tie (bothbad)': 'tie',
};

export interface LeaderboardOptions {
  input: string;
  output: string | undefined;
  bootstrap: number;
  seed: number;
  category: string | undefined;
  skipBadLines: boolean;
}

export function parseLeaderboardArguments(args: string[]): LeaderboardOptions | 'help' {
  const values = readFlags(
    args,
    {
      input: { type: 'string' },
      output: { type: 'string' },
      bootstrap: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      category: { type: 'string' },
      'skip-bad-lines': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    'leaderboard',
  );
  if (values.help) return 'help';
  if (!values.input) throw new InputError('--input is required (the battles, JSON lines)');
  const bootstrap = /^\d+$/.test(values.bootstrap) ? Number(values.bootstrap) : NaN;
  if (!(bootstrap <= MAX_BOOTSTRAP))
    throw new InputError(
      `--bootstrap must be a whole number of rounds from 0 to ${MAX_BOOTSTRAP}, not "${values.bootstrap}"`,
    );
  const seed = /^\d+$/.test(values.seed) ? Number(values.seed) : NaN;
  if (!(seed < 2 ** 32))
    throw new InputError(
      `--seed must be a whole number from 0 to 4294967295, not "${values.seed}"`,
    );
  return {
    input: values.input,
    output: values.output,
    bootstrap,
    seed,
    category: values.category,
    skipBadLines: values['skip-bad-lines'],
  };
}

/** One battle from a line, or the reason the line is refused. */
export function parseBattle(
  line: string,
): { left: string; right: string; outcome: Outcome; category: unknown } | string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) return 'not a JSON object';
  const { model_a, model_b, winner, category } = record as Record<string, unknown>;
  if (typeof model_a !== 'string' || model_a === '') return 'model_a must be a non-empty string';
  if (typeof model_b !== 'string' || model_b === '') return 'model_b must be a non-empty string';
  if (model_a === model_b) return `"${model_a}" is compared with itself`;
  const outcome = typeof winner === 'string' ? WINNERS[winner] : undefined;
  if (!outcome)
    return `winner must be "model_a", "model_b", "tie" or "tie (bothbad)", not ${JSON.stringify(winner)}`;
  return { left: model_a, right: model_b, outcome, category };
}

export interface LeaderboardSummary {
  battles: number;
  models: number;
  skipped: number;
}

/** Reads the battles, fits and writes the board; throws InputError naming the line. */
export async function leaderboardFile(
  options: LeaderboardOptions,
  report: (message: string) => void = (message) => console.error(message),
): Promise<{ summary: LeaderboardSummary; json: string }> {
  const builder = new OutcomeTableBuilder();
  let battles = 0;
  let skipped = 0;
  let number = 0;
  const stream = createReadStream(options.input);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new InputError(`--input: cannot read "${options.input}" (${error.code ?? error.message})`),
      ),
    );
  });
  await opened;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    number++;
    if (line.trim() === '') continue;
    const battle = parseBattle(line);
    if (typeof battle === 'string') {
      if (!options.skipBadLines)
        throw new InputError(`line ${number}: ${battle} (use --skip-bad-lines to skip such lines)`);
      report(`line ${number} skipped: ${battle}`);
      skipped++;
      continue;
    }
    if (options.category !== undefined && battle.category !== options.category) continue;
    builder.add(battle.left, battle.right, battle.outcome);
    battles++;
  }
  if (battles === 0)
    throw new InputError(
      `"${options.input}" has no battles${options.category !== undefined ? ` in category "${options.category}"` : ''}`,
    );
  const table = builder.build();
  const rows = buildLeaderboard(table, { bootstrap: options.bootstrap, seed: options.seed });
  const round = (value: number) => Math.round(value * 100) / 100;
  const json = `${JSON.stringify(
    rows.map((row) => ({
      model: row.model,
      rating: round(row.rating),
      lower: round(row.lower),
      upper: round(row.upper),
      rank: row.rank,
      battles: row.battles,
    })),
    null,
    2,
  )}\n`;
  if (options.output) await writeWhole(options.output, json);
  return { summary: { battles, models: table.items.length, skipped }, json };
}

export const leaderboard: Command = {
  summary: 'Leaderboard from battle records (Bradley-Terry with bootstrap intervals, Elo scale)',
  async run(args) {
    try {
      const options = parseLeaderboardArguments(args);
      if (options === 'help') {
        console.log(HELP);
        return 0;
      }
      const { summary, json } = await leaderboardFile(options);
      if (options.output)
        console.error(
          `Ranked ${summary.models} models from ${summary.battles} battles into ${options.output}` +
            (summary.skipped ? ` (${summary.skipped} bad lines skipped)` : ''),
        );
      else process.stdout.write(json);
      return 0;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      console.error(`quorum leaderboard: ${error.message}`);
      return 2;
    }
  },
};
