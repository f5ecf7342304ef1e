/**
 * Types for Scale's Node SDK (`scaleapi@2.3.2`, CommonJS, untyped), as far as the tests use it,
 * and a way to await its callbacks.
 */

export type Callback<T> = (error: SdkError | null, value: T) => void;

/** `ScaleException`: `message` is the server's `error`, `errcode` its HTTP status. */
export interface SdkError extends Error {
  errcode?: number;
}

/** The SDK's task object: the server's JSON plus `id`, the client, and two methods. */
export interface SdkTask extends Record<string, unknown> {
  id: string;
  task_id: string;
  status: string;
  client: unknown;
  cancel(cb: Callback<SdkTask>): void;
  refresh(cb: Callback<SdkTask>): void;
}

/** `GET /v1/tasks` as the SDK hands it back: the server's page with `docs` made SdkTasks. */
export interface SdkTaskPage {
  docs: SdkTask[];
  total: number;
  limit: number;
  offset: number;
  has_more: boolean;
}

export interface ScaleClient {
  createTask(type: string, params: object, cb: Callback<SdkTask>): void;
  createCategorizationTask(params: object, cb: Callback<SdkTask>): void;
  createComparisonTask(params: object, cb: Callback<SdkTask>): void;
  fetchTask(id: string, cb: Callback<SdkTask>): void;
  cancelTask(id: string, cb: Callback<SdkTask>): void;
  tasks(params: object, cb: Callback<SdkTaskPage>): void;
}

/** `require('scaleapi')`. */
export interface ScaleApi {
  ScaleClient(apiKey: string): ScaleClient;
  ScaleException: new (message?: string, errcode?: number) => SdkError;
  ScaleInvalidRequest: new (message?: string) => SdkError;
}

/**
 * Settles with the first callback: the SDK sometimes calls back twice (see `tasks`), so
 * `util.promisify`'s one-shot contract is spelled out here.
 */
export const sdk = <T>(invoke: (cb: Callback<T>) => void) =>
  new Promise<T>((resolve, reject) =>
    invoke((error, value) => (error ? reject(error) : resolve(value))),
  );

/** The task as the server sent it, without what the SDK adds. */
export const wire = ({ client: _client, id: _id, ...json }: SdkTask) => json;
