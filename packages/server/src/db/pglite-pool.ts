import type { PGlite } from '@electric-sql/pglite';

/** Result shape Kysely's PostgresDriver reads from a node-postgres client. */
interface PgLikeResult<T = Record<string, unknown>> {
  command: string;
  rowCount: number;
  rows: T[];
}

export interface PgliteClient {
  query(sql: string, parameters?: readonly unknown[]): Promise<PgLikeResult>;
  release(): void;
}

/**
 * A node-postgres `Pool` look-alike over one PGlite instance.
 *
 * PGlite is a single Postgres session. Kysely's transactions and pg-boss both issue plain
 * statements on "a connection", so without a lock a job poll could land inside somebody else's
 * open transaction. Every user of the instance takes the one lease first; a Kysely transaction
 * holds it from BEGIN to COMMIT.
 */
export class PglitePool {
  #tail: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(readonly pglite: PGlite) {}

  /** Waits for the session and returns a client that must be released. */
  async connect(): Promise<PgliteClient> {
    const release = await this.#lease();
    let released = false;
    return {
      query: (sql, parameters) => this.#run(sql, parameters),
      release: () => {
        if (released) return;
        released = true;
        release();
      },
    };
  }

  /** Runs one statement under the lease. */
  async query<T = Record<string, unknown>>(
    sql: string,
    parameters?: readonly unknown[],
  ): Promise<PgLikeResult<T>> {
    const release = await this.#lease();
    try {
      return (await this.#run(sql, parameters)) as PgLikeResult<T>;
    } finally {
      release();
    }
  }

  /** Runs a multi-statement script under the lease (simple protocol, no parameters). */
  async exec(sql: string): Promise<Array<{ rows: unknown[] }>> {
    const release = await this.#lease();
    try {
      return await this.pglite.exec(sql);
    } finally {
      release();
    }
  }

  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    const release = await this.#lease();
    try {
      await this.pglite.close();
    } finally {
      release();
    }
  }

  async #run(sql: string, parameters?: readonly unknown[]): Promise<PgLikeResult> {
    if (parameters && parameters.length > 0) {
      const result = await this.pglite.query<Record<string, unknown>>(sql, [...parameters]);
      return { command: commandOf(sql), rowCount: result.affectedRows ?? 0, rows: result.rows };
    }
    // Without parameters the statement may be a script (pg-boss sends some); exec handles both.
    const results = await this.pglite.exec(sql);
    const last = results[results.length - 1];
    return {
      command: commandOf(sql),
      rowCount: last?.affectedRows ?? 0,
      rows: results.flatMap((result) => result.rows as Record<string, unknown>[]),
    };
  }

  #lease(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    return previous.then(() => release);
  }
}

function commandOf(sql: string): string {
  const match = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge|select)\b/i.exec(sql);
  return match?.[1]?.toUpperCase() ?? '';
}
