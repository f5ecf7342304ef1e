import type { ScaleTask, ScaleTaskPage } from '@quorum/core';
import { QuorumError } from '../errors';
import { itemsOfPages } from '../paging';
import { ndjsonBody, type NdjsonInput } from '../streams';
import type { Transport } from '../transport';
import type {
  Answer,
  AnswerResult,
  BulkCreateResult,
  CreateQualityTaskBody,
  CreateTaskBody,
  QualityTask,
  SubmitAnswerInput,
  TaskAuditInput,
  TaskListQuery,
} from '../types';

/** Tasks: v1 (create, read, list, cancel, audit, unique ids, metadata, tags) and native. */
export class Tasks {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Creates a task of `type`. With a `unique_id` the call is retried safely, and a create whose
   * task already exists under that unique_id (a replay) answers that task.
   */
  async create<T extends string>(type: T, body: CreateTaskBody<T>): Promise<ScaleTask> {
    const uniqueId = typeof body.unique_id === 'string' ? body.unique_id : undefined;
    try {
      return await this.#t.json<ScaleTask>('tasks.create', {
        params: { type },
        json: body,
        repeatable: uniqueId !== undefined,
      });
    } catch (error) {
      if (uniqueId !== undefined && error instanceof QuorumError && error.status === 409) {
        const page = await this.list({ unique_id: uniqueId, limit: 1 });
        if (page.docs[0]) return page.docs[0];
      }
      throw error;
    }
  }

  /** Creates an evaluation task (gold): a task with the response it expects. */
  createEvaluation<T extends string>(
    type: T,
    body: CreateQualityTaskBody<T>,
  ): Promise<QualityTask> {
    return this.#t.json('tasks.createEvaluation', {
      params: { type },
      json: body,
      repeatable: typeof body.unique_id === 'string',
    });
  }

  /** Creates a training task: annotators see their score and the expected response. */
  createTraining<T extends string>(type: T, body: CreateQualityTaskBody<T>): Promise<QualityTask> {
    return this.#t.json('tasks.createTraining', {
      params: { type },
      json: body,
      repeatable: typeof body.unique_id === 'string',
    });
  }

  /** A task by id. */
  get(id: string): Promise<ScaleTask> {
    return this.#t.json('tasks.get', { params: { id } });
  }

  /** One page of tasks, newest first; pass the previous page's `next_token` for the next. */
  list(query: TaskListQuery & { next_token?: string } = {}): Promise<ScaleTaskPage> {
    return this.#t.json('tasks.list', { query });
  }

  /** Every matching task, newest first, fetching pages as the caller iterates. */
  iterate(query: TaskListQuery = {}): AsyncGenerator<ScaleTask> {
    return itemsOfPages<ScaleTask, string>(async (next_token) => {
      const page = await this.list({ ...query, next_token });
      return { items: page.docs, next: page.has_more ? page.next_token : undefined };
    });
  }

  /** Cancels a pending task; `clearUniqueId` frees its unique_id for a new task. */
  cancel(id: string, options: { clearUniqueId?: boolean } = {}): Promise<ScaleTask> {
    return this.#t.json('tasks.cancel', {
      params: { id },
      query: { clear_unique_id: options.clearUniqueId },
    });
  }

  /** Accepts or rejects a completed task. */
  audit(id: string, input: TaskAuditInput): Promise<ScaleTask> {
    return this.#t.json('tasks.audit', { params: { id }, json: input });
  }

  /** Sets the task's unique_id. */
  setUniqueId(id: string, uniqueId: string): Promise<ScaleTask> {
    return this.#t.json('tasks.setUniqueId', { params: { id }, json: { unique_id: uniqueId } });
  }

  /** Clears the task's unique_id. */
  clearUniqueId(id: string): Promise<ScaleTask> {
    return this.#t.json('tasks.clearUniqueId', { params: { id } });
  }

  /** Replaces the task's metadata. */
  setMetadata(id: string, metadata: Record<string, unknown>): Promise<ScaleTask> {
    return this.#t.json('tasks.setMetadata', { params: { id }, json: metadata });
  }

  /** Replaces the task's tags. */
  setTags(id: string, tags: string[]): Promise<ScaleTask> {
    return this.#t.json('tasks.setTags', { params: { id }, json: tags });
  }

  /** Adds tags to the task. */
  addTags(id: string, tags: string[]): Promise<ScaleTask> {
    return this.#t.json('tasks.addTags', { params: { id }, json: tags });
  }

  /** Removes tags from the task. */
  removeTags(id: string, tags: string[]): Promise<ScaleTask> {
    return this.#t.json('tasks.removeTags', { params: { id }, json: tags });
  }

  /** Completes a pending task with a response (imports, models, operators). */
  complete(id: string, response: Record<string, unknown>): Promise<ScaleTask> {
    return this.#t.json('tasks.complete', { params: { id }, json: { response } });
  }

  /**
   * Creates many tasks from JSON lines, all or nothing: each a create body with its `type`, or
   * pass `type` for all. Iterables that are not arrays are streamed as they are consumed.
   */
  bulkCreate(tasks: NdjsonInput, options: { type?: string } = {}): Promise<BulkCreateResult> {
    return this.#t.json('tasks.bulkCreate', {
      raw: ndjsonBody(tasks),
      contentType: 'application/x-ndjson',
      query: { type: options.type },
    });
  }

  /** Records one annotator's answer; the task completes with the consensus once it has enough. */
  addAnswer(id: string, input: SubmitAnswerInput): Promise<AnswerResult> {
    return this.#t.json('tasks.addAnswer', { params: { id }, json: input });
  }

  /** The task's answers, oldest first. */
  answers(id: string): Promise<{ docs: Answer[] }> {
    return this.#t.json('tasks.answers', { params: { id } });
  }
}
