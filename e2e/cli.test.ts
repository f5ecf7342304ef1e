import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuorumClient, type ScaleTask } from '@quorum/sdk';
import { startTestPlatform, type TestPlatform } from '../packages/server/test/harness';
import { CLI_BIN, jsonLines, runCli } from './support/cli';

/*
 * The `quorum` commands that talk to a server (projects, tasks, export), run as a user runs them:
 * a child process with QUORUM_URL and QUORUM_API_KEY, against the real server. The CLI is an
 * HTTP client, so one backend is enough here; the server's own tests run both.
 */
describe('quorum projects, tasks and export against a running server', () => {
  let t: TestPlatform;
  let sdk: QuorumClient;
  let env: Record<string, string>;
  let work: string;
  const completed: string[] = [];

  beforeAll(async () => {
    t = await startTestPlatform('pglite');
    sdk = new QuorumClient({ url: t.url, apiKey: t.key });
    env = { QUORUM_URL: t.url, QUORUM_API_KEY: t.key };
    work = mkdtempSync(join(tmpdir(), 'quorum-cli-'));
    await sdk.projects.create({
      type: 'categorization',
      name: 'cli-cats',
      params: { categories: ['cat', 'dog'] },
    });
    await sdk.batches.create({ project: 'cli-cats', name: 'cli-cats-1' });
    const created = await sdk.tasks.bulkCreate(
      Array.from({ length: 7 }, (_, i) => ({
        type: 'categorization',
        batch: 'cli-cats-1',
        attachment: `picture ${i}`,
        unique_id: `u${i}`,
      })),
    );
    for (const id of created.task_ids.slice(0, 3)) {
      await sdk.tasks.complete(id, { category: 'cat' });
      completed.push(id);
    }
  });
  afterAll(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('connection', () => {
    it('says which setting is missing when there is no server or key, with exit code 2', async () => {
      const noUrl = await runCli(['projects'], { env: { QUORUM_API_KEY: t.key } });
      expect(noUrl.code).toBe(2);
      expect(noUrl.stderr).toContain('--url URL or set QUORUM_URL');
      expect(noUrl.stdout).toBe('');
      const noKey = await runCli(['projects', '--url', t.url]);
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toContain('set QUORUM_API_KEY (or pass --key)');
    });

    it('takes --url and --key over the environment', async () => {
      const run = await runCli(['projects', '--json', '--url', t.url, '--key', t.key], {
        env: { QUORUM_URL: 'http://127.0.0.1:9', QUORUM_API_KEY: 'live_wrong' },
      });
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as Array<{ name: string }>).map((p) => p.name)).toContain(
        'cli-cats',
      );
    });

    it('exits 1 with the server’s reason when the key is refused', async () => {
      const run = await runCli(['tasks'], {
        env: { QUORUM_URL: t.url, QUORUM_API_KEY: 'live_notakey00000000000000000000000' },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^quorum tasks: the server refused the API key/);
      expect(run.stdout).toBe('');
    });
  });

  describe('projects', () => {
    it('creates a project with default parameters and lists it (table and JSON)', async () => {
      const created = await runCli(
        [
          'projects',
          'create',
          'cli-made',
          '--type',
          'categorization',
          '--params',
          '{"categories":["a","b"]}',
          '--json',
        ],
        { env },
      );
      expect(created.code).toBe(0);
      const project = JSON.parse(created.stdout) as { name: string; type: string };
      expect(project).toMatchObject({ name: 'cli-made', type: 'categorization' });
      expect((await sdk.projects.get('cli-made')).param_history.at(-1)).toMatchObject({
        categories: ['a', 'b'],
      });

      const table = await runCli(['projects'], { env });
      expect(table.code).toBe(0);
      const [header, ...rows] = table.stdout.trimEnd().split('\n');
      expect(header).toMatch(/^NAME\s+TYPE\s+CREATED \(UTC\)$/);
      expect(
        rows.some((row) => /^cli-made\s+categorization\s+\d{4}-\d\d-\d\d \d\d:\d\d$/.test(row)),
      ).toBe(true);
    });

    it('refuses a create without a type (exit 2) and reports the server’s refusal (exit 1)', async () => {
      const noType = await runCli(['projects', 'create', 'x'], { env });
      expect(noType.code).toBe(2);
      expect(noType.stderr).toContain('--type is required');
      const duplicate = await runCli(
        [
          'projects',
          'create',
          'cli-cats',
          '--type',
          'categorization',
          '--params',
          '{"categories":["a"]}',
        ],
        { env },
      );
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toMatch(/^quorum projects: .+\(HTTP 409 /);
    });
  });

  describe('tasks', () => {
    it('lists every task of a project as JSON lines, paging through the server', async () => {
      const run = await runCli(['tasks', '--project', 'cli-cats', '--json'], { env });
      expect(run.code).toBe(0);
      const tasks = jsonLines(run.stdout) as ScaleTask[];
      expect(tasks).toHaveLength(7);
      expect(new Set(tasks.map((task) => task.unique_id))).toEqual(
        new Set(Array.from({ length: 7 }, (_, i) => `u${i}`)),
      );
    });

    it('filters by status and batch and stops at --limit', async () => {
      const done = await runCli(
        ['tasks', '--project', 'cli-cats', '--status', 'completed', '--json'],
        {
          env,
        },
      );
      expect((jsonLines(done.stdout) as ScaleTask[]).map((task) => task.task_id).sort()).toEqual(
        [...completed].sort(),
      );
      const limited = await runCli(['tasks', '--batch', 'cli-cats-1', '--limit', '2', '--json'], {
        env,
      });
      expect(jsonLines(limited.stdout)).toHaveLength(2);
      const bad = await runCli(['tasks', '--status', 'done'], { env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--status must be one of pending, completed, canceled, error');
    });

    it('prints a table with a header and one aligned row per task', async () => {
      const run = await runCli(['tasks', '--project', 'cli-cats', '--status', 'pending'], { env });
      expect(run.code).toBe(0);
      const [header, ...rows] = run.stdout.trimEnd().split('\n');
      expect(header).toMatch(/^TASK\s+STATUS\s+TYPE\s+BATCH\s+UNIQUE ID\s+CREATED \(UTC\)$/);
      expect(rows).toHaveLength(4);
      const statusColumn = header!.indexOf('STATUS');
      for (const row of rows)
        expect(row.slice(statusColumn)).toMatch(/^pending\s+categorization\s+cli-cats-1\s+u\d/);
    });

    it('stops quietly when the reader closes the pipe (quorum tasks | head)', async () => {
      // More output than a pipe holds, so the CLI is still writing when the reader goes.
      await sdk.projects.create({
        type: 'categorization',
        name: 'cli-many',
        params: { categories: ['a'] },
      });
      await sdk.tasks.bulkCreate(
        Array.from({ length: 400 }, (_, i) => ({
          project: 'cli-many',
          attachment: `text ${i} `.repeat(20),
        })),
        { type: 'categorization' },
      );
      const child = spawn(process.execPath, [CLI_BIN, 'tasks', '--project', 'cli-many', '--json'], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let received = 0;
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      child.stdout.once('data', (chunk: Buffer) => {
        received = chunk.length;
        child.stdout.destroy();
      });
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(400 * 300);
      expect(stderr).toBe('');
      expect(code).toBe(0);
    });
  });

  describe('export', () => {
    it('streams the completed tasks as JSON lines to a file and sums up on standard error', async () => {
      const out = join(work, 'cats.jsonl');
      const run = await runCli(
        ['export', '--project', 'cli-cats', '--format', 'jsonl', '--out', out],
        {
          env,
        },
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /^Exported 3 tasks \([\d.]+ [KM]?i?B\) of cli-cats as jsonl to .*cats\.jsonl in \d+s\n$/,
      );
      const records = jsonLines(readFileSync(out, 'utf8')) as Array<{
        task_id: string;
        response: unknown;
      }>;
      expect(records.map((record) => record.task_id).sort()).toEqual([...completed].sort());
      expect(records[0]!.response).toEqual({ category: 'cat' });
    });

    it('gives a JSON summary with --json, and every task with --status all', async () => {
      const out = join(work, 'all.jsonl');
      const run = await runCli(
        [
          'export',
          '--project',
          'cli-cats',
          '--format',
          'jsonl',
          '--status',
          'all',
          '--answers',
          '--out',
          out,
          '--json',
        ],
        { env },
      );
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({
        project: 'cli-cats',
        format: 'jsonl',
        out,
        tasks: 7,
        bytes: statSync(out).size,
      });
      expect(run.stderr).toBe('');
      expect(jsonLines(readFileSync(out, 'utf8'))).toHaveLength(7);
    });

    it('writes the Scale format to standard output with --out -', async () => {
      const run = await runCli(
        ['export', '--project', 'cli-cats', '--format', 'scale', '--out', '-', '--quiet'],
        {
          env,
        },
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const tasks = JSON.parse(run.stdout) as ScaleTask[];
      expect(tasks.map((task) => task.task_id).sort()).toEqual([...completed].sort());
      expect(tasks.every((task) => task.status === 'completed')).toBe(true);
    });

    it('leaves nothing behind when the server refuses, and keeps an existing file', async () => {
      const folder = join(work, 'refused');
      mkdirSync(folder);
      const out = join(folder, 'x.jsonl');
      writeFileSync(out, 'previous\n');
      const missing = await runCli(
        ['export', '--project', 'no-such-project', '--format', 'jsonl', '--out', out],
        {
          env,
        },
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^quorum export: .*\(HTTP 404 not_found/);
      const unknown = await runCli(
        ['export', '--project', 'cli-cats', '--format', 'nope', '--out', out],
        { env },
      );
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('format');
      expect(readdirSync(folder)).toEqual(['x.jsonl']);
      expect(readFileSync(out, 'utf8')).toBe('previous\n');
    });

    it('checks the command line before asking the server', async () => {
      const noFolder = await runCli(
        [
          'export',
          '--project',
          'cli-cats',
          '--format',
          'jsonl',
          '--out',
          join(work, 'absent', 'x.jsonl'),
        ],
        { env },
      );
      expect(noFolder.code).toBe(2);
      expect(noFolder.stderr).toContain('does not exist');
      const zipOfText = await runCli(
        ['export', '--project', 'cli-cats', '--format', 'jsonl', '--zip', '--out', 'x'],
        {
          env,
        },
      );
      expect(zipOfText.code).toBe(2);
      expect(zipOfText.stderr).toContain('--zip is for formats that are archives');
      const mixed = await runCli(
        ['export', '--project', 'cli-cats', '--format', 'jsonl', '--out', '-', '--json'],
        {
          env,
        },
      );
      expect(mixed.code).toBe(2);
    });
  });
});
