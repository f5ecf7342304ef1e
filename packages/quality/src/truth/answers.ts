/**
 * The one data structure every truth-inference method reads: crowd answers encoded as three parallel
 * integer arrays (item, worker, label), with dictionaries that turn the indices back into the
 * caller's string ids.
 *
 * Nothing is deduplicated. A worker who answers the same item twice contributes two answers, and
 * when the two differ (a conflicting repeat) both count, each with its full weight: the methods
 * treat every answer as one independent observation. Dropping or merging repeats would need a rule
 * (first? last? majority?) that the data cannot justify, and hiding them would make the counts
 * disagree with the input file.
 */
export interface AnswerSet {
  /** Item ids; answer arrays hold indices into this list. Items may have no answers. */
  readonly items: readonly string[];
  readonly workers: readonly string[];
  /** The classes, compared as strings. Labels may be declared that no worker gave. */
  readonly labels: readonly string[];
  /**
   * How many of `labels`, from the start, were declared up front (their order is the caller's
   * preference when posteriors tie); the others were first seen in answers. Default 0.
   */
  readonly declaredLabels?: number;
  /** Per answer, in the order the answers were added. */
  readonly item: Int32Array;
  readonly worker: Int32Array;
  readonly label: Int32Array;
}

/** One crowd answer by string ids. */
export interface Answer {
  item: string;
  worker: string;
  label: string;
}

/** Options of AnswerSetBuilder. */
export interface AnswerSetOptions {
  /** Classes known up front, in this order (first-seen order follows for any others). */
  labels?: readonly string[];
  /** Answers expected, to size the arrays once. */
  capacity?: number;
}

/** Dictionary of string ids in first-seen order. */
class Dictionary {
  readonly ids: string[] = [];
  readonly #index = new Map<string, number>();

  indexOf(id: string): number {
    let index = this.#index.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.#index.set(id, index);
      this.ids.push(id);
    }
    return index;
  }

  find(id: string): number | undefined {
    return this.#index.get(id);
  }
}

/** Accumulates answers one at a time (for streams) into an AnswerSet. */
export class AnswerSetBuilder {
  readonly #items = new Dictionary();
  readonly #workers = new Dictionary();
  readonly #labels = new Dictionary();
  readonly #declared: number;
  #item: Int32Array;
  #worker: Int32Array;
  #label: Int32Array;
  #size = 0;

  constructor(options: AnswerSetOptions = {}) {
    for (const label of options.labels ?? []) this.#labels.indexOf(label);
    this.#declared = this.#labels.ids.length;
    const capacity = Math.max(16, options.capacity ?? 1024);
    this.#item = new Int32Array(capacity);
    this.#worker = new Int32Array(capacity);
    this.#label = new Int32Array(capacity);
  }

