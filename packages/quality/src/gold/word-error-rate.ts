/** How transcripts are split into words before comparing. */
export interface WordErrorOptions {
  /** Compare words case-insensitively. Default false. */
  ignoreCase?: boolean;
  /** Drop Unicode punctuation (\p{P}) before splitting. Default false. */
  ignorePunctuation?: boolean;
}

/** Word error rate and the edit operations behind it. */
export interface WordErrors {
  /**
   * (substitutions + deletions + insertions) / reference words. It can exceed 1; it is 0 for two
   * empty transcripts and Infinity for words against an empty reference.
   */
  rate: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  referenceWords: number;
}

/** The words of a transcript: NFC-normalised, split on whitespace. */
export function transcriptWords(text: string, options: WordErrorOptions = {}): string[] {
  let normalized = text.normalize('NFC');
  if (options.ignoreCase) normalized = normalized.toLowerCase();
  if (options.ignorePunctuation) normalized = normalized.replace(/\p{P}/gu, ' ');
  return normalized.split(/\s+/u).filter((word) => word.length > 0);
}

/**
 * Word error rate of a hypothesis transcript against a reference: the word-level Levenshtein
 * distance over the reference length. Among equally short alignments we count substitutions
 * before deletions before insertions. Memory is linear in the reference length.
 */
export function wordErrorRate(
  hypothesis: string,
  reference: string,
  options: WordErrorOptions = {},
): WordErrors {
  const ids = new Map<string, number>();
  const encode = (words: string[]): Int32Array =>
    Int32Array.from(words, (word) => {
      let id = ids.get(word);
      if (id === undefined) ids.set(word, (id = ids.size));
      return id;
    });
  const ref = encode(transcriptWords(reference, options));
  const hyp = encode(transcriptWords(hypothesis, options));
  const columns = ref.length + 1;
  // Per cell: edit cost and its substitutions, deletions and insertions.
  let cost = Int32Array.from({ length: columns }, (_, j) => j);
  let subs = new Int32Array(columns);
  let dels = Int32Array.from({ length: columns }, (_, j) => j);
  let ins = new Int32Array(columns);
  let nextCost = new Int32Array(columns);
  let nextSubs = new Int32Array(columns);
  let nextDels = new Int32Array(columns);
  let nextIns = new Int32Array(columns);
  for (let i = 1; i <= hyp.length; i++) {
    nextCost[0] = i;
    nextSubs[0] = 0;
    nextDels[0] = 0;
    nextIns[0] = i;
    for (let j = 1; j < columns; j++) {
      const differs = hyp[i - 1] === ref[j - 1] ? 0 : 1;
      const diagonal = cost[j - 1]! + differs;
      const deletion = nextCost[j - 1]! + 1; // reference word j missing from the hypothesis
      const insertion = cost[j]! + 1; // hypothesis word i not in the reference
      if (diagonal <= deletion && diagonal <= insertion) {
        nextCost[j] = diagonal;
        nextSubs[j] = subs[j - 1]! + differs;
        nextDels[j] = dels[j - 1]!;
        nextIns[j] = ins[j - 1]!;
      } else if (deletion <= insertion) {
        nextCost[j] = deletion;
        nextSubs[j] = nextSubs[j - 1]!;
        nextDels[j] = nextDels[j - 1]! + 1;
        nextIns[j] = nextIns[j - 1]!;
      } else {
        nextCost[j] = insertion;
        nextSubs[j] = subs[j]!;
        nextDels[j] = dels[j]!;
        nextIns[j] = ins[j]! + 1;
      }
    }
    [cost, nextCost] = [nextCost, cost];
    [subs, nextSubs] = [nextSubs, subs];
    [dels, nextDels] = [nextDels, dels];
    [ins, nextIns] = [nextIns, ins];
  }
  const last = ref.length;
  const errors = cost[last]!;
  return {
    rate: ref.length > 0 ? errors / ref.length : errors > 0 ? Infinity : 0,
    substitutions: subs[last]!,
    deletions: dels[last]!,
    insertions: ins[last]!,
    referenceWords: ref.length,
  };
}
