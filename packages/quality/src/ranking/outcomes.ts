/** Which side of a pairwise comparison was preferred. */
export type Outcome = 'left' | 'right' | 'tie';

/** One judgement: `left` and `right` are item ids; a tie counts as half a win each way. */
export interface Comparison {
  left: string;
  right: string;
  outcome: Outcome;
}

const OUTCOME_CODES: Record<Outcome, number> = { left: 0, right: 1, tie: 2 };
const OUTCOMES: readonly Outcome[] = ['left', 'right', 'tie'];

/**
 * Comparisons tallied into distinct (left, right, outcome) cells. Items are sorted by id and cells
 * by (left, right, outcome), so the table does not depend on the order comparisons arrived in.
 */
export interface OutcomeTable {
  items: readonly string[];
  /** Index into `items` of each cell's left item. */
  left: Int32Array;
  right: Int32Array;
  /** 0 = left won, 1 = right won, 2 = tie. */
  outcome: Uint8Array;
  /** How many comparisons fell into each cell (whole numbers). */
  count: Float64Array;
}

/** The code of a comparison's outcome (see OutcomeTable), refusing an item against itself. */
export function outcomeCode(left: string, right: string, outcome: Outcome): number {
  if (left === right) throw new RangeError(`an item cannot be compared with itself ("${left}")`);
  const code = OUTCOME_CODES[outcome];
  if (code === undefined) throw new RangeError(`unknown outcome "${String(outcome)}"`);
  return code;
}

/**
 * Numbers item ids as they arrive, then renumbers them in id order, so what is built from them
 * does not depend on the order comparisons arrived in.
 */
export class ItemNumbering {
  readonly #itemIndex = new Map<string, number>();

  /** The arrival number of an item, a new one for an item not seen before. */
  indexOf(item: string): number {
    let index = this.#itemIndex.get(item);
    if (index === undefined) {
      index = this.#itemIndex.size;
      this.#itemIndex.set(item, index);
    }
    return index;
  }

  /** The items sorted by id, and by arrival number each item's index among them. */
  sorted(): { items: string[]; sortedIndex: Int32Array } {
    const items = [...this.#itemIndex.keys()].sort(compareIds);
    const sortedIndex = new Int32Array(items.length);
    items.forEach((item, index) => {
      sortedIndex[this.#itemIndex.get(item)!] = index;
    });
    return { items, sortedIndex };
  }
}

/** Accumulates comparisons one at a time (for streams too large to hold) into an OutcomeTable. */
export class OutcomeTableBuilder {
  readonly #items = new ItemNumbering();
  readonly #cells = new Map<
    string,
    { left: number; right: number; outcome: number; count: number }
  >();
  #total = 0;

  /** Adds `count` comparisons of `left` against `right` with the given outcome. */
  add(left: string, right: string, outcome: Outcome, count = 1): void {
    const code = outcomeCode(left, right, outcome);
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError('count must be a whole number >= 1');
    const leftIndex = this.#items.indexOf(left);
    const rightIndex = this.#items.indexOf(right);
    const key = `${leftIndex},${rightIndex},${code}`;
    const cell = this.#cells.get(key);
    if (cell) cell.count += count;
    else this.#cells.set(key, { left: leftIndex, right: rightIndex, outcome: code, count });
    this.#total += count;
  }

  /** How many comparisons were added. */
  get comparisons(): number {
    return this.#total;
  }

  build(): OutcomeTable {
    const { items, sortedIndex } = this.#items.sorted();
    const cells = [...this.#cells.values()].map((cell) => ({
      left: sortedIndex[cell.left]!,
      right: sortedIndex[cell.right]!,
      outcome: cell.outcome,
      count: cell.count,
    }));
    cells.sort((a, b) => a.left - b.left || a.right - b.right || a.outcome - b.outcome);
    return {
      items,
      left: Int32Array.from(cells, (cell) => cell.left),
      right: Int32Array.from(cells, (cell) => cell.right),
      outcome: Uint8Array.from(cells, (cell) => cell.outcome),
      count: Float64Array.from(cells, (cell) => cell.count),
    };
  }
}

