import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  OutcomeTableBuilder,
  StyledComparisonBuilder,
  leaderboard as buildLeaderboard,
  styleControlledLeaderboard,
  type LeaderboardRow,
  type Outcome,
  type ResponseStyle,
  type StyleCoefficientRow,
} from '@quorum/quality';
import type { Command } from '../main';
import { InputError, readFlags, writeWhole } from '../csv';

const HELP = `Usage:
  quorum leaderboard --input battles.jsonl [--bootstrap N] [--seed S] [--output board.json]
                     [--category NAME] [--skip-bad-lines]
                     [--style-control [--coefficients coefficients.json]]

Ranks models from Chatbot-Arena-style battle records with a Bradley-Terry model.

Input: one JSON object per line with model_a, model_b and winner ("model_a", "model_b", "tie" or
"tie (bothbad)"); other fields are ignored, except category with --category. A tie counts as half
a win each way.

Output: a JSON array, best first, of {model, rating, lower, upper, rank, battles}. rating is on the
400-point Elo scale (400 points = 10:1 odds; the geometric-mean model rates 1000); lower and upper
bound its bootstrap 95% interval; rank is 1 + the number of models whose lower bound is above this
model's upper bound, so models that cannot be told apart share a rank. Written whole to --output,
or to standard output.

Style control (--style-control), as Chatbot Arena does it: the ratings hold the two responses'
length and markdown equal. Each record then needs Arena's conv_metadata: sum_assistant_a_tokens,
sum_assistant_b_tokens, header_count_a/_b ({h1..h6}), list_count_a/_b ({ordered, unordered}) and
bold_count_a/_b ({"**", "__"}); the values of each object are summed. The board keeps its form;
what each covariate is worth (Elo points per standard deviation of its (a - b)/(a + b), with a 95%
interval) is printed to standard error, and written as JSON to --coefficients when given.

Options:
  --input FILE        the battles (JSON lines)
  --output FILE       where to write the leaderboard (default: standard output)
  --bootstrap N       bootstrap rounds, a whole number (default 1000; 0 skips the intervals)
  --seed S            seed of the resampling (default 1)
  --category NAME     only the battles whose category is NAME
  --skip-bad-lines    skip malformed lines (each is reported) instead of stopping at the first
  --style-control     hold response length, headers, list items and bold equal
  --coefficients FILE where to write the style coefficients (with --style-control)`;

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
  /** Fit with style control; absent means false. */
  styleControl?: boolean;
  /** Where to write the style coefficients (with styleControl). */
  coefficients?: string | undefined;
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
      'style-control': { type: 'boolean', default: false },
      coefficients: { type: 'string' },
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
  if (values.coefficients !== undefined && !values['style-control'])
    throw new InputError('--coefficients needs --style-control (it is where its coefficients go)');
  return {
    input: values.input,
    output: values.output,
    bootstrap,
    seed,
    category: values.category,
    skipBadLines: values['skip-bad-lines'],
    styleControl: values['style-control'],
    coefficients: values.coefficients,
  };
}

/** A battle read from a line; with style control, the style of each side's response. */
export interface ParsedBattle {
  left: string;
  right: string;
  outcome: Outcome;
  category: unknown;
  styles?: [ResponseStyle, ResponseStyle];
}

/** One battle from a line, or the reason the line is refused. */
export function parseBattle(line: string, styleControl = false): ParsedBattle | string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) return 'not a JSON object';
  const { model_a, model_b, winner, category, conv_metadata } = record as Record<string, unknown>;
  if (typeof model_a !== 'string' || model_a === '') return 'model_a must be a non-empty string';
  if (typeof model_b !== 'string' || model_b === '') return 'model_b must be a non-empty string';
  if (model_a === model_b) return `"${model_a}" is compared with itself`;
  const outcome = typeof winner === 'string' ? WINNERS[winner] : undefined;
  if (!outcome)
    return `winner must be "model_a", "model_b", "tie" or "tie (bothbad)", not ${JSON.stringify(winner)}`;
  const battle = { left: model_a, right: model_b, outcome, category };
  if (!styleControl) return battle;
  if (!conv_metadata || typeof conv_metadata !== 'object' || Array.isArray(conv_metadata))
    return 'conv_metadata is missing (--style-control needs each response’s tokens and markdown counts)';
  const a = styleOf(conv_metadata as Record<string, unknown>, 'a');
  if (typeof a === 'string') return a;
  const b = styleOf(conv_metadata as Record<string, unknown>, 'b');
  if (typeof b === 'string') return b;
  return { ...battle, styles: [a, b] };
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** A count, or the sum of an object of counts ({h1: 2, h2: 0, …}); undefined if neither. */
function countOf(value: unknown): number | undefined {
  if (isCount(value)) return value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  let sum = 0;
  for (const part of Object.values(value)) {
    if (!isCount(part)) return undefined;
    sum += part;
  }
  return sum;
}

