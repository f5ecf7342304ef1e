import { ProgressTracker, progressLine } from './progress';

/** Where progress is drawn: standard error, or a stand-in in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface ProgressDisplayOptions {
  label: string;
  stream?: ProgressStream;
  bytesTotal?: number | undefined;
  itemsTotal?: number | undefined;
  itemNoun?: string | undefined;
  /** Draw nothing (`--quiet`). */
  quiet?: boolean;
  now?: () => number;
  /** How often a terminal line is redrawn at most (default 100 ms). */
  redrawMs?: number;
  /** How often a plain line is written when the stream is not a terminal (default 10 s). */
  plainEveryMs?: number;
}

/**
 * Shows a transfer's progress on standard error, never standard output: on a terminal one line
 * redrawn in place (bar, counts, rate, ETA), elsewhere (a log file, CI) a plain line every ten
 * seconds, so a short transfer prints nothing and a long one leaves a readable trail.
 */
export class ProgressDisplay {
  readonly tracker: ProgressTracker;
  readonly #stream: ProgressStream;
  readonly #isTerminal: boolean;
  readonly #quiet: boolean;
  readonly #now: () => number;
  readonly #redrawMs: number;
  readonly #plainEveryMs: number;
  #lastDrawn = -Infinity;
  #lastPlain: number;
  #drawnLength = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: ProgressDisplayOptions) {
    this.#stream = options.stream ?? process.stderr;
    this.#isTerminal = this.#stream.isTTY === true;
    this.#quiet = options.quiet ?? false;
    this.#now = options.now ?? (() => performance.now());
    this.#redrawMs = options.redrawMs ?? 100;
    this.#plainEveryMs = options.plainEveryMs ?? 10_000;
    const now = this.#now();
    this.#lastPlain = now;
    this.tracker = new ProgressTracker({
      label: options.label,
      now,
      bytesTotal: options.bytesTotal,
      itemsTotal: options.itemsTotal,
      itemNoun: options.itemNoun,
    });
  }

  /** Starts the timer that keeps rate and ETA moving while no bytes arrive. */
  start(): this {
    if (this.#quiet || this.#timer) return this;
    const every = this.#isTerminal ? Math.max(this.#redrawMs, 250) : 1000;
    this.#timer = setInterval(() => this.tick(), every);
    this.#timer.unref?.();
    return this;
  }

  /** Records a chunk done and redraws when it is time. */
  advance(bytes: number, items = 0): void {
    this.tracker.advance(bytes, items, this.#now());
    this.#maybeDraw(false);
  }

  /** Shows `note` instead of rate and ETA (`waiting for the server`), or clears it. */
  setNote(note: string | undefined): void {
    this.tracker.note = note;
    this.#maybeDraw(true);
  }

  /** Lets time pass without progress: the rates fall and the line is redrawn. */
  tick(): void {
    this.tracker.sample(this.#now());
    this.#maybeDraw(false);
  }

  /** Stops drawing and clears the terminal line, leaving the cursor at its start. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#isTerminal && this.#drawnLength > 0) this.#stream.write('\r\x1b[K');
    this.#drawnLength = 0;
  }

  #maybeDraw(force: boolean): void {
    if (this.#quiet) return;
    const now = this.#now();
    if (this.#isTerminal) {
      if (!force && now - this.#lastDrawn < this.#redrawMs) return;
      this.#lastDrawn = now;
      // A pseudo-terminal may report no width (0): assume the usual 80 columns.
      const width = Math.max(20, (this.#stream.columns || 80) - 1);
      const line = progressLine(this.tracker.state(), { bar: true, width });
      this.#stream.write(`\r${line}\x1b[K`);
      this.#drawnLength = line.length;
      return;
    }
    if (now - this.#lastPlain < this.#plainEveryMs) return;
    this.#lastPlain = now;
    this.#stream.write(`${progressLine(this.tracker.state())}\n`);
  }
}
