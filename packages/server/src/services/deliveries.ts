import { DomainError, decodePageToken, encodePageToken, notFound, type Scope } from '@quorum/core';
import type { Executor } from '../db/executor';
import type { BatchRow } from '../db/schema';
import type { JobQueue } from '../jobs/queue';
import { newId } from '../ids';
import { presentBatch, presentTask } from '../presenters/scale';
import {
  findDelivery,
  insertDelivery,
  listDeliveries,
  listDeliveryAttempts,
  lockDeliveryForAttempt,
  updateDelivery,
  type DeliveryFilter,
} from '../repositories/deliveries';
import type { TaskView } from '../repositories/tasks';
import type { Effects, TaskEvent } from './effects';

export const DELIVER_CALLBACK = 'deliver-callback';

/** Announces changes through the callback outbox: a delivery row plus its job, in the caller's transaction. */
export function createDeliveryEffects(queue: JobQueue, now: () => Date): Effects {
  const enqueue = async (
    db: Executor,
    scope: Scope,
    input: {
      event: string;
      taskId: string | null;
      batchId: string | null;
      url: string;
      payload: unknown;
    },
  ) => {
    const delivery = await insertDelivery(db, scope, { id: newId(now()), now: now(), ...input });
    await queue.send(db, DELIVER_CALLBACK, { deliveryId: delivery.id });
  };
  return {
    async taskChanged(db: Executor, scope: Scope, task: TaskView, event: TaskEvent) {
      if (!task.callback_url) return;
      const presented = presentTask(task);
      await enqueue(db, scope, {
        event,
        taskId: task.id,
        batchId: task.batch_id,
        url: task.callback_url,
        // Scale's callback body.
        payload: {
          task_id: task.id,
          status: task.status,
          response: task.response,
          task: presented,
        },
      });
    },
    async batchCompleted(db: Executor, scope: Scope, batch: BatchRow, projectName: string) {
      if (!batch.callback_url) return;
      await enqueue(db, scope, {
        event: 'batch.completed',
        taskId: null,
        batchId: batch.id,
        url: batch.callback_url,
        payload: { batch: presentBatch(batch, projectName), status: batch.status },
      });
    },
  };
}

/** One page of the organization's delivery log, newest first. */
export async function findDeliveries(
  db: Executor,
  scope: Scope,
  filter: DeliveryFilter,
  page: { limit: number; nextToken?: string },
) {
  const beforeSeq = page.nextToken === undefined ? undefined : decodePageToken(page.nextToken);
  const { rows, hasMore } = await listDeliveries(db, scope, filter, {
    beforeSeq,
    limit: page.limit,
  });
  const last = rows[rows.length - 1];
  return { rows, hasMore, nextToken: hasMore && last ? encodePageToken(last.seq) : undefined };
}

export async function getDelivery(db: Executor, scope: Scope, id: string) {
  const delivery = await findDelivery(db, scope, id);
  if (!delivery) throw notFound('Delivery', id);
  return { delivery, attempts: await listDeliveryAttempts(db, delivery.id) };
}

/** Starts a new series of attempts for a delivery, whatever its state. */
export async function redeliver(
  db: Executor,
  queue: JobQueue,
  scope: Scope,
  id: string,
  now: Date,
) {
  const found = await findDelivery(db, scope, id);
  if (!found) throw notFound('Delivery', id);
  const locked = await lockDeliveryForAttempt(db, found.id, { wait: true });
  if (locked?.status === 'pending') {
    // A pending delivery already has its next attempt queued; a second job would double it.
    throw new DomainError(
      'conflict',
      'This delivery is still being attempted; redeliver it once it has succeeded or failed',
    );
  }
  const delivery = await updateDelivery(db, found.id, {
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    succeeded_at: null,
  });
  await queue.send(db, DELIVER_CALLBACK, { deliveryId: delivery.id });
  return delivery;
}
