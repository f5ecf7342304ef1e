import type { ScaleBatch, ScaleBatchStatus } from '@quorum/core';
import { itemsOfPages } from '../paging';
import type { Transport } from '../transport';
import type {
  BatchListQuery,
  BatchPage,
  BatchQueue,
  BatchQueueInput,
  BatchWorkforce,
  CreateBatchInput,
} from '../types';

/** Batches: v1 (create, list, finalize, status, metadata) and native (workforce, queue order). */
export class Batches {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a batch; `staging: true` holds its tasks until it is finalized. */
  create(input: CreateBatchInput): Promise<ScaleBatch> {
    return this.#t.json('batches.create', { json: input });
  }

  /** One page of batches, newest first (offset paging). */
  list(query: BatchListQuery & { offset?: number } = {}): Promise<BatchPage> {
    return this.#t.json('batches.list', { query });
  }

  /** Every matching batch, newest first, fetching pages as the caller iterates. */
  iterate(query: BatchListQuery = {}): AsyncGenerator<ScaleBatch> {
    return itemsOfPages<ScaleBatch, number>(async (offset = 0) => {
      const page = await this.list({ ...query, offset });
      return { items: page.docs, next: page.has_more ? offset + page.docs.length : undefined };
    });
  }

  /** A batch by name. */
  get(name: string): Promise<ScaleBatch> {
    return this.#t.json('batches.get', { params: { name } });
  }

  /** Finalizes a staging batch: its tasks become workable. */
  finalize(name: string): Promise<ScaleBatch> {
    return this.#t.json('batches.finalize', { params: { name } });
  }

  /** The batch's status and its tasks' counts. */
  status(name: string): Promise<ScaleBatchStatus> {
    return this.#t.json('batches.status', { params: { name } });
  }

  /** Replaces the batch's metadata. */
  setMetadata(name: string, metadata: Record<string, unknown>): Promise<ScaleBatch> {
    return this.#t.json('batches.setMetadata', { params: { name }, json: metadata });
  }

  /** The batch's progress, cost, throughput and ETA. */
  workforce(batch: string): Promise<BatchWorkforce> {
    return this.#t.json('batches.workforce', { params: { batch } });
  }

  /** Sets the batch's place in the queue: priority (higher first) and deadline (earlier first). */
  setQueue(batch: string, input: BatchQueueInput): Promise<BatchQueue> {
    return this.#t.json('batches.setQueue', { params: { batch }, json: input });
  }
}
