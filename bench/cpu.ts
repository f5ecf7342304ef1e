import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU seconds a phase used, by who used them. */
export interface CpuUse {
  /** PostgreSQL's processes on this machine (its server and every backend). */
  database: number;
  /** The processes the benchmark started for the phase (servers, pgbench). */
  children: number;
  /** The benchmark's own process (the simulated annotators, pg-boss's workers). */
  self: number;
}

const TICKS_PER_SECOND = 100;
const POLL_MS = 200;

/** Cumulative user+system ticks of a process, or undefined once it is gone. */
function ticksOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Where a phase's CPU time goes, read from Linux's /proc while it runs (elsewhere it measures
 * nothing): a rate on a shared machine drifts with what else runs, CPU time per unit of work much
 * less, and it says which side of the system the time went to. Processes are polled every
 * 200 ms, so one that exits loses at most its last poll's worth.
 */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, { ticks: number; group: 'database' | 'children' }>();
  private readonly classified = new Map<number, boolean>();
  private readonly selfStart = process.cpuUsage();
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly children: () => (number | undefined)[]) {
    this.poll(true);
    this.timer = setInterval(() => this.poll(false), POLL_MS).unref();
  }

  /** Starts measuring; `children` names the phase's own processes, asked at every poll. */
  static start(children: () => (number | undefined)[] = () => []): CpuMeter | undefined {
    return process.platform === 'linux' ? new CpuMeter(children) : undefined;
  }

  private isDatabase(pid: number): boolean {
    let known = this.classified.get(pid);
    if (known === undefined) {
      known = commandOf(pid) === 'postgres';
      this.classified.set(pid, known);
    }
    return known;
  }

  private poll(first: boolean) {
    const watched = new Map<number, 'database' | 'children'>();
    for (const pid of this.children()) if (pid) watched.set(pid, 'children');
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (Number.isInteger(pid) && !watched.has(pid) && this.isDatabase(pid))
        watched.set(pid, 'database');
    }
    for (const [pid, group] of watched) {
      const ticks = ticksOf(pid);
      if (ticks === undefined) continue;
      if (first) this.start.set(pid, ticks);
      else if (!this.start.has(pid)) this.start.set(pid, 0);
      this.last.set(pid, { ticks, group });
    }
  }

  /** Stops measuring and says what the phase used. */
  stop(): CpuUse {
    this.poll(false);
    clearInterval(this.timer);
    const use: CpuUse = { database: 0, children: 0, self: 0 };
    for (const [pid, { ticks, group }] of this.last)
      use[group] += (ticks - (this.start.get(pid) ?? 0)) / TICKS_PER_SECOND;
    const self = process.cpuUsage(this.selfStart);
    use.self = (self.user + self.system) / 1e6;
    return use;
  }
}

/** "database 3.1 ms, servers 3.0 ms, annotators 0.7 ms" per unit of work. */
export function perUnit(
  use: CpuUse | undefined,
  units: number,
  names: Partial<Record<keyof CpuUse, string>>,
): string {
  if (!use) return 'not measured on this platform';
  if (units <= 0) return 'no work was done';
  const parts = (Object.keys(names) as (keyof CpuUse)[]).map(
    (key) => `${names[key]} ${((use[key] / units) * 1000).toFixed(2)} ms`,
  );
  return `${parts.join(', ')} (this machine has ${cpus().length} cores)`;
}
