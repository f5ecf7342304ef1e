import type { ScaleTask } from '@quorum/core';
import { Batches } from './groups/batches';
import { CallbackKeysApi, Deliveries, Keys } from './groups/callbacks';
import { Files } from './groups/files';
import { Generations, PromptSets } from './groups/generations';
import { Models } from './groups/models';
import { Projects } from './groups/projects';
import { Redteam } from './groups/redteam';
import { Tasks } from './groups/tasks';
import { Work } from './groups/work';
import { Me, Sessions, Workers } from './groups/workforce';
import { readJson, Transport, type ClientOptions } from './transport';
import type { HttpMethod } from './routes';
import type {
  CreateBatchInput,
  CreateProjectInput,
  CreateTaskBody,
  CreateWorkerInput,
  ProjectSettingsChange,
  TaskListQuery,
} from './types';

/** The tasks group, which is also callable as `client.tasks(query)`: every matching task. */
export type TasksGroup = Tasks & ((query?: TaskListQuery) => AsyncGenerator<ScaleTask>);

/**
 * Typed client for Quorum's Scale-compatible (`/v1`) and native (`/api/v1`) APIs, one group
 * per resource (`client.tasks.create`, `client.generations.leaderboard`…). Calls that are safe
 * to repeat are retried on 408, 429, 5xx and network errors; lists have async iterators; exports
 * and chat replies are read as they stream. Failures are QuorumErrors.
 */
export class QuorumClient {
  readonly projects: Projects;
  readonly batches: Batches;
  readonly tasks: TasksGroup;
  readonly files: Files;
  readonly deliveries: Deliveries;
  readonly callbackKeys: CallbackKeysApi;
  readonly keys: Keys;
  readonly workers: Workers;
  readonly sessions: Sessions;
  readonly me: Me;
  readonly work: Work;
  readonly models: Models;
  readonly promptSets: PromptSets;
  readonly generations: Generations;
  readonly redteam: Redteam;
  readonly #transport: Transport;

  constructor(options: ClientOptions) {
    const transport = new Transport(options);
    this.#transport = transport;
    this.projects = new Projects(transport);
    this.batches = new Batches(transport);
    const tasks = new Tasks(transport);
    this.tasks = callable((query: TaskListQuery = {}) => tasks.iterate(query), tasks);
    this.files = new Files(transport);
    this.deliveries = new Deliveries(transport);
    this.callbackKeys = new CallbackKeysApi(transport);
    this.keys = new Keys(transport);
    this.workers = new Workers(transport);
    this.sessions = new Sessions(transport);
    this.me = new Me(transport);
    this.work = new Work(transport);
    this.models = new Models(transport);
    this.promptSets = new PromptSets(transport);
    this.generations = new Generations(transport);
    this.redteam = new Redteam(transport);
  }

  /**
   * Sends one request to any path; JSON bodies unless `body` is a string. It is retried like the
   * typed methods when `idempotent` (default: GET only).
   */
  request<T>(
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
    const raw = typeof options.body === 'string';
    return this.#transport.send(
      method.toUpperCase() as HttpMethod,
      path,
      {
        query: options.query,
        headers: options.headers,
        ...(raw
          ? { raw: options.body as string, contentType: options.contentType ?? 'application/json' }
          : { json: options.body }),
      },
      options.idempotent ?? method.toUpperCase() === 'GET',
      readJson<T>,
    );
  }

  // The first release's flat methods, kept for existing callers: each is its group's method.

  /** Same as `projects.create`. */
  createProject(input: CreateProjectInput) {
    return this.projects.create(input);
  }
  /** Same as `projects.get`. */
  getProject(name: string) {
    return this.projects.get(name);
  }
  /** Same as `projects.list`. */
  listProjects() {
    return this.projects.list();
  }
  /** Same as `projects.setParams`. */
  setProjectParams(name: string, params: Record<string, unknown> & { patch?: boolean }) {
    return this.projects.setParams(name, params);
  }
  /** Same as `batches.create`. */
  createBatch(input: CreateBatchInput) {
    return this.batches.create(input);
  }
  /** Same as `batches.get`. */
  getBatch(name: string) {
    return this.batches.get(name);
  }
  /** Same as `batches.finalize`. */
  finalizeBatch(name: string) {
    return this.batches.finalize(name);
  }
  /** Same as `batches.status`. */
  batchStatus(name: string) {
    return this.batches.status(name);
  }
  /** Same as `tasks.create`, with an untyped body. */
  createTask(type: string, body: Record<string, unknown>) {
    return this.tasks.create(type, body as CreateTaskBody<string>);
  }
  /** Same as `tasks.get`. */
  getTask(id: string) {
    return this.tasks.get(id);
  }
  /** Same as `tasks.list`. */
  listTasks(query: TaskListQuery & { next_token?: string } = {}) {
    return this.tasks.list(query);
  }
  /** Same as `tasks.cancel`. */
  cancelTask(id: string, options: { clearUniqueId?: boolean } = {}) {
    return this.tasks.cancel(id, options);
  }
  /** Same as `tasks.complete`. */
  completeTask(id: string, response: Record<string, unknown>) {
    return this.tasks.complete(id, response);
  }
  /** Same as `tasks.bulkCreate`. */
  bulkCreateTasks(tasks: Iterable<Record<string, unknown>>, options: { type?: string } = {}) {
    return this.tasks.bulkCreate(tasks, options);
  }
  /** Same as `keys.create`. */
  createKey(input: { name: string; environment?: 'live' | 'test' }) {
    return this.keys.create(input);
  }
  /** Same as `keys.list`. */
  listKeys() {
    return this.keys.list();
  }
  /** Same as `keys.revoke`. */
  revokeKey(id: string) {
    return this.keys.revoke(id);
  }
  /** Same as `projects.settings`. */
  getProjectSettings(project: string) {
    return this.projects.settings(project);
  }
  /** Same as `projects.changeSettings`. */
  changeProjectSettings(project: string, change: ProjectSettingsChange) {
    return this.projects.changeSettings(project, change);
  }
  /** Same as `workers.create`. */
  createWorker(input: CreateWorkerInput) {
    return this.workers.create(input);
  }
  /** Same as `work.claim`. */
  claim(input: { project?: string; stage?: 'training' } = {}) {
    return this.work.claim(input);
  }
  /** Same as `work.heartbeat`. */
  heartbeat(assignment: string) {
    return this.work.heartbeat(assignment);
  }
  /** Same as `work.submit`. */
  submit(assignment: string, response: Record<string, unknown>, idempotencyKey?: string) {
    return this.work.submit(assignment, response, idempotencyKey);
  }
  /** `work.release`, answering `{assignment}` as the first release did. */
  async release(assignment: string, reason: string) {
    return { assignment: await this.work.release(assignment, reason) };
  }
  /** Same as `me.earnings`. */
  earnings() {
    return this.me.earnings();
  }
}

/** `fn` with the group's methods, bound to the group, as its properties. */
function callable<F extends (...args: never[]) => unknown, G extends object>(fn: F, group: G) {
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(group))) {
    const method = (group as Record<string, unknown>)[name];
    if (name !== 'constructor' && typeof method === 'function')
      Object.defineProperty(fn, name, { value: method.bind(group), enumerable: true });
  }
  return fn as F & G;
}