/** One side's style from Arena's conv_metadata, or the reason it cannot be read. */
function styleOf(metadata: Record<string, unknown>, side: 'a' | 'b'): ResponseStyle | string {
  const tokens = `sum_assistant_${side}_tokens`;
  const length = metadata[tokens];
  if (!isCount(length)) return `conv_metadata.${tokens} must be a number >= 0`;
  const counts: Array<[keyof ResponseStyle, string, string]> = [
    ['headers', `header_count_${side}`, '{"h1": …, "h6": …}'],
    ['lists', `list_count_${side}`, '{"ordered": …, "unordered": …}'],
    ['bold', `bold_count_${side}`, '{"**": …, "__": …}'],
  ];
  const style: ResponseStyle = { length, headers: 0, lists: 0, bold: 0 };
  for (const [covariate, field, shape] of counts) {
    const count = countOf(metadata[field]);
    if (count === undefined) return `conv_metadata.${field} must be an object of counts ${shape}`;
    style[covariate] = count;
  }
  return style;
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
): Promise<{
  summary: LeaderboardSummary;
  json: string;
  /** With style control: what each style covariate is worth. */
  coefficients?: StyleCoefficientRow[];
}> {
  const styleControl = options.styleControl ?? false;
  const plain = new OutcomeTableBuilder();
  const styled = new StyledComparisonBuilder();
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
    const battle = parseBattle(line, styleControl);
    if (typeof battle === 'string') {
      if (!options.skipBadLines)
        throw new InputError(`line ${number}: ${battle} (use --skip-bad-lines to skip such lines)`);
      report(`line ${number} skipped: ${battle}`);
      skipped++;
      continue;
    }
    if (options.category !== undefined && battle.category !== options.category) continue;
    if (battle.styles)
      styled.add(battle.left, battle.right, battle.outcome, battle.styles[0], battle.styles[1]);
    else plain.add(battle.left, battle.right, battle.outcome);
    battles++;
  }
  if (battles === 0)
    throw new InputError(
      `"${options.input}" has no battles${options.category !== undefined ? ` in category "${options.category}"` : ''}`,
    );
  const fit = { bootstrap: options.bootstrap, seed: options.seed };
  let rows: LeaderboardRow[];
  let models: number;
  let coefficients: StyleCoefficientRow[] | undefined;
  if (styleControl) {
    const comparisons = styled.build();
    ({ rows, coefficients } = styleControlledLeaderboard(comparisons, fit));
    models = comparisons.items.length;
  } else {
    const table = plain.build();
    rows = buildLeaderboard(table, fit);
    models = table.items.length;
  }
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
  const coefficientsJson =
    coefficients &&
    `${JSON.stringify(
      coefficients.map((c) => ({
        covariate: c.covariate,
        points: round(c.points),
        lower: round(c.lower),
        upper: round(c.upper),
        logOdds: Math.round(c.logOdds * 1e6) / 1e6,
        sd: Math.round(c.sd * 1e6) / 1e6,
      })),
      null,
      2,
    )}\n`;
  if (options.output) await writeWhole(options.output, json);
  if (options.coefficients && coefficientsJson)
    await writeWhole(options.coefficients, coefficientsJson, '--coefficients');
  return {
    summary: { battles, models, skipped },
    json,
    ...(coefficients ? { coefficients } : {}),
  };
}

/** The style coefficients as lines for standard error. */
export function describeCoefficients(coefficients: StyleCoefficientRow[]): string {
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
  return [
    'Style control: Elo points per standard deviation of (a - b)/(a + b), 95% interval',
    ...coefficients.map(
      (c) =>
        `  ${c.covariate.padEnd(8)} ${signed(c.points).padStart(7)}  [${signed(c.lower)}, ${signed(c.upper)}]  sd ${c.sd.toFixed(3)}`,
    ),
  ].join('\n');
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
      const { summary, json, coefficients } = await leaderboardFile(options);
      if (options.output)
        console.error(
          `Ranked ${summary.models} models from ${summary.battles} battles into ${options.output}` +
            (summary.skipped ? ` (${summary.skipped} bad lines skipped)` : ''),
        );
      else process.stdout.write(json);
      if (coefficients) console.error(describeCoefficients(coefficients));
      return 0;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      console.error(`quorum leaderboard: ${error.message}`);
      return 2;
    }
  },
};
