import { transcriptWords, type WordErrorOptions } from '../gold/word-error-rate';

/** One annotator's transcript of one recording or image. */
export interface Transcript {
  annotator: string;
  text: string;
}

/** Levenshtein distance between two sequences of ids (linear memory). */
function editDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let previous = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** The characters (code points) of a text after the same normalisation as transcriptWords. */
function characters(text: string, options: WordErrorOptions): number[] {
  // Words re-joined by single spaces: runs of whitespace count as one character.
  return Array.from(transcriptWords(text, options).join(' '), (c) => c.codePointAt(0)!);
}

/**
 * Character error rate: the character-level Levenshtein distance over the reference length, after
 * the normalisation of wordErrorRate (NFC, optional case and punctuation folding, whitespace runs
 * as one space). 0 for two empty texts, Infinity for characters against an empty reference.
 */
export function characterErrorRate(
  hypothesis: string,
  reference: string,
  options: WordErrorOptions = {},
): number {
  const ref = characters(reference, options);
  const hyp = characters(hypothesis, options);
  const errors = editDistance(hyp, ref);
  return ref.length > 0 ? errors / ref.length : errors > 0 ? Infinity : 0;
}

function encodeWords(texts: readonly string[], options: WordErrorOptions): Int32Array[] {
  const ids = new Map<string, number>();
  return texts.map((text) =>
    Int32Array.from(transcriptWords(text, options), (word) => {
      let id = ids.get(word);
      if (id === undefined) ids.set(word, (id = ids.size));
      return id;
    }),
  );
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The medoid transcript: the one with the smallest summed word edit distance to the others. Ties
 * go to the smaller summed character edit distance, then to the text first in code-point order,
 * then to the annotator id first in that order, so input order never matters. -1 for no input.
 */
export function medoidTranscript(
  transcripts: readonly Transcript[],
  options: WordErrorOptions = {},
): number {
  if (transcripts.length === 0) return -1;
  const words = encodeWords(
    transcripts.map((t) => t.text),
    options,
  );
  const chars = transcripts.map((t) => characters(t.text, options));
  const wordTotals = words.map((w, i) =>
    words.reduce((sum, other, j) => (i === j ? sum : sum + editDistance(w, other)), 0),
  );
  const charTotals = chars.map((c, i) =>
    chars.reduce((sum, other, j) => (i === j ? sum : sum + editDistance(c, other)), 0),
  );
  let best = 0;
  for (let i = 1; i < transcripts.length; i++) {
    const order =
      wordTotals[i]! - wordTotals[best]! ||
      charTotals[i]! - charTotals[best]! ||
      compareText(transcripts[i]!.text, transcripts[best]!.text) ||
      compareText(transcripts[i]!.annotator, transcripts[best]!.annotator);
    if (order < 0) best = i;
  }
  return best;
}

/** A word of a ROVER consensus with the weighted share of annotators who gave it there. */
export interface RoverWord {
  word: string;
  confidence: number;
}

export interface RoverResult {
  text: string;
  words: RoverWord[];
  /** The transcript used as the backbone of the alignment (see medoidTranscript). */
  backbone: number;
}

export interface RoverOptions extends WordErrorOptions {
  /** Weight of each annotator, >= 0 (default 1 each). */
  reliability?: ReadonlyMap<string, number>;
}

/** A slot of the word transition network: weight per word, '' standing for "no word". */
type Slot = Map<string, number>;
const NONE = '';

/**
 * ROVER-style transcription consensus (Fiscus, 1997): the medoid transcript is the backbone of a
 * word transition network; every other transcript (nearest first, then by text, so input order
 * does not matter) is aligned to it word by word with edit-distance alignment, a word matching a
 * slot when the slot already holds it, and words the network lacks open new slots. Each slot then
 * votes, weighted by reliability; a slot whose winner is "no word" is dropped. Ties go to the
 * backbone's choice, then to the word first in code-point order. Words come out as normalised by
 * `options` (case and punctuation folding apply to the output too).
 */
export function roverTranscript(
  transcripts: readonly Transcript[],
  options: RoverOptions = {},
): RoverResult {
  const backbone = medoidTranscript(transcripts, options);
  if (backbone < 0) return { text: '', words: [], backbone };
  const weightOf = (annotator: string) => {
    const weight = options.reliability?.get(annotator) ?? 1;
    if (!(weight >= 0)) throw new RangeError(`reliability of "${annotator}" must be >= 0`);
    return weight;
  };
  const wordsOf = transcripts.map((t) => transcriptWords(t.text, options));
  const backboneWords = wordsOf[backbone]!;
  const slots: Slot[] = backboneWords.map(
    (word) => new Map([[word, weightOf(transcripts[backbone]!.annotator)]]),
  );
  const backboneChoice = [...backboneWords];
  let weightSoFar = weightOf(transcripts[backbone]!.annotator);

  const encoded = encodeWords(
    transcripts.map((t) => t.text),
    options,
  );
  const rest = transcripts
    .map((t, i) => ({ t, i, distance: editDistance(encoded[i]!, encoded[backbone]!) }))
    .filter(({ i }) => i !== backbone)
    .sort(
      (a, b) =>
        a.distance - b.distance ||
        compareText(a.t.text, b.t.text) ||
        compareText(a.t.annotator, b.t.annotator),
    );
  for (const { t, i } of rest) {
    const weight = weightOf(t.annotator);
    const words = wordsOf[i]!;
    const alignment = alignToNetwork(slots, words);
    const next: Slot[] = [];
    const nextChoice: Array<string | undefined> = [];
    for (const step of alignment) {
      if (step.slot !== undefined) {
        const slot = slots[step.slot]!;
        const word = step.word ?? NONE;
        slot.set(word, (slot.get(word) ?? 0) + weight);
        next.push(slot);
        nextChoice.push(backboneChoice[step.slot]);
      } else {
        // A word the network has no slot for: everyone before said nothing here.
        next.push(
          new Map([
            [NONE, weightSoFar],
            [step.word!, weight],
          ]),
        );
        nextChoice.push(NONE);
      }
    }
    slots.splice(0, slots.length, ...next);
    backboneChoice.splice(0, backboneChoice.length, ...nextChoice.map((c) => c ?? NONE));
    weightSoFar += weight;
  }

  const words: RoverWord[] = [];
  slots.forEach((slot, s) => {
    const [best, bestWeight] = [...slot].sort(
      ([wordA, a], [wordB, b]) =>
        b - a ||
        Number(wordB === backboneChoice[s]) - Number(wordA === backboneChoice[s]) ||
        compareText(wordA, wordB),
    )[0]!;
    if (best !== NONE)
      words.push({ word: best, confidence: weightSoFar > 0 ? bestWeight / weightSoFar : 0 });
  });
  return { text: words.map((w) => w.word).join(' '), words, backbone };
}

/** One step of an alignment: a slot with the word given there (undefined: none), or a new word. */
interface AlignmentStep {
  slot?: number;
  word?: string;
}

/**
 * Edit-distance alignment of words to the network's slots: matching a slot costs 0 when the slot
 * holds the word and 1 otherwise; leaving a slot without a word costs 0 when the slot already
 * holds "no word" and 1 otherwise; a word outside every slot costs 1.
 */
function alignToNetwork(slots: readonly Slot[], words: readonly string[]): AlignmentStep[] {
  const n = slots.length;
  const m = words.length;
  const cost = new Float64Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  const skipCost = (i: number) => (slots[i]!.has(NONE) ? 0 : 1);
  for (let i = 1; i <= n; i++) cost[at(i, 0)] = cost[at(i - 1, 0)]! + skipCost(i - 1);
  for (let j = 1; j <= m; j++) cost[at(0, j)] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const match = cost[at(i - 1, j - 1)]! + (slots[i - 1]!.has(words[j - 1]!) ? 0 : 1);
      const skip = cost[at(i - 1, j)]! + skipCost(i - 1);
      const insert = cost[at(i, j - 1)]! + 1;
      cost[at(i, j)] = Math.min(match, skip, insert);
    }
  }
  const steps: AlignmentStep[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0) {
      const match = cost[at(i - 1, j - 1)]! + (slots[i - 1]!.has(words[j - 1]!) ? 0 : 1);
      if (cost[at(i, j)] === match) {
        steps.push({ slot: i - 1, word: words[j - 1]! });
        i--;
        j--;
        continue;
      }
    }
    if (i > 0 && cost[at(i, j)] === cost[at(i - 1, j)]! + skipCost(i - 1)) {
      steps.push({ slot: i - 1 });
      i--;
      continue;
    }
    steps.push({ word: words[j - 1]! });
    j--;
  }
  return steps.reverse();
}
