/**
 * `npm run bench -- leaderboard`: 1M comparisons among 100 models.
 *
 * Reference: one pass that tallies the comparisons into their distinct (a, b, outcome) cells,
 * the least any method must do with its input. Then the Bradley-Terry fit (target < 2 s), 1,000
 * bootstrap rounds (target < 60 s; each round resamples the unique-outcome counts), and the
 * whole `quorum leaderboard` command on the same battles as a 1M-line JSONL file. Then style
 * control on the same battles, each side given a response style drawn apart from the outcome:
 * the fit and 100 bootstrap rounds (continuous covariates leave no cells to tally, so every
 * round is Newton passes over all the battles), beside the plain fit and bootstrap measured
 * above. Memory printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  OutcomeTableBuilder,
  STYLE_COVARIATES,
  StyledComparisonBuilder,
  bootstrapBradleyTerry,
  bootstrapStyleControl,
  fitBradleyTerry,
  leaderboard,
  seededRandom,
  type Outcome,
} from '@quorum/quality';
import { leaderboardFile } from '../packages/cli/src/commands/leaderboard';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

export async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      comparisons: { type: 'string', default: '1000000' },
      models: { type: 'string', default: '100' },
      rounds: { type: 'string', default: '1000' },
      'style-rounds': { type: 'string', default: '100' },
    },
  });
  const total = Number(values.comparisons);
  const modelCount = Number(values.models);
  const rounds = Number(values.rounds);
  const styleRounds = Number(values['style-rounds']);

  // Battles from known strengths: log-strengths spread like a real arena's, 10% ties.
  const random = seededRandom(42);
  const names = Array.from({ length: modelCount }, (_, i) => `model-${String(i).padStart(3, '0')}`);
  const truth = names.map(() => (random() - 0.5) * 4);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const outcome = new Uint8Array(total);
  for (let i = 0; i < total; i++) {
    const a = Math.floor(random() * modelCount);
    let b = Math.floor(random() * (modelCount - 1));
    if (b >= a) b++;
    left[i] = a;
    right[i] = b;
    const draw = random();
    const p = 1 / (1 + Math.exp(truth[b]! - truth[a]!));
    outcome[i] = draw < 0.1 ? 2 : random() < p ? 0 : 1;
  }
  const OUTCOMES: Outcome[] = ['left', 'right', 'tie'];

  let peakRss = process.memoryUsage().rss;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };

  const tally = timed(() => {
    const builder = new OutcomeTableBuilder();
    for (let i = 0; i < total; i++)
      builder.add(names[left[i]!]!, names[right[i]!]!, OUTCOMES[outcome[i]!]!);
    return builder.build();
  });
  sample();
  const table = tally.value;
  const fit = timed(() => fitBradleyTerry(table));
  sample();
  const boot = timed(() => bootstrapBradleyTerry(table, { rounds, random: seededRandom(1) }));
  sample();
  const board = leaderboard(table, { bootstrap: 0, seed: 1 });
  const top = table.items.indexOf(board[0]!.model);
  const topHalfWidth = ((boot.value.upper[top]! - boot.value.lower[top]!) / 2) * (400 / Math.LN10);
  // How well the fit recovers the truth: the rank correlation of fitted and true strengths.
  const fitted = fit.value.logStrengths;
  const order = (values: ArrayLike<number>) => {
    const idx = Array.from({ length: values.length }, (_, i) => i).sort(
      (a, b) => values[a]! - values[b]!,
    );
    const ranks = new Float64Array(values.length);
    idx.forEach((item, rank) => (ranks[item] = rank));
    return ranks;
  };
  const trueByTable = table.items.map((item) => truth[names.indexOf(item)]!);
  const r1 = order(fitted);
  const r2 = order(trueByTable);
  const n = r1.length;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += (r1[i]! - r2[i]!) ** 2;
  const spearman = 1 - (6 * d2) / (n * (n * n - 1));
  const widths = Array.from(boot.value.upper, (u, i) => u - boot.value.lower[i]!);
  const meanWidth = (widths.reduce((s, w) => s + w, 0) / widths.length) * (400 / Math.LN10);

  // Style control on the same battles. Each model has its own habits (typical length, markdown);
  // each response varies around them. Styles are drawn apart from the outcomes, so every
  // coefficient's interval should cover 0 and the ratings barely move.
  const styleRandom = seededRandom(7);
  const habits = names.map(() => ({
    length: 100 + styleRandom() * 700,
    headers: styleRandom() * 3,
    lists: styleRandom() * 8,
    bold: styleRandom() * 5,
  }));
  const draw = (model: number) => {
    const habit = habits[model]!;
    const around = (mean: number) => Math.floor(mean * 2 * styleRandom());
    return {
      length: Math.round(habit.length * (0.5 + styleRandom())),
      headers: around(habit.headers),
      lists: around(habit.lists),
      bold: around(habit.bold),
    };
  };
  const styledBuild = timed(() => {
    const builder = new StyledComparisonBuilder();
    for (let i = 0; i < total; i++)
      builder.add(
        names[left[i]!]!,
        names[right[i]!]!,
        OUTCOMES[outcome[i]!]!,
        draw(left[i]!),
        draw(right[i]!),
      );
    return builder.build();
  });
  sample();
  const styled = styledBuild.value;
  const styleFit = timed(() =>
    bootstrapStyleControl(styled, { rounds: 0, random: seededRandom(1) }),
  );
  sample();
  const styleBoot = timed(() =>
    bootstrapStyleControl(styled, { rounds: styleRounds, random: seededRandom(1) }),
  );
  sample();
  const points = 400 / Math.LN10;
  let largestShift = 0;
  styleFit.value.logStrengths.forEach((t, i) => {
    largestShift = Math.max(largestShift, Math.abs(t - fitted[i]!) * points);
  });

  // The command on a file of the same battles.
  const directory = mkdtempSync(join(tmpdir(), 'quorum-bench-board-'));
  const input = join(directory, 'battles.jsonl');
  const winners = ['model_a', 'model_b', 'tie'];
  const lines: string[] = [];
  for (let i = 0; i < total; i++)
    lines.push(
      `{"model_a":"${names[left[i]!]}","model_b":"${names[right[i]!]}","winner":"${winners[outcome[i]!]}"}`,
    );
  writeFileSync(input, `${lines.join('\n')}\n`);
  lines.length = 0;
  const commandStart = performance.now();
  await leaderboardFile({
    input,
    output: join(directory, 'board.json'),
    bootstrap: rounds,
    seed: 1,
    category: undefined,
    skipBadLines: false,
  });
  const commandMs = performance.now() - commandStart;
  sample();
  rmSync(directory, { recursive: true, force: true });

  console.log(
    `Leaderboard benchmark: ${total.toLocaleString()} comparisons among ${modelCount} models, ${table.count.length.toLocaleString()} distinct outcome cells\n`,
  );
  console.log(`  tally (reference)          ${seconds(tally.ms)}`);
  console.log(
    `  Bradley-Terry fit          ${seconds(fit.ms)}  (${(fit.ms / tally.ms).toFixed(2)}× the tally; target < 2 s)`,
  );
  console.log(
    `  ${rounds} bootstrap rounds     ${seconds(boot.ms)}  (${(boot.ms / tally.ms).toFixed(1)}× the tally, ${(boot.ms / rounds).toFixed(1)} ms a round; target < 60 s)`,
  );
  console.log(
    `  quorum leaderboard, JSONL  ${seconds(commandMs)}  (read 1M lines, tally, fit, ${rounds} rounds, write)`,
  );
  console.log(
    `  recovery: Spearman ρ of fitted vs true strengths ${spearman.toFixed(4)}; mean 95% interval width ${meanWidth.toFixed(1)} points`,
  );
  console.log(
    `  top model ${board[0]!.model} at ${board[0]!.rating.toFixed(1)} (95% interval ±${topHalfWidth.toFixed(1)} points)`,
  );
  console.log(`\n  style control (length, headers, lists, bold; the same battles)`);
  console.log(`    collect styles             ${seconds(styledBuild.ms)}`);
  console.log(
    `    style-controlled fit       ${seconds(styleFit.ms)}  (${(styleFit.ms / fit.ms).toFixed(1)}× the plain fit)`,
  );
  const plainRound = boot.ms / Math.max(1, rounds);
  const styleRound = styleBoot.ms / Math.max(1, styleRounds);
  console.log(
    `    ${styleRounds} bootstrap rounds      ${seconds(styleBoot.ms)}  (${styleRound.toFixed(0)} ms a round, ${(styleRound / plainRound).toFixed(1)}× a plain round)`,
  );
  console.log(
    `    coefficients (Elo points per sd, 95%): ${STYLE_COVARIATES.map(
      (name, k) =>
        `${name} ${(styleBoot.value.coefficients[k]! * points).toFixed(1)} [${(styleBoot.value.coefficientLower[k]! * points).toFixed(1)}, ${(styleBoot.value.coefficientUpper[k]! * points).toFixed(1)}]`,
    ).join(', ')}`,
  );
  console.log(
    `    largest rating change from the plain fit ${largestShift.toFixed(1)} points (styles independent of outcomes)`,
  );
  console.log(`  memory: peak RSS ${mb(peakRss)}, heap now ${mb(process.memoryUsage().heapUsed)}`);
}
