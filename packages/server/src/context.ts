import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './env';
import type { OpenDatabase } from './db/database';
import type { JobQueue } from './jobs/queue';
import type { AssetStore } from './assets/store';
import type { EgressGuard } from './egress/guard';
import type { SecretBox } from './secrets';
import type { ModelClient } from './services/model-client';

/** What routes and jobs are given: the process's long-lived parts, built once at start. */
export interface AppContext {
  config: Config;
  database: OpenDatabase;
  queue: JobQueue;
  assets: AssetStore;
  egress: EgressGuard;
  /** Chat completions through the egress guard, with per-endpoint concurrency for the process. */
  models: ModelClient;
  secrets: SecretBox;
  log: FastifyBaseLogger;
  now: () => Date;
}