  /** Adds one answer; repeats of an (item, worker) pair are kept (see AnswerSet). */
  add(item: string, worker: string, label: string): void {
    if (this.#size === this.#item.length) this.#grow();
    this.#item[this.#size] = this.#items.indexOf(item);
    this.#worker[this.#size] = this.#workers.indexOf(worker);
    this.#label[this.#size] = this.#labels.indexOf(label);
    this.#size++;
  }

  /** Declares an item, answered or not; returns its index. */
  addItem(item: string): number {
    return this.#items.indexOf(item);
  }

  /** Declares a class, given by a worker or not; returns its index. */
  addLabel(label: string): number {
    return this.#labels.indexOf(label);
  }

  /** How many answers were added. */
  get size(): number {
    return this.#size;
  }

  build(): AnswerSet {
    return {
      items: [...this.#items.ids],
      workers: [...this.#workers.ids],
      labels: [...this.#labels.ids],
      declaredLabels: this.#declared,
      item: this.#item.slice(0, this.#size),
      worker: this.#worker.slice(0, this.#size),
      label: this.#label.slice(0, this.#size),
    };
  }

  #grow(): void {
    const capacity = this.#item.length * 2;
    this.#item = grown(this.#item, capacity);
    this.#worker = grown(this.#worker, capacity);
    this.#label = grown(this.#label, capacity);
  }
}

function grown(array: Int32Array, capacity: number): Int32Array {
  const next = new Int32Array(capacity);
  next.set(array);
  return next;
}

/** Encodes answers given as objects (see AnswerSetBuilder for streams). */
export function encodeAnswers(
  answers: Iterable<Answer>,
  options: AnswerSetOptions = {},
): AnswerSet {
  const builder = new AnswerSetBuilder(options);
  for (const { item, worker, label } of answers) builder.add(item, worker, label);
  return builder.build();
}

/** Throws a RangeError when the arrays of a hand-built AnswerSet disagree with its dictionaries. */
export function validateAnswerSet(answers: AnswerSet): void {
  const n = answers.item.length;
  if (answers.worker.length !== n || answers.label.length !== n)
    throw new RangeError('item, worker and label arrays differ in length');
  const limits = [answers.items.length, answers.workers.length, answers.labels.length];
  const arrays = [answers.item, answers.worker, answers.label];
  const names = ['item', 'worker', 'label'];
  for (let k = 0; k < 3; k++) {
    const array = arrays[k]!;
    const limit = limits[k]!;
    for (let a = 0; a < n; a++) {
      const value = array[a]!;
      if (value < 0 || value >= limit)
        throw new RangeError(`answer ${a}: ${names[k]} index ${value} is outside 0..${limit - 1}`);
    }
  }
}

/** The answers grouped by item (a CSR layout): answers of item i are `order[start[i]..start[i+1])`. */
export interface ItemIndex {
  start: Int32Array;
  /** Answer positions, grouped by item, in their original order within an item. */
  order: Int32Array;
}

/** Groups answer positions by item with a counting sort (stable, O(answers + items)). */
export function indexByItem(answers: AnswerSet): ItemIndex {
  const itemCount = answers.items.length;
  const start = new Int32Array(itemCount + 1);
  const { item } = answers;
  for (let a = 0; a < item.length; a++) start[item[a]! + 1]!++;
  for (let i = 0; i < itemCount; i++) start[i + 1]! += start[i]!;
  const next = start.slice(0, itemCount);
  const order = new Int32Array(item.length);
  for (let a = 0; a < item.length; a++) order[next[item[a]!]!++] = a;
  return { start, order };
}

/** How many answers each label received over the whole set (the tie-break of every method). */
export function countLabels(answers: AnswerSet): Float64Array {
  const counts = new Float64Array(answers.labels.length);
  const { label } = answers;
  for (let a = 0; a < label.length; a++) counts[label[a]!]!++;
  return counts;
}

/** How many answers each worker gave. */
export function countByWorker(answers: AnswerSet): Float64Array {
  const counts = new Float64Array(answers.workers.length);
  for (const worker of answers.worker) counts[worker]!++;
  return counts;
}

/** Gold labels as label indices per item (-1 where unknown), for clamping or scoring. */
export interface EncodedGold {
  /** Per item of the answer set: the gold label index, or -1. */
  label: Int32Array;
  /** Gold items that are not in the answer set (nothing to clamp or score). */
  unknownItems: number;
  /** Gold labels that are not among the answer set's classes, with how often they occur. */
  unknownLabels: Map<string, number>;
}

/**
 * Encodes gold labels against an answer set. Gold for items that the set does not hold is counted,
 * not an error (gold files often cover more items than a batch). A gold label outside the classes
 * cannot be clamped: it is reported in `unknownLabels` and left at -1; declare it with
 * AnswerSetBuilder.addLabel before building to clamp it.
 */
export function encodeGold(
  answers: AnswerSet,
  gold: Iterable<readonly [item: string, label: string]>,
): EncodedGold {
  const itemIndex = new Map(answers.items.map((item, i) => [item, i]));
  const labelIndex = new Map(answers.labels.map((label, k) => [label, k]));
  const label = new Int32Array(answers.items.length).fill(-1);
  let unknownItems = 0;
  const unknownLabels = new Map<string, number>();
  for (const [item, value] of gold) {
    const i = itemIndex.get(item);
    if (i === undefined) {
      unknownItems++;
      continue;
    }
    const k = labelIndex.get(value);
    if (k === undefined) unknownLabels.set(value, (unknownLabels.get(value) ?? 0) + 1);
    else label[i] = k;
  }
  return { label, unknownItems, unknownLabels };
}
