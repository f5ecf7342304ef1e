import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSecretBox, loadSecretKey } from '../src/secrets';

const directory = mkdtempSync(join(tmpdir(), 'quorum-secrets-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Loads the key in a separate Node process and prints its hex. */
function keyInProcess(keyFile: string): Promise<string> {
  const script =
    "import { loadSecretKey } from './packages/server/src/secrets.ts';" +
    `process.stdout.write(loadSecretKey(undefined, ${JSON.stringify(keyFile)}).toString('hex'));`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
  });
}

describe('the secret key', () => {
  it('is one key for every process that starts on a fresh data directory at once', async () => {
    const keyFile = join(directory, 'shared', 'secret-key');
    const keys = await Promise.all(Array.from({ length: 6 }, () => keyInProcess(keyFile)));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(loadSecretKey(undefined, keyFile).toString('hex')).toBe(keys[0]);
    // No drafts are left behind, and the key is private to its owner.
    expect(readdirSync(join(directory, 'shared'))).toEqual(['secret-key']);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('seals and opens, and refuses a sealed value under another key', () => {
    const box = createSecretBox(loadSecretKey('one', join(directory, 'unused')));
    const other = createSecretBox(loadSecretKey('two', join(directory, 'unused')));
    const sealed = box.seal('sk-abc');
    expect(sealed).not.toContain('sk-abc');
    expect(box.open(sealed)).toBe('sk-abc');
    expect(() => other.open(sealed)).toThrow();
  });
});
