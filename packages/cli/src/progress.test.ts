import { describe, expect, it } from 'vitest';
import {
  etaSeconds,
  formatBytes,
  formatCount,
  formatDuration,
  progressBar,
  progressLine,
  ProgressTracker,
  RateEstimator,
} from './progress';
import { ProgressDisplay } from './progress-display';

describe('RateEstimator', () => {
  it('has no rate until two samples at different times', () => {
    const rate = new RateEstimator();
    expect(rate.perSecond).toBeUndefined();
    rate.update(0, 1000);
    rate.update(10, 1000);
    expect(rate.perSecond).toBeUndefined();
    rate.update(10, 1500);
    expect(rate.perSecond).toBe(20);
  });

  it('gives the plain average during the warm-up', () => {
    const rate = new RateEstimator({ warmupMs: 1000 });
    rate.update(0, 0);
    rate.update(100, 100);
    rate.update(100, 500);
    expect(rate.perSecond).toBe(200);
  });

  it('converges on a steady rate and moves halfway to a new one in one half-life', () => {
    const rate = new RateEstimator({ halfLifeMs: 2000, warmupMs: 500 });
    let done = 0;
    let now = 0;
    rate.update(done, now);
    for (let i = 0; i < 100; i++) rate.update((done += 100), (now += 100));
    expect(rate.perSecond).toBeCloseTo(1000, 6);
    // The speed doubles: after one half-life of samples the estimate is halfway there.
    for (let i = 0; i < 20; i++) rate.update((done += 200), (now += 100));
    expect(rate.perSecond).toBeCloseTo(1500, 6);
  });

  it('falls while nothing arrives, so a stall lengthens the ETA', () => {
    const rate = new RateEstimator({ halfLifeMs: 1000, warmupMs: 0 });
    rate.update(0, 0);
    rate.update(1000, 1000);
    const before = rate.perSecond!;
    rate.update(1000, 2000);
    expect(rate.perSecond).toBeCloseTo(before / 2, 6);
  });
});

describe('etaSeconds', () => {
  it('is what is left over the rate', () => {
    expect(etaSeconds(25, 100, 5)).toBe(15);
    expect(etaSeconds(100, 100, 5)).toBe(0);
  });

  it('is unknown without a total, without a rate, or past the total', () => {
    expect(etaSeconds(25, undefined, 5)).toBeUndefined();
    expect(etaSeconds(25, 100, undefined)).toBeUndefined();
    expect(etaSeconds(25, 100, 0)).toBeUndefined();
    expect(etaSeconds(120, 100, 5)).toBeUndefined();
  });
});

describe('formatting', () => {
  it('writes bytes in binary units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(12.34 * 1024 * 1024)).toBe('12.3 MiB');
    expect(formatBytes(140 * 1024 * 1024)).toBe('140 MiB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3.00 TiB');
  });

  it('groups thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234567)).toBe('1,234,567');
  });

  it('writes durations in seconds, minutes or hours, rounded up', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(0.2)).toBe('1s');
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(7440)).toBe('2h04m');
  });

  it('draws a bar clamped to its width', () => {
    expect(progressBar(0.5, 10)).toBe('█████░░░░░');
    expect(progressBar(-1, 4)).toBe('░░░░');
    expect(progressBar(3, 4)).toBe('████');
  });

  it('puts counts, bytes, rate and ETA on one line, cut to the width', () => {
    const state = {
      label: 'export',
      bytes: 2 * 1024 * 1024,
      items: 4210,
      itemsTotal: 10000,
      itemNoun: 'tasks',
      byteRate: 1024 * 1024,
      eta: 6,
    };
    expect(progressLine(state)).toBe('export  4,210/10,000 tasks  2.00 MiB  1.00 MiB/s  ETA 6s');
    expect(progressLine(state, { bar: true })).toBe(
      `export  ${'█'.repeat(8)}${'░'.repeat(12)}  4,210/10,000 tasks  2.00 MiB  1.00 MiB/s  ETA 6s`,
    );
    // Too narrow for the bar: the figures stay, then the end is cut.
    expect(progressLine(state, { bar: true, width: 60 })).toBe(
      'export  4,210/10,000 tasks  2.00 MiB  1.00 MiB/s  ETA 6s',
    );
    expect(progressLine(state, { bar: true, width: 20 })).toBe('export  4,210/10,000');
    expect(progressLine({ label: 'upload', bytes: 512, bytesTotal: 1024, note: 'waiting' })).toBe(
      'upload  512 B/1.00 KiB  waiting',
    );
  });
});

describe('ProgressTracker', () => {
  it('takes the ETA from the records when their total is known', () => {
    const tracker = new ProgressTracker({
      label: 'export',
      now: 0,
      itemsTotal: 100,
      itemNoun: 'tasks',
    });
    tracker.advance(1000, 10, 500);
    tracker.advance(1000, 10, 1000);
    const state = tracker.state();
    expect(state.items).toBe(20);
    expect(state.eta).toBeCloseTo(4, 6);
    expect(state.byteRate).toBeCloseTo(2000, 6);
  });

  it('takes the ETA from the bytes when only their total is known', () => {
    const tracker = new ProgressTracker({ label: 'upload', now: 0, bytesTotal: 4000 });
    tracker.advance(1000, 0, 1000);
    expect(tracker.state().eta).toBeCloseTo(3, 6);
    expect(tracker.state().items).toBeUndefined();
  });

  it('drops a total that has been passed rather than show 120/100', () => {
    const tracker = new ProgressTracker({
      label: 'export',
      now: 0,
      itemsTotal: 100,
      itemNoun: 'tasks',
    });
    tracker.advance(10, 120, 1000);
    expect(tracker.state()).toMatchObject({ items: 120, itemsTotal: undefined, eta: undefined });
  });
});

/** A stand-in for standard error that records what is written. */
function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 60, write: (text: string) => writes.push(text) } };
}

describe('ProgressDisplay', () => {
  it('redraws one terminal line in place, at most every redraw interval, and clears it', () => {
    const { writes, stream } = fakeStream(true);
    let now = 0;
    const display = new ProgressDisplay({ label: 'export', stream, now: () => now, redrawMs: 100 });
    display.advance(100);
    now = 50;
    display.advance(100);
    now = 150;
    display.advance(100);
    expect(writes).toHaveLength(2);
    expect(writes.every((text) => text.startsWith('\r') && text.endsWith('\x1b[K'))).toBe(true);
    expect(writes.every((text) => !text.includes('\n'))).toBe(true);
    expect(writes[1]).toContain('300 B');
    display.stop();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('writes a plain line every interval when standard error is not a terminal', () => {
    const { writes, stream } = fakeStream(false);
    let now = 0;
    const display = new ProgressDisplay({
      label: 'export',
      stream,
      now: () => now,
      plainEveryMs: 10_000,
    });
    for (now = 1000; now <= 25_000; now += 1000) display.advance(1024);
    expect(writes).toEqual(['export  10.0 KiB  1.00 KiB/s\n', 'export  20.0 KiB  1.00 KiB/s\n']);
    display.stop();
    expect(writes).toHaveLength(2);
  });

  it('draws nothing when quiet', () => {
    const { writes, stream } = fakeStream(true);
    const display = new ProgressDisplay({ label: 'export', stream, quiet: true, now: () => 1e6 });
    display.advance(100);
    display.setNote('waiting');
    display.stop();
    expect(writes).toEqual([]);
  });
});
