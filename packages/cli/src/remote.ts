import { once } from 'node:events';
import { QuorumClient, QuorumError } from '@quorum/sdk';
import { InputError, readCommandLine } from './csv';

/*
 * What the commands that talk to a running server share: the connection flags, the client, the
 * way failures are told, and writing to standard output at the reader's pace.
 */

/** The flags every remote command takes. */
export const REMOTE_FLAGS = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

export const CONNECTION_HELP = `Connection (every command that talks to a server):
  --url URL    the server, e.g. http://127.0.0.1:8080 (default: $QUORUM_URL)
  --key KEY    an API key (default: $QUORUM_API_KEY; prefer the variable: a flag is visible to
               other users in the process list)
  --json       machine-readable output on standard output`;

/** The process environment the CLI reads (only these two variables). */
export interface RemoteEnvironment {
  QUORUM_URL?: string | undefined;
  QUORUM_API_KEY?: string | undefined;
}

/** The client for `--url`/`--key`, falling back to QUORUM_URL/QUORUM_API_KEY. */
export function clientFor(
  values: { url?: string | undefined; key?: string | undefined },
  env: RemoteEnvironment = process.env,
): QuorumClient {
  const url = values.url ?? env.QUORUM_URL;
  const key = values.key ?? env.QUORUM_API_KEY;
  if (!url)
    throw new InputError(
      'no server given: pass --url URL or set QUORUM_URL (e.g. http://127.0.0.1:8080)',
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`--url: "${url}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new InputError(`--url: "${url}" is not an http or https URL`);
  if (!key)
    throw new InputError(
      'no API key given: set QUORUM_API_KEY (or pass --key); "quorum keys create" makes one',
    );
  return new QuorumClient({ url: parsed.toString(), apiKey: key });
}

/** Parses a remote command's flags (the connection flags and `options`) and positionals. */
export function readRemoteFlags<T extends Record<string, FlagSpec>>(
  args: string[],
  options: T,
  command: string,
) {
  return readCommandLine(args, { ...REMOTE_FLAGS, ...options }, command, true);
}

type FlagSpec = { type: 'string' | 'boolean'; default?: string | boolean };

/** A server's refusal or an unreachable server, as one line for standard error. */
export function describeFailure(error: QuorumError): string {
  if (error.code === 'network_error') return `cannot reach the server: ${error.message}`;
  if (error.status === 401)
    return `the server refused the API key (${error.message}); check --key or QUORUM_API_KEY`;
  // Import errors name the line in both the message and the field: said once is enough.
  const field = error.field && !error.message.includes(error.field) ? `, field ${error.field}` : '';
  return `${error.message} (HTTP ${error.status} ${error.code}${field})`;
}

/**
 * Runs a remote command: a bad command line or local file (InputError) exits 2, a refusal by the
 * server or a failed connection exits 1, each with one line on standard error. Anything else is a
 * bug and is left to main.
 */
export async function runRemote(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof OutputClosed) return 0;
    if (error instanceof InputError) {
      console.error(`quorum ${command}: ${error.message}`);
      return 2;
    }
    if (error instanceof QuorumError) {
      console.error(`quorum ${command}: ${describeFailure(error)}`);
      return 1;
    }
    throw error;
  }
}

/** Standard output was closed by its reader (`quorum tasks | head`): stop quietly. */
export class OutputClosed extends Error {}

/** A writable that may be closed by its reader, such as standard output. */
export interface OutputStream extends NodeJS.WritableStream {
  writableNeedDrain?: boolean;
}

/**
 * Writes to standard output at the reader's pace: waits for the stream to drain when its buffer
 * is full, so a million rows are never held in memory, and turns a closed pipe (EPIPE) into
 * OutputClosed, which ends the command quietly.
 */
export class Output {
  readonly #stream: OutputStream;
  #closed: Error | undefined;

  constructor(stream: OutputStream = process.stdout) {
    this.#stream = stream;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.#closed = error.code === 'EPIPE' ? new OutputClosed() : error;
    });
  }

  async write(text: string | Uint8Array): Promise<void> {
    if (this.#closed) throw this.#closed;
    if (!this.#stream.write(text)) {
      await Promise.race([once(this.#stream, 'drain'), once(this.#stream, 'error')]).catch(
        () => undefined,
      );
      if (this.#closed) throw this.#closed;
    }
  }

  /** A line of text. */
  line(text: string): Promise<void> {
    return this.write(`${text}\n`);
  }

  /** One JSON document on its own line. */
  json(value: unknown): Promise<void> {
    return this.write(`${JSON.stringify(value)}\n`);
  }
}
