import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../packages/server/test/harness';
import { freePort } from './support/queue-run';

const BIN = new URL('../packages/cli/bin/quorum.js', import.meta.url).pathname;

/** Starts `quorum serve` as `npm start` does and waits for its first line of output. */
function serve(
  dataDir: string,
  port: number,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...process.env,
      QUORUM_DATA_DIR: dataDir,
      QUORUM_PORT: String(port),
      QUORUM_LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      if (text.includes('Quorum is running')) {
        clearInterval(check);
        resolve({ child, output: () => text });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`quorum serve exited with ${code}:\n${text}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('quorum serve on the embedded database (what npm start runs)', () => {
  let dataDir: string;
  let port: number;
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'quorum-serve-'));
    port = await freePort();
    server = await serve(dataDir, port);
  });
  afterAll(async () => {
    if (server) await stop(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a generated admin key once and saves it readable by the owner only', async () => {
    const key = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
    expect(key).toMatch(/^live_[A-Za-z0-9]{32}$/);
    expect(server.output()).toContain(key);
    expect(statSync(join(dataDir, 'admin-key')).mode & 0o777).toBe(0o600);
    const response = await fetch(`http://127.0.0.1:${port}/v1/projects`, {
      headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
    });
    expect(response.status).toBe(200);
  });

  it('answers /healthz and serves the web page at /', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/(html|plain)/);
  });

  it('refuses a second process on the same data directory, saying why', () => {
    const second = spawnSync(process.execPath, [BIN, 'keys', 'list'], {
      env: { ...process.env, QUORUM_DATA_DIR: dataDir, DATABASE_URL: '' },
      encoding: 'utf8',
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('in use by process');
    expect(second.stderr).toContain('DATABASE_URL');
  });

  it('keeps the key across a restart and lets the CLI manage keys while stopped', async () => {
    const key = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
    expect(await stop(server.child)).toBe(0);
    const created = spawnSync(
      process.execPath,
      [BIN, 'keys', 'create', '--name', 'ci', '--test', '--json'],
      {
        env: { ...process.env, QUORUM_DATA_DIR: dataDir, DATABASE_URL: '' },
        encoding: 'utf8',
      },
    );
    expect(created.status).toBe(0);
    const { key: testKey, id } = JSON.parse(created.stdout) as { key: string; id: string };
    expect(testKey).toMatch(/^test_/);
    const listed = spawnSync(process.execPath, [BIN, 'keys', 'list'], {
      env: { ...process.env, QUORUM_DATA_DIR: dataDir, DATABASE_URL: '' },
      encoding: 'utf8',
    });
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(testKey);

    const org = spawnSync(process.execPath, [BIN, 'orgs', 'create', 'acme', '--json'], {
      env: { ...process.env, QUORUM_DATA_DIR: dataDir, DATABASE_URL: '' },
      encoding: 'utf8',
    });
    expect(org.status).toBe(0);
    const acmeKey = (JSON.parse(org.stdout) as { key: string }).key;

    server = await serve(dataDir, port);
    expect(server.output()).not.toContain(key);
    const auth = (k: string) => ({
      authorization: `Basic ${Buffer.from(`${k}:`).toString('base64')}`,
    });
    expect(
      (await fetch(`http://127.0.0.1:${port}/v1/projects`, { headers: auth(key) })).status,
    ).toBe(200);
    expect(
      (await fetch(`http://127.0.0.1:${port}/v1/projects`, { headers: auth(testKey) })).status,
    ).toBe(200);
  });

  it('explains unknown commands and shows help', () => {
    const unknown = spawnSync(process.execPath, [BIN, 'frobnicate'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('serve');
    expect(help.stdout).toContain('keys');
  });
});

describe('two quorum serve processes sharing PostgreSQL', () => {
  let shared: TestDatabase;
  const servers: Array<Awaited<ReturnType<typeof serve>>> = [];
  const ports: number[] = [];
  const key = 'live_sharedprocesskey0000000000000';
  beforeAll(async () => {
    shared = await createTestDatabase('postgres');
    // The test's own pool is closed so only the two processes use the database.
    await shared.database.close();
    for (let i = 0; i < 2; i++) ports.push(await freePort());
    servers.push(
      ...(await Promise.all(
        ports.map((port) =>
          serve(shared.dataDir, port, { DATABASE_URL: shared.url!, QUORUM_BOOTSTRAP_KEY: key }),
        ),
      )),
    );
  });
  afterAll(async () => {
    for (const server of servers) await stop(server.child);
    await shared?.drop().catch(() => undefined);
  });

  it('writes through one process and reads through the other', async () => {
    const auth = {
      authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
      'content-type': 'application/json',
    };
    const [a, b] = ports.map((port) => `http://127.0.0.1:${port}`);
    const project = await fetch(`${a}/v1/projects`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'categorization', name: 'shared' }),
    });
    expect(project.status).toBe(200);
    const fromB = await fetch(`${b}/v1/projects/shared`, { headers: auth });
    expect(fromB.status).toBe(200);
    const keys = (await (await fetch(`${b}/api/v1/keys`, { headers: auth })).json()) as {
      docs: unknown[];
    };
    expect(keys.docs).toHaveLength(1);
  });
});
