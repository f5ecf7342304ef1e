/**
 * Simulated annotators for the work queue's reliability tests and benchmark: each loops claim →
 * (abandon | release | submit, sometimes twice under the same key) over HTTP against one or
 * more servers, survives servers going away, and records what the server acknowledged. Chained,
 * each submission also claims the next task, as the web app's do.
 */
import { Pool } from 'undici';
import { CLAIM_PATH } from '@quorum/core';

export interface Annotator {
  id: string;
  token: string;
}

export interface SimulationOptions {
  /** Server base URLs; annotator i starts on urls[i % n] and fails over on network errors. */
  urls: string[];
  annotators: Annotator[];
  project: string;
  /** Categories to answer from. */
  labels: string[];
  seed: number;
  /** Share of claims left to lapse, released with a reason, and submitted twice. */
  abandonRate: number;
  releaseRate: number;
  duplicateRate: number;
  /** True once there is nothing left to do (checked when a claim finds nothing). */
  done: () => Promise<boolean>;
  /** Called after each acknowledged submission. */
  onAck?: (count: number) => void;
  /** Stop once this many submissions were acknowledged (a benchmark's fixed amount of work). */
  stopAfter?: number;
  /** Start no claim after this moment (`performance.now()`): a benchmark's fixed duration. */
  stopAt?: number;
  /**
   * Submit with `next`: the submission claims the next task in the same request, and a claim
   * request is made only when there is none (the first, after a skip or a lapse, when nothing
   * was eligible). A replayed submission must answer the claim its first request made.
   */
  chained?: boolean;
}

export interface Acknowledged {
  assignment: string;
  worker: string;
  stage: string;
}

export interface SimulationResult {
  acknowledged: Acknowledged[];
  /** Submissions answered 409 "kept as late". */
  late: Acknowledged[];
  claims: number;
  abandoned: number;
  released: number;
  duplicatesReplayed: number;
  networkErrors: number;
  /** Claim latencies in milliseconds (chained: of the submission that claimed, if one did). */
  claimLatencies: number[];
  /** When each claim started (`performance.now()`), in the order of `claimLatencies`. */
  claimStarts: number[];
}

/** mulberry32: a small seeded generator, so a run can be repeated. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class NetworkError extends Error {}

interface Claimed {
  id: string;
  stage: string;
}

/**
 * Kept-alive connections, one pool per server, with undici's client: the annotators share the
 * machine with the server they measure, and it costs them about two thirds of what Node's own
 * `http.request` does per request.
 */
const pools = new Map<string, Pool>();
const poolFor = (origin: string) => {
  let pool = pools.get(origin);
  if (!pool) pools.set(origin, (pool = new Pool(origin)));
  return pool;
};

/** A JSON POST over plain HTTP; rejects on network errors only. */
async function post(origin: string, path: string, headers: Record<string, string>, body: string) {
  const response = await poolFor(origin).request({ method: 'POST', path, headers, body });
  return { status: response.statusCode, text: await response.body.text() };
}

/** A run that has done nothing yet. */
export function emptySimulationResult(): SimulationResult {
  return {
    acknowledged: [],
    late: [],
    claims: 0,
    abandoned: 0,
    released: 0,
    duplicatesReplayed: 0,
    networkErrors: 0,
    claimLatencies: [],
    claimStarts: [],
  };
}

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const result = emptySimulationResult();
  let finished = false;

  async function run(annotator: Annotator, index: number) {
    const random = seeded(options.seed * 1000 + index);
    let server = index % options.urls.length;
    const call = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      // Retry on another server when one is unreachable (killed, restarting).
      for (let attempt = 0; ; attempt++) {
        try {
          const { status, text } = await post(
            options.urls[server]!,
            path,
            {
              authorization: `Bearer ${annotator.token}`,
              'content-type': 'application/json',
              ...headers,
            },
            JSON.stringify(body),
          );
          return { status, body: text ? JSON.parse(text) : undefined };
        } catch (error) {
          result.networkErrors++;
          server = (server + 1) % options.urls.length;
          if (attempt > 600) throw new NetworkError(String(error));
          await sleep(100);
        }
      }
    };
    const next = options.chained ? { next: { project: options.project } } : {};
    /** The claim the last submission made, worked on next. */
    let handed: Claimed | undefined;
    const claimedAt = (started: number) => {
      result.claimLatencies.push(performance.now() - started);
      result.claimStarts.push(started);
      result.claims++;
    };
    while (!finished) {
      let assignment: Claimed;
      if (handed) {
        assignment = handed;
        handed = undefined;
      } else {
        const started = performance.now();
        if (options.stopAt !== undefined && started >= options.stopAt) return;
        const claimed = await call(CLAIM_PATH, { project: options.project });
        if (claimed.status === 204) {
          if (await options.done()) {
            finished = true;
            return;
          }
          await sleep(100 + random() * 200);
          continue;
        }
        if (claimed.status === 409 && claimed.body?.field === 'maxOpenClaims') {
          // An abandoned claim still counts until its lease lapses.
          await sleep(250);
          continue;
        }
        if (claimed.status !== 200)
          throw new Error(`claim answered ${claimed.status}: ${JSON.stringify(claimed.body)}`);
        claimedAt(started);
        assignment = claimed.body.assignment as Claimed;
      }
      const record = {
        assignment: assignment.id,
        worker: annotator.id,
        stage: assignment.stage,
      };
      const roll = random();
      if (roll < options.abandonRate) {
        result.abandoned++;
        continue;
      }
      if (roll < options.abandonRate + options.releaseRate) {
        const released = await call(`/api/v1/assignments/${assignment.id}/release`, {
          reason: 'simulated skip',
        });
        if (released.status !== 200)
          throw new Error(`release answered ${released.status}: ${JSON.stringify(released.body)}`);
        result.released++;
        continue;
      }
      const label = options.labels[Math.floor(random() * options.labels.length)]!;
      const key = { 'idempotency-key': `${assignment.id}-once` };
      const started = performance.now();
      // Past the benchmark's time, no new claim either.
      const chained = options.stopAt !== undefined && started >= options.stopAt ? {} : next;
      const submitted = await call(
        `/api/v1/assignments/${assignment.id}/submit`,
        { response: { category: label }, ...chained },
        key,
      );
      if (submitted.status === 200) {
        result.acknowledged.push(record);
        options.onAck?.(result.acknowledged.length);
        if (options.stopAfter !== undefined && result.acknowledged.length >= options.stopAfter)
          finished = true;
        const made = submitted.body.next as { assignment: Claimed | null } | undefined;
        if (made?.assignment) {
          claimedAt(started);
          handed = made.assignment;
        }
      } else if (submitted.status === 409 && /kept as late/.test(submitted.body?.error ?? '')) {
        result.late.push(record);
        continue;
      } else {
        throw new Error(`submit answered ${submitted.status}: ${JSON.stringify(submitted.body)}`);
      }
      if (random() < options.duplicateRate) {
        const again = await call(
          `/api/v1/assignments/${assignment.id}/submit`,
          { response: { category: label }, ...chained },
          key,
        );
        if (again.status !== 200)
          throw new Error(
            `a replayed submit answered ${again.status}: ${JSON.stringify(again.body)}`,
          );
        const replayed = (again.body.next?.assignment ?? undefined) as Claimed | undefined;
        // The claim the first request made, while its lease holds (or, were it lost, a new one).
        if (handed && replayed?.id !== handed.id)
          throw new Error(
            `a replayed submit claimed ${replayed?.id ?? 'nothing'}, not ${handed.id} again`,
          );
        handed ??= replayed;
        result.duplicatesReplayed++;
      }
    }
  }

  await Promise.all(
    options.annotators.map((annotator, index) =>
      run(annotator, index).catch((error) => {
        finished = true;
        throw error;
      }),
    ),
  );
  return result;
}

