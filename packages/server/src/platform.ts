import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './env';
import type { AppContext } from './context';
import { openDatabase, type OpenDatabase } from './db/database';
import { migrateToLatest } from './db/migrate';
import { expireLeases } from './repositories/workforce';
import { inTransaction } from './db/executor';
import { keepUp, outgrownStatistics, upkeepDue, type UpkeepRule } from './db/upkeep';
import { bootstrap, type BootstrapResult } from './services/api-keys';
import { LOST_CLAIMS_REOPENED, reopenLostClaims } from './services/work';
import { ensureOwner } from './services/workers';
import { BossQueue } from './jobs/boss';
import { startWorkers, QUEUES } from './jobs/workers';
import { createAssetStore } from './assets/index';
import { createEgressGuard } from './egress/guard';
import { buildApp } from './app';
import { createSecretBox, loadSecretKey } from './secrets';
import { createModelClient } from './services/model-client';

export interface Platform {
  app: FastifyInstance;
  ctx: AppContext;
  bootstrap: BootstrapResult;
  /** The address the server listens on, once `listen` resolved. */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Listen on the configured port; tests pass 0 for an ephemeral one. */
  port?: number;
  logger?: pino.Logger;
  /** An already-open database (tests share one per file). */
  database?: OpenDatabase;
}

/**
 * Runs `work` every `intervalMs`, one run at a time; a failed run is logged and the next one
 * goes ahead. Returns a stop that waits for the run under way.
 */
function every(
  ctx: AppContext,
  intervalMs: number,
  what: string,
  work: () => Promise<unknown>,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(work)
      .catch((error: unknown) => ctx.log.warn({ err: error }, `${what} failed`));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * Returns lapsed claims to the work queue every `intervalMs` (claims that find nothing also do
 * it on the spot), and reopens claims the queue lost (logged as a warning: it should find none).
 * Several processes may sweep at once: each skips rows another holds.
 */
function startLeaseSweeper(ctx: AppContext, intervalMs: number): () => Promise<void> {
  return every(ctx, intervalMs, 'lease sweep', async () => {
    const expired = await inTransaction(ctx.database.db, (tx) => expireLeases(tx, ctx.now()));
    if (expired > 0) ctx.log.info({ expired }, 'lapsed claims returned to the queue');
    const reopened = await inTransaction(ctx.database.db, (tx) => reopenLostClaims(tx));
    if (reopened.length > 0)
      ctx.log.warn(
        { reopened: reopened.map((item) => `${item.task_id} ${item.stage} +${item.open_slots}`) },
        LOST_CLAIMS_REOPENED,
      );
  });
}

/**
 * Table upkeep every `intervalMs` by `due`'s rule: on the embedded database, which has no
 * autovacuum, all of it; on PostgreSQL, analyzing the tables that outgrew their statistics
 * before autovacuum comes by (`db/upkeep.ts`).
 */
function startUpkeep(ctx: AppContext, intervalMs: number, due: UpkeepRule): () => Promise<void> {
  return every(ctx, intervalMs, 'table upkeep', async () => {
    const started = performance.now();
    const steps = await keepUp(ctx.database.db, due);
    if (steps.length > 0)
      ctx.log.info(
        { steps, ms: Math.round(performance.now() - started) },
        'tables analyzed or vacuumed',
      );
  });
}

/** Opens the database, migrates, bootstraps, starts the job workers and the HTTP server. */
export async function startPlatform(config: Config, options: StartOptions = {}): Promise<Platform> {
  const log = options.logger ?? pino({ level: config.logLevel });
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
      prepare: config.databasePrepare,
      onIdleError: (error) => log.warn({ err: error }, 'idle database connection failed'),
    }));
  const ownsDatabase = !options.database;
  const closers: Array<() => Promise<void>> = [];
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    const boot = await inTransaction(database.db, async (tx) => {
      const result = await bootstrap(tx, {
        bootstrapKey: config.bootstrapKey,
        adminKeyFile: join(config.dataDir, 'admin-key'),
      });
      const owner = await ensureOwner(
        tx,
        { organizationId: result.organizationId, livemode: true },
        { email: config.ownerEmail, password: config.ownerPassword },
        new Date(),
      );
      return owner ? { ...result, owner } : result;
    });
    const queue = new BossQueue(database, log);
    await queue.start(QUEUES);
    closers.push(() => queue.stop());
    const egress = createEgressGuard({ allow: config.egressAllow });
    const now = () => new Date();
    const ctx: AppContext = {
      config,
      database,
      queue,
      assets: createAssetStore(config.assets),
      egress,
      // One client per process, so each endpoint's concurrency limit holds across every caller.
      models: createModelClient(egress, { now }),
      secrets: createSecretBox(loadSecretKey(config.secretKey, join(config.dataDir, 'secret-key'))),
      log,
      now,
    };
    if (config.runWorkers) {
      await startWorkers(queue, ctx);
      closers.push(startLeaseSweeper(ctx, config.leaseSweepMs));
      closers.push(
        database.kind === 'pglite'
          ? startUpkeep(ctx, config.upkeepMs, upkeepDue)
          : startUpkeep(ctx, config.statisticsMs, outgrownStatistics),
      );
    }
    const app = await buildApp(ctx);
    closers.unshift(() => app.close());
    const address = await app.listen({ host: config.host, port: options.port ?? config.port });
    return {
      app,
      ctx,
      bootstrap: boot,
      url: address,
      close: async () => {
        for (const close of closers) await close();
        if (ownsDatabase) await database.close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    if (ownsDatabase) await database.close().catch(() => undefined);
    throw error;
  }
}
