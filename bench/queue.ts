/**
 * `npm run bench -- queue`: the work queue through the HTTP API with 64 simulated annotators, on
 * PostgreSQL and on PGlite, beside what the same machine does in the same run: PostgreSQL's own
 * `pgbench -N` at the same client count and pg-boss's fetch+complete. Quorum on PostgreSQL runs
 * first as one server process (as `npm start` runs it, and as pg-boss's workers run in one
 * process), then as two sharing the database (the scale-out set-up). Then claim latency with
 * 10k and with 1M queued tasks, and the full-size reliability run (10k tasks, consensus 3, two
 * server processes on one PostgreSQL, one killed with SIGKILL mid-run and restarted).
 *
 * Options: --only pgbench,pgboss,postgres,pglite,deep,reliability  --seconds 15  --warmup 5
 * --tasks 40000  --pglite-tasks 500  --deep 1000000  --reliability-tasks 10000  --processes 1,2
 * --requests chained,separate  --rounds 1
 *
 * A cycle is a claim and a submission. Chained, as the web app works, each submission also claims
 * the next task (`next`), so a cycle is one request; separate, a cycle is a claim request and a
 * submit request. Quorum runs each way asked for (`--requests`) on both databases; the
 * reliability run is chained, the deep queue separate (it measures the claim request alone).
 * Chained, a claim's latency is that of the submission that made it.
 *
 * pgbench runs for `--seconds`. pg-boss and Quorum on PostgreSQL first work for `--warmup`
 * seconds unmeasured, then for `--seconds` measured: a server process that has just started is
 * still compiling its code (on the same two cores the database needs), which a server that runs
 * for days does once. Quorum's queue holds `--tasks` tasks, enough that it does not run dry
 * before the time is up (the output says so when it does). On PGlite, the queue of
 * `--pglite-tasks` is drained and measured over the steady middle 80% of the run.
 *
 * With `--rounds N`, pgbench, pg-boss and Quorum on PostgreSQL are measured N times in turn, and
 * each ratio is also given as the median of its N rounds: on a shared machine runs a minute apart
 * can differ by a fifth, pgbench's and Quorum's alike, so one round's ratio is one draw.
 */
import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { openDatabase } from '@quorum/server';
import { CpuMeter, perUnit, type CpuUse } from './cpu';
import { createBenchDatabase } from './databases';
import {
  checkInvariants,
  simulate,
  type SimulationOptions,
  type SimulationResult,
} from '../e2e/support/annotators';
import {
  freePort,
  lostClaimsReopened,
  serverErrors,
  pendingTasks,
  prepareSimulation,
  serve,
  stop,
  storedWork,
} from '../e2e/support/queue-run';

const KEY = 'live_benchadminkey0000000000000000';
const CLIENTS = 64;
const POOL = 32;
const exec = promisify(execFile);

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
};
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const fixed = (value: number, digits = 0) =>
  value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** PostgreSQL's own benchmark: `pgbench -N` (no branch/teller updates) at 64 clients. */