/** What the database holds after a run, for the invariants. */
export interface StoredWork {
  tasks: Array<{ id: string; status: string; answer_count: number }>;
  answers: Array<{ task_id: string; worker: string }>;
  assignments: Array<{
    id: string;
    task_id: string;
    worker_id: string;
    status: string;
    stage: string;
  }>;
}

/**
 * The invariants every run must keep; returns the problems found (none when all hold):
 * every task completed with exactly `consensus` distinct annotators, and its answer count
 * agreeing; every acknowledged submission stored exactly once; nothing stored that was not
 * acknowledged; late work kept and not counted; no claim left holding a task; every answer and
 * assignment on a stored task (the queue's tables have no foreign keys, docs/adr/0004).
 */
export function checkInvariants(stored: StoredWork, run: SimulationResult, consensus: number) {
  const problems: string[] = [];
  const byTask = new Map<string, string[]>();
  for (const answer of stored.answers) {
    const workers = byTask.get(answer.task_id) ?? [];
    workers.push(answer.worker);
    byTask.set(answer.task_id, workers);
  }
  for (const task of stored.tasks) {
    if (task.status !== 'completed') problems.push(`task ${task.id} is ${task.status}`);
    const workers = byTask.get(task.id) ?? [];
    if (workers.length !== consensus)
      problems.push(`task ${task.id} has ${workers.length} answers, not ${consensus}`);
    if (task.answer_count !== workers.length)
      problems.push(
        `task ${task.id} counts ${task.answer_count} answers and has ${workers.length}`,
      );
    if (new Set(workers).size !== workers.length)
      problems.push(`task ${task.id} has an annotator twice`);
  }
  const stored_ = new Map<string, number>();
  for (const answer of stored.answers) {
    const key = `${answer.task_id}/${answer.worker}`;
    stored_.set(key, (stored_.get(key) ?? 0) + 1);
  }
  // A worker sees their own name for a task (not its id): the task is the stored assignment's.
  const taskOf = new Map(stored.assignments.map((row) => [row.id, row.task_id]));
  const keyOf = (ack: Acknowledged) =>
    `${taskOf.get(ack.assignment) ?? `(unstored ${ack.assignment})`}/${ack.worker}`;
  const acked = new Set<string>();
  for (const ack of run.acknowledged) {
    const key = keyOf(ack);
    if (acked.has(key)) problems.push(`${key} acknowledged twice`);
    acked.add(key);
    if (stored_.get(key) !== 1)
      problems.push(`acknowledged ${key} stored ${stored_.get(key) ?? 0} times`);
  }
  for (const key of stored_.keys())
    if (!acked.has(key)) problems.push(`${key} stored, never acknowledged`);
  const status = new Map(stored.assignments.map((row) => [row.id, row.status]));
  for (const late of run.late) {
    if (status.get(late.assignment) !== 'late')
      problems.push(`late ${late.assignment} is ${status.get(late.assignment)}`);
    if (stored_.has(keyOf(late))) problems.push(`late ${late.assignment} was counted`);
  }
  const tasks = new Set(stored.tasks.map((task) => task.id));
  for (const answer of stored.answers)
    if (!tasks.has(answer.task_id)) problems.push(`an answer of ${answer.worker} has no task`);
  for (const row of stored.assignments)
    if (!tasks.has(row.task_id)) problems.push(`assignment ${row.id} has no task`);
  for (const row of stored.assignments)
    if (row.status === 'active') {
      const task = stored.tasks.find((t) => t.id === row.task_id);
      if (task?.status === 'pending')
        problems.push(`assignment ${row.id} still holds a pending task`);
    }
  return problems;
}
