import { CompiledQuery } from 'kysely';
import { PgBoss, fromPglite, type Job } from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { OpenDatabase } from '../db/database';
import type { Executor } from '../db/executor';
import type { JobQueue, SendOptions } from './queue';

export type JobHandler<T> = (data: T, job: Job<T>) => Promise<void>;

/** pg-boss on the platform's own database, embedded or server. */
export class BossQueue implements JobQueue {
  readonly boss: PgBoss;
  #queues = new Set<string>();
  #started = false;

  constructor(
    database: OpenDatabase,
    private readonly log: FastifyBaseLogger,
  ) {
    this.boss = database.pglite
      ? new PgBoss({
          db: fromPglite(database.pglite),
          backend: 'pglite',
          schedule: false,
        })
      : new PgBoss({ connectionString: database.connectionString, max: 3, schedule: false });
    this.boss.on('error', (error) => this.log.error({ err: error }, 'job queue error'));
  }

  async start(queues: string[]): Promise<void> {
    await this.boss.start();
    this.#started = true;
    for (const name of queues) await this.#ensureQueue(name);
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.boss.stop({ graceful: true, close: true, timeout: 5_000 });
  }

  async send(tx: Executor, name: string, data: object, options: SendOptions = {}): Promise<void> {
    // An unknown queue would make pg-boss look it up on its own connection; on the embedded
    // database that connection is the one this transaction holds, and the process would hang.
    if (!this.#queues.has(name)) throw new Error(`Job queue "${name}" is not declared in QUEUES`);
    // pg-boss writes the job row through the caller's transaction: no commit, no job.
    const db = {
      executeSql: async (text: string, values?: unknown[]) => {
        const result = await tx.executeQuery(CompiledQuery.raw(text, values ?? []));
        return { rows: result.rows as never[] };
      },
    };
    await this.boss.send(name, data, {
      db,
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    });
  }

  /** Runs `handler` for each job of `name`; a throw leaves the job for pg-boss to retry. */
  async work<T extends object>(name: string, handler: JobHandler<T>, batchSize = 4): Promise<void> {
    await this.#ensureQueue(name);
    await this.boss.work<T>(name, { batchSize, pollingIntervalSeconds: 1 }, async (jobs) => {
      await Promise.all(jobs.map((job) => handler(job.data, job)));
    });
  }

  async #ensureQueue(name: string) {
    if (this.#queues.has(name)) return;
    await this.boss.createQueue(name);
    this.#queues.add(name);
  }
}
