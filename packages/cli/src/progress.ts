/*
 * Progress arithmetic and wording for long transfers: a smoothed rate, the time left, and the
 * line that shows them. Pure (the caller passes the clock in), so it is tested without timers.
 */

/**
 * The rate at which a count grows, in units per second. The first `warmupMs` give the plain
 * average since the start (a few samples say little about a trend); after that each sample moves
 * an exponential average with a half-life of `halfLifeMs`, so the ETA follows real changes in
 * speed without jumping at every chunk. Samples that add nothing (a stall) pull the rate down.
 */
export class RateEstimator {
  readonly #halfLifeMs: number;
  readonly #warmupMs: number;
  #start: { done: number; at: number } | undefined;
  #last: { done: number; at: number } | undefined;
  #rate: number | undefined;

  constructor(options: { halfLifeMs?: number; warmupMs?: number } = {}) {
    this.#halfLifeMs = options.halfLifeMs ?? 3000;
    this.#warmupMs = options.warmupMs ?? 1000;
  }

  /** Records that the count reached `done` at `now` (milliseconds on any steady clock). */
  update(done: number, now: number): void {
    if (!this.#start || !this.#last) {
      this.#start = this.#last = { done, at: now };
      return;
    }
    const elapsed = now - this.#last.at;
    if (elapsed <= 0) {
      // Same instant: fold the amount into the next interval.
      return;
    }
    const sinceStart = now - this.#start.at;
    if (sinceStart <= this.#warmupMs || this.#rate === undefined) {
      this.#rate = ((done - this.#start.done) / sinceStart) * 1000;
    } else {
      const instant = ((done - this.#last.done) / elapsed) * 1000;
      const weight = 1 - 2 ** (-elapsed / this.#halfLifeMs);
      this.#rate += weight * (instant - this.#rate);
    }
    this.#last = { done, at: now };
  }

  /** Units per second; undefined until two samples at different times were seen. */
  get perSecond(): number | undefined {
    return this.#rate;
  }
}

/** Seconds until `done` reaches `total` at `perSecond`; undefined when that cannot be said. */
export function etaSeconds(
  done: number,
  total: number | undefined,
  perSecond: number | undefined,
): number | undefined {
  if (total === undefined || perSecond === undefined || !(perSecond > 0)) return undefined;
  if (done > total) return undefined;
  return (total - done) / perSecond;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A byte count for people: `512 B`, `1.5 KiB`, `12.3 MiB`, `140 MiB`. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // Three significant digits; 1023.96 KiB rounds to 1024 KiB rather than 1.0 MiB, which is fine.
  const text = value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** A count with thousands separators: `1,234,567`. */
export function formatCount(count: number): string {
  return Math.round(count)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A duration for people: `7s`, `3m05s`, `2h04m`; rounded up so an ETA never says 0 too early. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** A bar of `width` cells, `fraction` of them full. */
export function progressBar(fraction: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

/** What a progress line shows. Totals are optional: without them there is no bar and no ETA. */
export interface ProgressState {
  /** What is happening: `export`, `upload`. */
  label: string;
  bytes: number;
  bytesTotal?: number | undefined;
  /** Records done, when they are counted, with the noun they are counted in. */
  items?: number | undefined;
  itemsTotal?: number | undefined;
  itemNoun?: string | undefined;
  /** Bytes per second. */
  byteRate?: number | undefined;
  /** Seconds left. */
  eta?: number | undefined;
  /** Replaces the figures while nothing is moving (`waiting for the server`). */
  note?: string | undefined;
}

/**
 * The progress line: `export ████░░░░ 4,210/10,000 tasks  12.3 MiB  1.20 MiB/s  ETA 6s`. With
 * `bar`, the bar follows the items when their total is known, else the bytes; it is left out
 * when the line would not fit. Never longer than `width` characters, so a terminal line is
 * redrawn in place rather than wrapped.
 */
export function progressLine(
  state: ProgressState,
  options: { bar?: boolean; width?: number } = {},
) {
  const parts: string[] = [state.label];
  const fraction =
    state.itemsTotal !== undefined && state.items !== undefined
      ? state.itemsTotal > 0
        ? state.items / state.itemsTotal
        : 1
      : state.bytesTotal !== undefined
        ? state.bytesTotal > 0
          ? state.bytes / state.bytesTotal
          : 1
        : undefined;
  const bar = options.bar && fraction !== undefined ? progressBar(fraction, 20) : undefined;
  if (state.items !== undefined) {
    const noun = state.itemNoun ?? 'records';
    parts.push(
      state.itemsTotal !== undefined
        ? `${formatCount(state.items)}/${formatCount(state.itemsTotal)} ${noun}`
        : `${formatCount(state.items)} ${noun}`,
    );
  }
  parts.push(
    state.bytesTotal !== undefined
      ? `${formatBytes(state.bytes)}/${formatBytes(state.bytesTotal)}`
      : formatBytes(state.bytes),
  );
  if (state.note !== undefined) parts.push(state.note);
  else {
    if (state.byteRate !== undefined) parts.push(`${formatBytes(state.byteRate)}/s`);
    if (state.eta !== undefined) parts.push(`ETA ${formatDuration(state.eta)}`);
  }
  const width = options.width ?? Infinity;
  const plain = parts.join('  ');
  // A narrow terminal loses the bar before it loses any figure.
  if (bar !== undefined) {
    const withBar = [parts[0], bar, ...parts.slice(1)].join('  ');
    if (withBar.length <= width) return withBar;
  }
  return plain.length > width ? plain.slice(0, Math.max(0, width)) : plain;
}

/**
 * The figures of one transfer as it goes: bytes, and records when they are counted, each with
 * its smoothed rate. The ETA follows the records when their total is known (the server said how
 * many tasks match), else the bytes when their total is (a file's size).
 */
export class ProgressTracker {
  readonly #label: string;
  readonly #itemNoun: string | undefined;
  readonly #bytesRate = new RateEstimator();
  readonly #itemsRate = new RateEstimator();
  #bytes = 0;
  #items: number | undefined;
  bytesTotal: number | undefined;
  itemsTotal: number | undefined;
  /** Shown instead of rate and ETA while set. */
  note: string | undefined;

  constructor(options: {
    label: string;
    now: number;
    bytesTotal?: number | undefined;
    itemsTotal?: number | undefined;
    /** The noun records are counted in (`tasks`, `files`); without it records are not shown. */
    itemNoun?: string | undefined;
  }) {
    this.#label = options.label;
    this.#itemNoun = options.itemNoun;
    this.bytesTotal = options.bytesTotal;
    this.itemsTotal = options.itemsTotal;
    if (options.itemNoun !== undefined) this.#items = 0;
    this.#bytesRate.update(0, options.now);
    this.#itemsRate.update(0, options.now);
  }

  get bytes(): number {
    return this.#bytes;
  }

  get items(): number | undefined {
    return this.#items;
  }

  /** Adds what was just done (a chunk of bytes, the records it completed). */
  advance(bytes: number, items: number, now: number): void {
    this.#bytes += bytes;
    if (this.#items !== undefined) this.#items += items;
    this.sample(now);
  }

  /** Lets the rates see time pass without progress (called by the redraw timer). */
  sample(now: number): void {
    this.#bytesRate.update(this.#bytes, now);
    if (this.#items !== undefined) this.#itemsRate.update(this.#items, now);
  }

  state(): ProgressState {
    // A total that has been passed was wrong (tasks were added meanwhile): it is dropped.
    const itemsTotal =
      this.#items !== undefined && this.itemsTotal !== undefined && this.#items <= this.itemsTotal
        ? this.itemsTotal
        : undefined;
    const bytesTotal =
      this.bytesTotal !== undefined && this.#bytes <= this.bytesTotal ? this.bytesTotal : undefined;
    const eta =
      itemsTotal !== undefined
        ? etaSeconds(this.#items!, itemsTotal, this.#itemsRate.perSecond)
        : etaSeconds(this.#bytes, bytesTotal, this.#bytesRate.perSecond);
    return {
      label: this.#label,
      bytes: this.#bytes,
      bytesTotal,
      items: this.#items,
      itemsTotal,
      itemNoun: this.#itemNoun,
      byteRate: this.#bytesRate.perSecond,
      eta,
      note: this.note,
    };
  }
}
