import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything the server reads from its environment; the only reader of `process.env`. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Prepare repeated statements on PostgreSQL connections (off behind a transaction pooler). */
  databasePrepare: boolean;
  bootstrapKey: string | undefined;
  /** The first owner's sign-in; without a password one is generated and printed once. */
  ownerEmail: string | undefined;
  /** Encrypts stored model API keys; processes sharing a database must share it. */
  secretKey: string | undefined;
  ownerPassword: string | undefined;
  /** Largest request body accepted, in bytes; larger answers 413. */
  bodyLimit: number;
  /** Largest uploaded or imported file, in bytes. */
  fileLimit: number;
  /** Largest ZIP archive an import accepts, in bytes (it is read into memory whole). */
  archiveLimit: number;
  /** Hosts and CIDRs the egress guard lets through although they are private. */
  egressAllow: string[];
  /** Public base URL used in links the API returns (attachment URLs). */
  publicUrl: string;
  assets: AssetConfig;
  logLevel: string;
  /** Run background workers (callbacks) in this process. */
  runWorkers: boolean;
  /** The built web app served at `/`. */
  webDir: string;
  /** Callback retries: attempts per delivery (Scale's 20) and a factor on the delays (1). */
  callbackMaxAttempts: number;
  callbackRetryScale: number;
  /** How often lapsed claims are returned to the work queue. */
  leaseSweepMs: number;
  /** How often the embedded database's tables are checked for analyzing and vacuuming. */
  upkeepMs: number;
  /** How often PostgreSQL's tables are checked for statistics they outgrew. */
  statisticsMs: number;
}

export type AssetConfig =
  | { kind: 'local'; directory: string }
  | {
      kind: 's3';
      endpoint: string;
      region: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
      forcePathStyle: boolean;
    };

type Env = Record<string, string | undefined>;

/** Reads and checks the configuration; throws one message naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min = 0): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      problems.push(`${name} must be an integer >= ${min} (got ${JSON.stringify(raw)})`);
      return fallback;
    }
    return value;
  };
  const number = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      problems.push(`${name} must be a non-negative number (got ${JSON.stringify(raw)})`);
      return fallback;
    }
    return value;
  };
  const onOff = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'on' || raw === 'off') return raw === 'on';
    problems.push(`${name} must be "on" or "off" (got ${JSON.stringify(raw)})`);
    return fallback;
  };
  const dataDir = resolve(env.QUORUM_DATA_DIR || './data');
  const host = env.QUORUM_HOST || '127.0.0.1';
  const port = integer('QUORUM_PORT', integer('PORT', 8080));
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const assets = readAssets(env, dataDir, problems);
  const config: Config = {
    host,
    port,
    dataDir,
    databaseUrl,
    databasePoolSize: integer('QUORUM_DB_POOL_SIZE', 10, 1),
    databasePrepare: onOff('QUORUM_DB_PREPARE', true),
    bootstrapKey: env.QUORUM_BOOTSTRAP_KEY || undefined,
    secretKey: env.QUORUM_SECRET_KEY || undefined,
    ownerEmail: env.QUORUM_OWNER_EMAIL?.trim().toLowerCase() || undefined,
    ownerPassword: env.QUORUM_OWNER_PASSWORD || undefined,
    bodyLimit: integer('QUORUM_BODY_LIMIT', 10 * 1024 * 1024, 1024),
    fileLimit: integer('QUORUM_FILE_LIMIT', 100 * 1024 * 1024, 1024),
    archiveLimit: integer('QUORUM_ARCHIVE_LIMIT', 256 * 1024 * 1024, 1024),
    egressAllow: (env.QUORUM_EGRESS_ALLOW ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    publicUrl: (env.QUORUM_PUBLIC_URL || `http://${host}:${port}`).replace(/\/+$/, ''),
    assets,
    logLevel: env.QUORUM_LOG_LEVEL || 'info',
    runWorkers: env.QUORUM_WORKERS !== 'off',
    callbackMaxAttempts: integer('QUORUM_CALLBACK_MAX_ATTEMPTS', 20, 1),
    callbackRetryScale: number('QUORUM_CALLBACK_RETRY_SCALE', 1),
    leaseSweepMs: integer('QUORUM_LEASE_SWEEP_MS', 5000, 50),
    upkeepMs: integer('QUORUM_DB_UPKEEP_MS', 60_000, 100),
    statisticsMs: integer('QUORUM_DB_STATISTICS_MS', 5000, 100),
    webDir: resolve(
      env.QUORUM_WEB_DIR || fileURLToPath(new URL('../../web/dist', import.meta.url)),
    ),
  };
  if (config.ownerEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(config.ownerEmail))
    problems.push('QUORUM_OWNER_EMAIL must be an email address');
  if (config.ownerPassword !== undefined && config.ownerPassword.length < 10)
    problems.push('QUORUM_OWNER_PASSWORD must be at least 10 characters long');
  if (problems.length > 0) throw new Error(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  return config;
}

function readAssets(env: Env, dataDir: string, problems: string[]): AssetConfig {
  const bucket = env.QUORUM_S3_BUCKET;
  if (!bucket)
    return { kind: 'local', directory: resolve(env.QUORUM_ASSET_DIR || `${dataDir}/assets`) };
  const required = ['QUORUM_S3_ENDPOINT', 'QUORUM_S3_ACCESS_KEY_ID', 'QUORUM_S3_SECRET_ACCESS_KEY'];
  for (const name of required)
    if (!env[name]) problems.push(`${name} is required with QUORUM_S3_BUCKET`);
  return {
    kind: 's3',
    endpoint: env.QUORUM_S3_ENDPOINT ?? '',
    region: env.QUORUM_S3_REGION || 'us-east-1',
    bucket,
    accessKeyId: env.QUORUM_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.QUORUM_S3_SECRET_ACCESS_KEY ?? '',
    forcePathStyle: env.QUORUM_S3_FORCE_PATH_STYLE !== 'false',
  };
}
