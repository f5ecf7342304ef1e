/**
 * The scale part of `npm run bench -- aggregation`, run in its own process so its peak memory is
 * its own: 10 million synthetic answers (1M items × 10 answers, 10k workers of varied skill, some
 * biased towards one class, 5 classes) through Dawid-Skene. Prints one JSON line.
 */
import { dawidSkene, majorityVote, seededRandom, type AnswerSet } from '@quorum/quality';

const ITEMS = 1_000_000;
const WORKERS = 10_000;
const CLASSES = 5;
const PER_ITEM = 10;

function synthetic(): { answers: AnswerSet; truth: Int32Array } {
  const random = seededRandom(7);
  const n = ITEMS * PER_ITEM;
  const skill = Float64Array.from({ length: WORKERS }, () => 0.35 + 0.6 * random());
  // A fifth of the workers, when wrong, favour one class.
  const bias = Int32Array.from({ length: WORKERS }, () =>
    random() < 0.2 ? Math.floor(random() * CLASSES) : -1,
  );
  const truth = Int32Array.from({ length: ITEMS }, () => Math.floor(random() * CLASSES));
  const item = new Int32Array(n);
  const worker = new Int32Array(n);
  const label = new Int32Array(n);
  for (let i = 0, a = 0; i < ITEMS; i++) {
    for (let r = 0; r < PER_ITEM; r++, a++) {
      const w = Math.floor(random() * WORKERS);
      item[a] = i;
      worker[a] = w;
      let given = truth[i]!;
      if (random() >= skill[w]!) {
        given = bias[w]! >= 0 && random() < 0.7 ? bias[w]! : Math.floor(random() * CLASSES);
      }
      label[a] = given;
    }
  }
  return {
    answers: {
      items: Array.from({ length: ITEMS }, (_, i) => `item-${i}`),
      workers: Array.from({ length: WORKERS }, (_, w) => `worker-${w}`),
      labels: Array.from({ length: CLASSES }, (_, k) => `class-${k}`),
      item,
      worker,
      label,
    },
    truth,
  };
}

const { answers, truth } = synthetic();
let start = performance.now();
majorityVote(answers);
const mvSeconds = (performance.now() - start) / 1000;
start = performance.now();
const estimate = dawidSkene(answers);
const seconds = (performance.now() - start) / 1000;
let right = 0;
for (let i = 0; i < ITEMS; i++) if (estimate.label[i] === truth[i]) right++;
console.log(
  JSON.stringify({
    answers: answers.item.length,
    seconds,
    iterations: estimate.iterations,
    converged: estimate.converged,
    accuracy: right / ITEMS,
    peakMiB: process.resourceUsage().maxRSS / 1024,
    mvSeconds,
  }),
);