async function pgbench(
  seconds: number,
): Promise<{ tps: number; transactions: number; cpu?: CpuUse } | undefined> {
  const database = await createBenchDatabase('pgbench');
  const url = new URL(database.url);
  const connection = ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username];
  try {
    await exec('pgbench', ['-i', '-q', '-s', '10', ...connection, database.name]);
    const running = exec('pgbench', [
      '-N',
      '-c',
      String(CLIENTS),
      '-j',
      '2',
      '-T',
      String(seconds),
      ...connection,
      database.name,
    ]);
    const meter = CpuMeter.start(() => [running.child.pid]);
    let cpu: CpuUse | undefined;
    const { stdout } = await running.finally(() => (cpu = meter?.stop()));
    const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
    const transactions = /actually processed: (\d+)/.exec(stdout)?.[1];
    return tps ? { tps: Number(tps), transactions: Number(transactions ?? 0), cpu } : undefined;
  } catch (error) {
    console.log(`  pgbench could not run: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  } finally {
    await database.drop();
  }
}

/**
 * pg-boss: 64 workers, each fetching one job and completing it, for `warmup` seconds and then
 * `seconds` measured.
 */
async function pgBoss({
  warmup,
  seconds,
}: Timing): Promise<{ rate: number; jobs: number; cpu?: CpuUse }> {
  const database = await createBenchDatabase('pgboss');
  const boss = new PgBoss({
    connectionString: database.url,
    max: POOL,
    schedule: false,
    supervise: false,
  });
  boss.on('error', () => undefined);
  try {
    await boss.start();
    await boss.createQueue('bench');
    const jobs = Math.max(20_000, (warmup + seconds) * 5_000);
    for (let start = 0; start < jobs; start += 1000)
      await boss.insert(
        'bench',
        Array.from({ length: Math.min(1000, jobs - start) }, (_, i) => ({
          data: { item: start + i },
        })),
      );
    let done = 0;
    const from = performance.now() + warmup * 1000;
    const deadline = from + seconds * 1000;
    let measuredFrom = { done: 0, at: from, meter: undefined as CpuMeter | undefined };
    const warm = setTimeout(() => {
      measuredFrom = { done, at: performance.now(), meter: CpuMeter.start() };
    }, warmup * 1000);
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < deadline) {
          const [job] = await boss.fetch('bench');
          if (!job) return;
          await boss.complete('bench', job.id);
          done++;
        }
      }),
    );
    clearTimeout(warm);
    const cpu = measuredFrom.meter?.stop();
    const measuredJobs = done - measuredFrom.done;
    const rate = measuredJobs / ((performance.now() - measuredFrom.at) / 1000);
    return { rate, jobs: measuredJobs, cpu };
  } finally {
    await boss.stop({ graceful: false }).catch(() => undefined);
    await database.drop();
  }
}

/**
 * A run timed rather than sized: `warmup` seconds of work first (the servers' code compiled, their
 * pools full), then `seconds` measured.
 */
interface Timing {
  warmup: number;
  seconds: number;
}

interface Throughput {
  cyclesPerSecond: number;
  /** Claims started in the measured part of the run. */
  claimP50: number;
  claimP99: number;
  /** Every claim, the ramp and the end included. */
  claimP99All: number;
  /** Cycles in the measured part of the run, which is `cpu`'s. */
  cycles: number;
  /** CPU time over the measured part of the run. */
  cpu?: CpuUse;
  /** Set when the queue ran dry before the measured time was up: when it did. */
  ranDryAfter?: number;
}

/** The middle 80% of the run by acknowledged submissions (no ramp or tail). */
function steadyWindow(times: number[]) {
  const first = Math.floor(times.length * 0.1);
  const last = Math.floor(times.length * 0.9);
  return { from: times[first]!, to: times[last]!, count: last - first };
}

const taskCount = async (url: string, query: string) => {
  const response = await fetch(`${url}/v1/tasks?${query}&limit=1`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  return ((await response.json()) as { total: number }).total;
};

/** How a cycle's claim is asked for (see the head of this file). */
type Requests = 'chained' | 'separate';

/**
 * 64 annotators doing claim → submit (consensus 3, majority vote) against `urls`: for `timing`
 * when given, else until the queue is drained.
 */
async function cycles(
  urls: string[],
  tasks: number,
  children: ChildProcess[],
  requests: Requests,
  timing?: Timing,
): Promise<Throughput> {
  const annotators = await prepareSimulation({
    url: urls[0]!,
    key: KEY,
    project: 'bench',
    tasks,
    consensus: 3,
    annotators: CLIENTS,
    leaseSeconds: 60,
  });
  return measured({
    urls,
    annotators,
    project: 'bench',
    seed: 7,
    done: async () => (await taskCount(urls[0]!, 'project=bench&status=pending')) === 0,
    chained: requests === 'chained',
    children,
    timing,
  });
}

/**
 * Annotators who always submit (no skips, lapses or retries), timed: over the steady middle 80%
 * of the run, or over `timing`'s measured part when given.
 */
async function measured(
  options: Pick<
    SimulationOptions,
    'urls' | 'annotators' | 'project' | 'seed' | 'done' | 'stopAfter' | 'chained'
  > & { children?: ChildProcess[]; timing?: Timing },
): Promise<Throughput> {
  const times: number[] = [];
  const children = options.children ?? [];
  const pids = () => children.map((child) => child.pid);
  const simulation = {
    ...options,
    labels: ['a', 'b', 'c'],
    abandonRate: 0,
    releaseRate: 0,
    duplicateRate: 0,
    onAck: () => times.push(performance.now()),
  };
  if (!options.timing) {
    const meter = CpuMeter.start(pids);
    const result = await simulate(simulation);
    const cpu = meter?.stop();
    const { from, to, count } = steadyWindow(times);
    return { ...summarize(result, from, to, count), cycles: result.acknowledged.length, cpu };
  }
  const { warmup, seconds } = options.timing;
  const from = performance.now() + warmup * 1000;
  const stopAt = from + seconds * 1000;
  let meter: { meter?: CpuMeter; acknowledged: number } | undefined;
  const warm = setTimeout(
    () => (meter = { meter: CpuMeter.start(pids), acknowledged: times.length }),
    warmup * 1000,
  );
  const result = await simulate({ ...simulation, stopAt });
  clearTimeout(warm);
  const cpu = meter?.meter?.stop();
  const last = times.at(-1) ?? from;
  const to = Math.min(stopAt, last);
  const count = times.filter((time) => time >= from && time <= to).length;
  return {
    ...summarize(result, from, to, count),
    cycles: times.length - (meter?.acknowledged ?? times.length),
    cpu,
    ...(last < stopAt ? { ranDryAfter: (last - from) / 1000 + warmup } : {}),
  };
}

/** Throughput and claim latency between `from` and `to`, in which `count` cycles ended. */
function summarize(result: SimulationResult, from: number, to: number, count: number) {
  const steady = result.claimLatencies.filter((_, i) => {
    const started = result.claimStarts[i]!;
    return started >= from && started <= to;
  });
  return {
    cyclesPerSecond: count / ((to - from) / 1000),
    claimP50: quantile(steady, 0.5),
    claimP99: quantile(steady, 0.99),
    claimP99All: quantile(result.claimLatencies, 0.99),
  };
}

async function servers(count: number, options: { databaseUrl?: string; dataDir?: string }) {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const children: ChildProcess[] = [];
  for (const port of ports)
    children.push(
      await serve({ ...options, port, key: KEY, env: { QUORUM_DB_POOL_SIZE: String(POOL) } }),
    );
  return { urls: ports.map((port) => `http://127.0.0.1:${port}`), children };
}

/**
 * The cycles against `count` server processes, stopped afterwards; with how many queue items
 * their sweepers reopened (lost claims), read once they stopped.
 */
async function servedCycles(
  tasks: number,
  count: number,
  options: { databaseUrl?: string; dataDir?: string },
  requests: Requests,
  timing?: Timing,
): Promise<Throughput & { reopened: number; errors: number }> {
  const { urls, children } = await servers(count, options);
  let result: Throughput;
  try {
    result = await cycles(urls, tasks, children, requests, timing);
  } finally {
    for (const child of children) await stop(child);
  }
  return {
    ...result,
    reopened: lostClaimsReopened(children),
    errors: serverErrors(children).length,
  };
}

async function quorumOnPostgres(
  tasks: number,
  processes: number,
  requests: Requests,
  timing: Timing,
) {
  const database = await createBenchDatabase('queue');
  try {
    return await servedCycles(tasks, processes, { databaseUrl: database.url }, requests, timing);
  } finally {
    await database.drop();
  }
}

async function quorumOnPglite(tasks: number, requests: Requests) {
  const dataDir = mkdtempSync(join(tmpdir(), 'quorum-bench-'));
  try {
    return await servedCycles(tasks, 1, { dataDir }, requests);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Claim latency against a shallow and a deep queue: the same project grows from `shallow` to
 * `deep` queued tasks (inserted with SQL, as an import would leave them), and 8 annotators do
 * 1,500 claim → submit cycles at each depth.
 */
async function deepQueue(shallow: number, deep: number) {
  const database = await createBenchDatabase('deep');
  const { urls, children } = await servers(1, { databaseUrl: database.url });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const annotators = await prepareSimulation({
      url: urls[0]!,
      key: KEY,
      project: 'deep',
      tasks: 0,
      consensus: 1,
      annotators: 8,
      leaseSeconds: 60,
    });
    const fill = async (from: number, to: number) => {
      for (let start = from; start < to; start += 100_000) {
        const end = Math.min(to, start + 100_000);
        await client.query(
          `insert into tasks (id, organization_id, livemode, kind, type, status, project_id, params)
           select 'deep' || lpad(g::text, 20, '0'), p.organization_id, p.livemode, 'task',
             'categorization', 'pending', p.id,
             '{"attachment": "x", "attachment_type": "text", "categories": ["a", "b", "c"], "allow_multiple": false}'
           from projects p, generate_series($1::int, $2::int) g where p.name = 'deep'`,
          [start, end - 1],
        );
      }
      await client.query(
        `insert into work_items (task_id, stage, organization_id, livemode, project_id, batch_id,
           open_slots, priority, deadline, seq)
         select t.id, 'attempt', t.organization_id, t.livemode, t.project_id, null, 1, 0, null, t.seq
         from tasks t where t.id like 'deep%' and t.status = 'pending'
         on conflict do nothing`,
      );
      await client.query('analyze');
    };
    const measure = (seed: number) =>
      measured({
        urls,
        annotators,
        project: 'deep',
        seed,
        done: async () => true,
        stopAfter: 1500,
      });
    await fill(0, shallow);
    const small = await measure(11);
    const queued = async () =>
      Number(
        (await client.query('select count(*) from work_items where open_slots > 0')).rows[0].count,
      );
    const smallDepth = await queued();
    const started = performance.now();
    await fill(shallow, deep);
    const fillSeconds = (performance.now() - started) / 1000;
    const large = await measure(12);
    return { small, large, smallDepth, largeDepth: await queued(), fillSeconds };
  } finally {
    await client.end();
    for (const child of children) await stop(child);
    await database.drop();
  }
}

/** The reliability run at full size: two processes on one PostgreSQL, one killed mid-run. */
async function reliability(tasks: number) {
  const database = await createBenchDatabase('reliability');
  const dataDir = mkdtempSync(join(tmpdir(), 'quorum-bench-'));
  const opened = await openDatabase({ databaseUrl: database.url, dataDir });
  const ports = [await freePort(), await freePort()];
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const env = { QUORUM_LEASE_SWEEP_MS: '500', QUORUM_DB_POOL_SIZE: String(POOL) };
  const start = (port: number) => serve({ databaseUrl: database.url, port, key: KEY, env });
  const children = [await start(ports[0]!), await start(ports[1]!)];
  const all = [...children];
  try {
    const annotators = await prepareSimulation({
      url: urls[0]!,
      key: KEY,
      project: 'sim',
      tasks,
      consensus: 3,
      annotators: CLIENTS,
      leaseSeconds: 10,
    });
    let killedAt: number | undefined;
    let restarted: Promise<void> | undefined;
    const started = performance.now();
    const result = await simulate({
      urls,
      annotators,
      project: 'sim',
      labels: ['a', 'b', 'c'],
      seed: 3,
      abandonRate: 0.01,
      releaseRate: 0.02,
      duplicateRate: 0.1,
      chained: true,
      done: async () => (await pendingTasks(opened.db)) === 0,
      onAck: (count) => {
        if (killedAt !== undefined || count < tasks) return;
        killedAt = count;
        children[0]!.kill('SIGKILL');
        restarted = new Promise((resolve) => setTimeout(resolve, 1000)).then(async () => {
          children[0] = await start(ports[0]!);
          all.push(children[0]);
        });
      },
    });
    await restarted;
    const seconds = (performance.now() - started) / 1000;
    const stored = await storedWork(opened.db);
    const problems = checkInvariants(stored, result, 3);
    const count = (status: string) =>
      stored.assignments.filter((row) => row.status === status).length;
    return {
      result,
      stored,
      problems,
      killedAt,
      seconds,
      count,
      reopened: lostClaimsReopened(all),
      errors: serverErrors(all).length,
    };
  } finally {
    for (const child of children) await stop(child, 'SIGKILL');
    await opened.close();
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}

export async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: 'string' },
      seconds: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '5' },
      tasks: { type: 'string', default: '40000' },
      'pglite-tasks': { type: 'string', default: '500' },
      deep: { type: 'string', default: '1000000' },
      'reliability-tasks': { type: 'string', default: '10000' },
      processes: { type: 'string', default: '1,2' },
      requests: { type: 'string', default: 'chained,separate' },
      rounds: { type: 'string', default: '1' },
    },
  });
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  const wanted = (part: string) => !only || only.has(part);
  const seconds = Number(values.seconds);
  const timing = { warmup: Number(values.warmup), seconds };
  const processes = values.processes.split(',').map(Number);
  const requests = values.requests.split(',') as Requests[];
  for (const way of requests)
    if (way !== 'chained' && way !== 'separate')
      throw new Error(`--requests: "${way}" is neither chained nor separate`);
  console.log(
    `queue: ${CLIENTS} concurrent clients, annotators in this process, ${POOL} database ` +
      `connections per server process` +
      (wanted('postgres')
        ? `; Quorum on PostgreSQL with ${processes.join(' and then ')} server process(es)`
        : '') +
      (wanted('postgres') || wanted('pglite')
        ? `; Quorum's cycles ${requests.join(' and then ')}`
        : '') +
      (wanted('pgboss') || wanted('postgres')
        ? `; pg-boss and Quorum on PostgreSQL measured for ${seconds} s after ${timing.warmup} s ` +
          `of warm-up`
        : '') +
      '\n',
  );

  const report = (label: string, result: Throughput, timed = false, latency = 'claim') => {
    console.log(
      `${label}: ${fixed(result.cyclesPerSecond)} claim+submit cycles/s ` +
        `(${fixed(result.cycles)} cycles); ${latency} p50 ${fixed(result.claimP50, 1)} ms, ` +
        `p99 ${fixed(result.claimP99, 1)} ms (${timed ? 'measured part' : 'steady middle 80%'}; ` +
        `p99 ${fixed(result.claimP99All, 1)} ms over the whole run)`,
    );
    if (result.ranDryAfter !== undefined)
      console.log(
        `  the queue ran dry after ${fixed(result.ranDryAfter, 1)} s: measured until then ` +
          `(raise --tasks)`,
      );
  };
  const cpuPerCycle = (result: Throughput, names: Parameters<typeof perUnit>[2]) =>
    console.log(`  CPU per cycle: ${perUnit(result.cpu, result.cycles, names)}`);
  const asked = {
    chained: 'each submission claiming the next',
    separate: 'claim and submit as separate requests',
  };
  // Each round measures the references and Quorum on PostgreSQL again, one after the other, so
  // a ratio compares runs minutes apart at most; the median of the rounds' ratios is the figure.
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds: "${values.rounds}" is not a whole number of at least 1`);
  const ratios = { pgbench: new Map<string, number[]>(), pgboss: new Map<string, number[]>() };
  for (let round = 1; round <= rounds; round += 1) {
    if (rounds > 1) console.log(`round ${round} of ${rounds}:`);
    const bench = wanted('pgbench') ? await pgbench(seconds) : undefined;
    if (bench) {
      console.log(`pgbench -N, ${CLIENTS} clients:       ${fixed(bench.tps)} TPS`);
      console.log(
        `  CPU per transaction: ${perUnit(bench.cpu, bench.transactions, { database: 'database', children: 'pgbench' })}`,
      );
    }
    const boss = wanted('pgboss') ? await pgBoss(timing) : undefined;
    if (boss) {
      console.log(`pg-boss fetch+complete, ${CLIENTS} workers: ${fixed(boss.rate)} jobs/s`);
      console.log(
        `  CPU per job: ${perUnit(boss.cpu, boss.jobs, { database: 'database', self: 'pg-boss workers' })}`,
      );
    }

    if (wanted('postgres'))
      for (const count of processes)
        for (const way of requests) {
          const result = await quorumOnPostgres(Number(values.tasks), count, way, timing);
          const served = `${count} server process${count === 1 ? '' : 'es'}`;
          report(
            `Quorum on PostgreSQL, ${served}, ${asked[way]}`,
            result,
            true,
            way === 'chained' ? 'submit+claim' : 'claim',
          );
          cpuPerCycle(result, { database: 'database', children: 'servers', self: 'annotators' });
          const label = `${served}, ${way}`;
          if (bench) {
            const ratio = result.cyclesPerSecond / bench.tps;
            ratios.pgbench.set(label, [...(ratios.pgbench.get(label) ?? []), ratio]);
            console.log(`  ratio to pgbench -N: ${ratio.toFixed(3)}× (target ≥ 0.5×)`);
          }
          if (boss) {
            const ratio = result.cyclesPerSecond / boss.rate;
            ratios.pgboss.set(label, [...(ratios.pgboss.get(label) ?? []), ratio]);
            console.log(`  ratio to pg-boss:    ${ratio.toFixed(2)}× (target ≥ 1×)`);
          }
          if (way === 'separate')
            console.log(`  claim p99 target < 50 ms: ${result.claimP99 < 50 ? 'met' : 'not met'}`);
          console.log(
            `  queue items the sweepers reopened (lost claims): ${fixed(result.reopened)}`,
          );
          console.log(`  errors the servers logged: ${fixed(result.errors)}`);
        }
  }
  if (rounds > 1)
    for (const [reference, target] of [
      ['pgbench', '≥ 0.5×'],
      ['pgboss', '≥ 1×'],
    ] as const)
      for (const [label, seen] of ratios[reference])
        console.log(
          `median of ${rounds} rounds, Quorum on PostgreSQL (${label}) to ` +
            `${reference === 'pgbench' ? 'pgbench -N' : 'pg-boss'}: ` +
            `${median(seen).toFixed(3)}× (target ${target}; rounds: ` +
            `${seen.map((ratio) => ratio.toFixed(3)).join(', ')})`,
        );
  if (wanted('pglite'))
    for (const way of requests) {
      const result = await quorumOnPglite(Number(values['pglite-tasks']), way);
      report(
        `Quorum on PGlite, ${asked[way]}`,
        result,
        false,
        way === 'chained' ? 'submit+claim' : 'claim',
      );
      cpuPerCycle(result, { children: 'server with its embedded database', self: 'annotators' });
      console.log(`  queue items the sweeper reopened (lost claims): ${fixed(result.reopened)}`);
      console.log(`  errors the server logged: ${fixed(result.errors)}`);
    }

  if (wanted('deep')) {
    const deep = await deepQueue(10_000, Number(values.deep));
    console.log(
      `\ndeep queue (PostgreSQL, 8 annotators, 1,500 cycles each depth; ` +
        `filled ${fixed(Number(values.deep) - 10_000)} tasks by SQL in ${fixed(deep.fillSeconds, 1)} s):`,
    );
    report(`  ${fixed(deep.smallDepth)} queued`, deep.small);
    report(`  ${fixed(deep.largeDepth)} queued`, deep.large);
    const ratio = deep.large.claimP50 / deep.small.claimP50;
    console.log(
      `  claim p50 ratio deep/shallow: ${ratio.toFixed(2)}×, p99 ratio ` +
        `${(deep.large.claimP99 / deep.small.claimP99).toFixed(2)}× (target ≤ 1.5×)`,
    );
  }

  if (wanted('reliability')) {
    const tasks = Number(values['reliability-tasks']);
    const {
      result,
      stored,
      problems,
      killedAt,
      seconds: took,
      count,
      reopened,
      errors,
    } = await reliability(tasks);
    console.log(
      `\nreliability: ${CLIENTS} annotators, ${fixed(tasks)} tasks, consensus 3, two server ` +
        `processes on one PostgreSQL, one killed with SIGKILL after ${fixed(killedAt ?? 0)} ` +
        `acknowledged submissions and restarted; ${fixed(took)} s`,
    );
    console.log(
      `  claims ${fixed(result.claims)}, acknowledged ${fixed(result.acknowledged.length)} ` +
        `(expected ${fixed(tasks * 3)}), stored answers ${fixed(stored.answers.length)}, ` +
        `late ${fixed(result.late.length)}, abandoned ${fixed(result.abandoned)}, released ` +
        `${fixed(result.released)}, replayed duplicates ${fixed(result.duplicatesReplayed)}, ` +
        `network errors ${fixed(result.networkErrors)}`,
    );
    console.log(
      `  assignments: submitted ${fixed(count('submitted'))}, expired ${fixed(count('expired'))}, ` +
        `released ${fixed(count('released'))}, late ${fixed(count('late'))}, still active ` +
        `${fixed(count('active'))}; queue items the sweepers reopened (lost claims): ${fixed(reopened)}; ` +
        `errors the servers logged: ${fixed(errors)}`,
    );
    console.log(
      problems.length === 0
        ? '  invariants: all hold'
        : `  invariants: ${problems.length} problems, first: ${problems.slice(0, 5).join('; ')}`,
    );
  }
}
