import type { z } from 'zod';
import type {
  AssignmentSchema,
  EarningsSchema,
  ProjectSettings,
  ProjectSettingsChange,
  WorkerRole,
  WorkerSchema,
  ApiKey,
  ScaleBatch,
  ScaleBatchStatus,
  ScaleProject,
  ScaleTask,
  ScaleTaskPage,
} from '@quorum/core';

/** An error answer from the server: its status and the body's `code`, `error` and `field`. */
export class QuorumError extends Error {
  override readonly name = 'QuorumError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  apiKey: string;
  /** Attempts for idempotent calls (GET, and POSTs that are safe to repeat); default 3. */
  retries?: number;
  fetch?: typeof fetch;
}

export type TaskListQuery = {
  project?: string;
  batch?: string;
  status?: ScaleTask['status'];
  type?: string;
  unique_id?: string | string[];
  tags?: string | string[];
  start_time?: string;
  end_time?: string;
  completed_after?: string;
  completed_before?: string;
  updated_after?: string;
  updated_before?: string;
  customer_review_status?: string;
  limit?: number;
};

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

/** Typed client for Quorum's Scale-compatible and native APIs. */
export class QuorumClient {
  readonly #url: string;
  readonly #authorization: string;
  readonly #retries: number;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions) {
    this.#url = options.url.replace(/\/+$/, '');
    this.#authorization = `Basic ${btoa(`${options.apiKey}:`)}`;
    this.#retries = options.retries ?? 3;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Sends one request; idempotent ones are retried on 408/429/5xx and network errors. */
  async request<T>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      query?: Record<string, unknown>;
      idempotent?: boolean;
      contentType?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<T> {
    const url = new URL(this.#url + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const item of Array.isArray(value) ? value : [value])
        url.searchParams.append(key, String(item));
    }
    const attempts = (options.idempotent ?? method === 'GET') ? this.#retries : 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await this.#fetch(url, {
          method,
          headers: {
            authorization: this.#authorization,
            ...options.headers,
            ...(options.body !== undefined
              ? { 'content-type': options.contentType ?? 'application/json' }
              : {}),
          },
          body:
            options.body === undefined
              ? undefined
              : typeof options.body === 'string'
                ? options.body
                : JSON.stringify(options.body),
        });
        const text = await response.text();
        const json = text ? (JSON.parse(text) as unknown) : undefined;
        if (response.ok) return json as T;
        const body = (json ?? {}) as { code?: string; error?: string; field?: string };
        const error = new QuorumError(
          response.status,
          body.code ?? 'error',
          body.error ?? response.statusText,
          body.field,
        );
        if (!RETRYABLE.has(response.status) || attempt === attempts) throw error;
        lastError = error;
        const retryAfter = Number(response.headers.get('retry-after'));
        await sleep(
          Number.isFinite(retryAfter) && retryAfter > 0
            ? retryAfter * 1000
            : 250 * 2 ** (attempt - 1),
        );
      } catch (error) {
        if (error instanceof QuorumError || attempt === attempts) throw error;
        lastError = error;
        await sleep(250 * 2 ** (attempt - 1));
      }
    }
    throw lastError;
  }

  // Projects
  createProject(input: { type: string; name: string; params?: Record<string, unknown> }) {
    return this.request<ScaleProject>('POST', '/v1/projects', { body: input });
  }
  getProject(name: string) {
    return this.request<ScaleProject>('GET', `/v1/projects/${encodeURIComponent(name)}`);
  }
  listProjects() {
    return this.request<ScaleProject[]>('GET', '/v1/projects');
  }
  setProjectParams(name: string, params: Record<string, unknown> & { patch?: boolean }) {
    return this.request<ScaleProject>(
      'POST',
      `/v1/projects/${encodeURIComponent(name)}/setParams`,
      { body: params },
    );
  }

  // Batches
  createBatch(input: {
    project: string;
    name: string;
    callback?: string;
    metadata?: Record<string, unknown>;
    staging?: boolean;
  }) {
    return this.request<ScaleBatch>('POST', '/v1/batches', { body: input });
  }
  getBatch(name: string) {
    return this.request<ScaleBatch>('GET', `/v1/batches/${encodeURIComponent(name)}`);
  }
  finalizeBatch(name: string) {
    return this.request<ScaleBatch>('POST', `/v1/batches/${encodeURIComponent(name)}/finalize`, {
      body: {},
      idempotent: true,
    });
  }
  batchStatus(name: string) {
    return this.request<ScaleBatchStatus>('GET', `/v1/batches/${encodeURIComponent(name)}/status`);
  }

  // Tasks
  /** Creates a task; with a `unique_id` it is safe to retry (a replay answers 409 and is resolved). */
  async createTask(type: string, body: Record<string, unknown>): Promise<ScaleTask> {
    try {
      return await this.request<ScaleTask>('POST', `/v1/task/${encodeURIComponent(type)}`, {
        body,
        idempotent: typeof body.unique_id === 'string',
      });
    } catch (error) {
      // A retried create whose first attempt landed: the task exists under its unique_id.
      if (
        error instanceof QuorumError &&
        error.status === 409 &&
        typeof body.unique_id === 'string'
      ) {
        const page = await this.listTasks({ unique_id: body.unique_id, limit: 1 });
        if (page.docs[0]) return page.docs[0];
      }
      throw error;
    }
  }
  getTask(id: string) {
    return this.request<ScaleTask>('GET', `/v1/task/${encodeURIComponent(id)}`);
  }
  listTasks(query: TaskListQuery & { next_token?: string } = {}) {
    return this.request<ScaleTaskPage>('GET', '/v1/tasks', { query });
  }
  /** Every matching task, newest first, fetching pages as the caller iterates. */
  async *tasks(query: TaskListQuery = {}): AsyncGenerator<ScaleTask> {
    let nextToken: string | undefined;
    do {
      const page = await this.listTasks({ ...query, next_token: nextToken });
      yield* page.docs;
      nextToken = page.has_more ? page.next_token : undefined;
    } while (nextToken);
  }
  cancelTask(id: string, options: { clearUniqueId?: boolean } = {}) {
    const query = options.clearUniqueId ? '?clear_unique_id=true' : '';
    return this.request<ScaleTask>('POST', `/v1/task/${encodeURIComponent(id)}/cancel${query}`, {
      body: {},
      idempotent: true,
    });
  }
  completeTask(id: string, response: Record<string, unknown>) {
    return this.request<ScaleTask>('POST', `/api/v1/tasks/${encodeURIComponent(id)}/response`, {
      body: { response },
    });
  }
  /** Creates many tasks from objects (each with `type`, or pass `type`), all or nothing. */
  bulkCreateTasks(tasks: Iterable<Record<string, unknown>>, options: { type?: string } = {}) {
    const body = Array.from(tasks, (task) => JSON.stringify(task)).join('\n');
    return this.request<{ created: number; task_ids: string[] }>('POST', '/api/v1/tasks/bulk', {
      body,
      contentType: 'application/x-ndjson',
      query: { type: options.type },
    });
  }

  // Keys
  createKey(input: { name: string; environment?: 'live' | 'test' }) {
    return this.request<ApiKey & { key: string }>('POST', '/api/v1/keys', { body: input });
  }
  listKeys() {
    return this.request<{ docs: ApiKey[] }>('GET', '/api/v1/keys');
  }
  revokeKey(id: string) {
    return this.request<ApiKey>('DELETE', `/api/v1/keys/${encodeURIComponent(id)}`, {
      idempotent: true,
    });
  }

  // Workforce (operators)
  /** Routing, quality and pay settings of a project (by name or id). */
  getProjectSettings(project: string) {
    return this.request<ProjectSettings>(
      'GET',
      `/api/v1/projects/${encodeURIComponent(project)}/settings`,
    );
  }
  changeProjectSettings(project: string, change: ProjectSettingsChange) {
    return this.request<ProjectSettings>(
      'PATCH',
      `/api/v1/projects/${encodeURIComponent(project)}/settings`,
      {
        body: change,
        idempotent: true,
      },
    );
  }
  /** Invites a worker; the result's `token` (shown once) authenticates them as a client's apiKey. */
  createWorker(input: {
    email: string;
    name: string;
    roles: WorkerRole[];
    password?: string;
    pool?: 'internal' | 'vendor' | 'crowd';
    team?: string;
    skills?: Record<string, number>;
    languages?: string[];
    clearance?: number;
  }) {
    return this.request<Worker & { token: string }>('POST', '/api/v1/workers', { body: input });
  }

  // Work (a client whose apiKey is a worker's token)
  /** The best eligible task, or undefined when nothing is eligible now. */
  async claim(
    input: { project?: string; stage?: 'training' } = {},
  ): Promise<Assignment | undefined> {
    const result = await this.request<{ assignment: Assignment } | undefined>(
      'POST',
      '/api/v1/work/claim',
      {
        body: input,
      },
    );
    return result?.assignment;
  }
  heartbeat(assignment: string) {
    return this.request<{ leaseExpiresAt: string; activeSeconds: number }>(
      'POST',
      `/api/v1/assignments/${encodeURIComponent(assignment)}/heartbeat`,
      { idempotent: true },
    );
  }
  /** Submits a response; retried safely under one Idempotency-Key. */
  submit(
    assignment: string,
    response: Record<string, unknown>,
    idempotencyKey: string = crypto.randomUUID(),
  ) {
    return this.request<{
      assignment: Assignment;
      feedback?: { score: number; expected: Record<string, unknown> };
    }>('POST', `/api/v1/assignments/${encodeURIComponent(assignment)}/submit`, {
      body: { response },
      idempotent: true,
      headers: { 'idempotency-key': idempotencyKey },
    });
  }
  release(assignment: string, reason: string) {
    return this.request<{ assignment: Assignment }>(
      'POST',
      `/api/v1/assignments/${encodeURIComponent(assignment)}/release`,
      { body: { reason } },
    );
  }
  earnings() {
    return this.request<Earnings>('GET', '/api/v1/me/earnings');
  }
}

export type Worker = z.infer<typeof WorkerSchema>;
export type Assignment = z.infer<typeof AssignmentSchema>;
export type Earnings = z.infer<typeof EarningsSchema>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