/** Tallies comparisons into an OutcomeTable. */
export function tallyComparisons(comparisons: Iterable<Comparison>): OutcomeTable {
  const builder = new OutcomeTableBuilder();
  for (const comparison of comparisons)
    builder.add(comparison.left, comparison.right, comparison.outcome);
  return builder.build();
}

/** The outcome name of a cell code in an OutcomeTable. */
export function outcomeName(code: number): Outcome {
  const outcome = OUTCOMES[code];
  if (outcome === undefined) throw new RangeError(`unknown outcome code ${code}`);
  return outcome;
}

/** Orders ids by UTF-16 code units: the same everywhere, unlike localeCompare. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Unordered pairs of a table with, per cell, its pair and the share of the cell's count that is a
 * win for the pair's first (lower-index) item: 1, 0, or 1/2 for a tie.
 */
export interface PairLayout {
  first: Int32Array;
  second: Int32Array;
  cellPair: Int32Array;
  cellCreditToFirst: Float64Array;
}

/**
 * Numbers the unordered pairs of items in the order they first appear; a pair's first item is
 * its lower index.
 */
export class PairNumbering {
  readonly #itemCount: number;
  readonly #pairIndex = new Map<number, number>();
  readonly #first: number[] = [];
  readonly #second: number[] = [];

  constructor(itemCount: number) {
    this.#itemCount = itemCount;
  }

  /** The number of the pair {a, b}, a new one when the pair has not been seen. */
  pairOf(a: number, b: number): number {
    const low = Math.min(a, b);
    const high = Math.max(a, b);
    const key = low * this.#itemCount + high;
    let pair = this.#pairIndex.get(key);
    if (pair === undefined) {
      pair = this.#first.length;
      this.#pairIndex.set(key, pair);
      this.#first.push(low);
      this.#second.push(high);
    }
    return pair;
  }

  /** Each numbered pair's first and second item. */
  pairs(): { first: Int32Array; second: Int32Array } {
    return { first: Int32Array.from(this.#first), second: Int32Array.from(this.#second) };
  }
}

/** Groups a table's cells by unordered pair of items. */
export function layoutPairs(table: OutcomeTable): PairLayout {
  const numbering = new PairNumbering(table.items.length);
  const cellCount = table.count.length;
  const cellPair = new Int32Array(cellCount);
  const cellCreditToFirst = new Float64Array(cellCount);
  for (let c = 0; c < cellCount; c++) {
    const left = table.left[c]!;
    const right = table.right[c]!;
    cellPair[c] = numbering.pairOf(left, right);
    const outcome = table.outcome[c]!;
    const winner = outcome === 0 ? left : outcome === 1 ? right : -1;
    cellCreditToFirst[c] = winner === -1 ? 0.5 : winner === Math.min(left, right) ? 1 : 0;
  }
  return { ...numbering.pairs(), cellPair, cellCreditToFirst };
}

/** Per-pair totals: comparisons, and wins of the pair's first item (ties counting half). */
export interface PairTotals {
  first: Int32Array;
  second: Int32Array;
  winsOfFirst: Float64Array;
  total: Float64Array;
}

/** Sums cell counts (the table's own, or resampled ones) into per-pair totals. */
export function totalPairs(layout: PairLayout, counts: Float64Array): PairTotals {
  const pairs = layout.first.length;
  const winsOfFirst = new Float64Array(pairs);
  const total = new Float64Array(pairs);
  for (let c = 0; c < counts.length; c++) {
    const count = counts[c]!;
    if (count === 0) continue;
    const pair = layout.cellPair[c]!;
    winsOfFirst[pair] = winsOfFirst[pair]! + count * layout.cellCreditToFirst[c]!;
    total[pair] = total[pair]! + count;
  }
  return { first: layout.first, second: layout.second, winsOfFirst, total };
}
