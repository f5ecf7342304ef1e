interface Waiting<Item, Outcome> {
  item: Item;
  done: (outcome: Outcome) => void;
  failed: (error: unknown) => void;
}

/**
 * Work gathered by key into runs of many: while one run is in flight for a key, what arrives for
 * that key waits, and the next run takes all of it (at most `most`, and each distinct item once:
 * a second one waits for the run after). Under load a process makes one statement for many
 * requests instead of one each; when idle, nothing is in flight and a request runs after one turn
 * of the event loop.
 *
 * Before taking a run, the key yields to the event loop once (`setImmediate`), so that requests
 * whose bytes have already arrived reach their `add` and join it. A busy process otherwise takes
 * the run with whatever was queued when the last one finished, while the requests behind it wait
 * for the next. Bigger runs are fewer statements, and each statement costs a round trip, a commit
 * and the server's work to build it and read it back, whatever its size.
 */
export class Gathering<Item, Outcome> {
  private readonly groups = new Map<string, Waiting<Item, Outcome>[]>();
  /** Runs made and the items they took, since the process started. */
  readonly made = { runs: 0, items: 0 };

  constructor(
    private readonly options: {
      /** Does the work for items of one key; its outcomes are in the items' order. */
      run: (items: Item[]) => Promise<Outcome[]>;
      /** Items with the same value do not go in one run. */
      distinct: (item: Item) => string;
      most: number;
    },
  ) {}

  add(key: string, item: Item): Promise<Outcome> {
    const waiting = this.groups.get(key);
    return new Promise<Outcome>((done, failed) => {
      if (waiting) waiting.push({ item, done, failed });
      else {
        const group = [{ item, done, failed }];
        this.groups.set(key, group);
        void this.drain(key, group);
      }
    });
  }

  private async drain(key: string, waiting: Waiting<Item, Outcome>[]) {
    while (waiting.length > 0) {
      await new Promise<void>((resume) => setImmediate(resume));
      const run: Waiting<Item, Outcome>[] = [];
      const later: Waiting<Item, Outcome>[] = [];
      const seen = new Set<string>();
      for (const one of waiting.splice(0)) {
        const distinct = this.options.distinct(one.item);
        if (run.length >= this.options.most || seen.has(distinct)) later.push(one);
        else {
          seen.add(distinct);
          run.push(one);
        }
      }
      waiting.push(...later);
      this.made.runs += 1;
      this.made.items += run.length;
      try {
        const outcomes = await this.options.run(run.map((one) => one.item));
        run.forEach((one, i) => one.done(outcomes[i]!));
      } catch (error) {
        for (const one of run) one.failed(error);
      }
    }
    this.groups.delete(key);
  }
}
