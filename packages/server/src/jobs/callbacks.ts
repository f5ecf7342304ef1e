import { Webhook } from 'standardwebhooks';
import { DomainError, callbackRetryDelay, isCallbackAcknowledged } from '@quorum/core';
import type { AppContext } from '../context';
import { inTransaction } from '../db/executor';
import type { DeliveryRow } from '../db/schema';
import {
  insertDeliveryAttempt,
  lockDeliveryForAttempt,
  setTaskCallbackOutcome,
  updateDelivery,
} from '../repositories/deliveries';
import { callbackSecrets, type CallbackSecrets } from '../services/callback-secrets';
import { DELIVER_CALLBACK } from '../services/deliveries';

export interface DeliverCallbackJob {
  deliveryId: string;
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const TIMEOUT_MS = 30_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

const isEmail = (url: string) => !/^[a-z][a-z0-9+.-]*:/i.test(url) && url.includes('@');

/**
 * Delivers one callback attempt. The row is claimed and the secrets read in one short
 * transaction, the POST happens outside any transaction (the embedded database has a single
 * session, which must not wait on the network), and the outcome and the next try are written
 * together in a second transaction.
 */
export function callbackWorker(ctx: AppContext) {
  const db = ctx.database.db;
  return async ({ deliveryId }: DeliverCallbackJob): Promise<void> => {
    const claimed = await inTransaction(db, async (tx) => {
      const delivery = await lockDeliveryForAttempt(tx, deliveryId);
      if (!delivery || delivery.status !== 'pending') return undefined;
      return { delivery, secrets: await callbackSecrets(tx, delivery.organization_id) };
    });
    if (!claimed) return;
    const { delivery, secrets } = claimed;
    const outcome = isEmail(delivery.url)
      ? {
          statusCode: null,
          error: 'email callbacks are not supported by this server',
          durationMs: 0,
        }
      : await post(ctx, delivery, secrets);
    await record(ctx, delivery.id, outcome, isEmail(delivery.url));
  };
}

async function post(
  ctx: AppContext,
  delivery: DeliveryRow,
  secrets: CallbackSecrets,
): Promise<Outcome> {
  const body = JSON.stringify(delivery.payload);
  const sentAt = ctx.now();
  const signature = new Webhook(secrets.webhookSecret).sign(delivery.id, sentAt, body);
  const started = performance.now();
  try {
    const response = await ctx.egress.request(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Quorum-Callback/1',
        'scale-callback-auth': secrets.callbackAuthKey,
        'webhook-id': delivery.id,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_RESPONSE_BYTES,
      // A receiver that redirects has not acknowledged; following would also re-post the body.
      maxRedirects: 0,
    });
    response.body.resume();
    const durationMs = Math.round(performance.now() - started);
    if (isCallbackAcknowledged(response.status))
      return { statusCode: response.status, error: null, durationMs };
    return {
      statusCode: response.status,
      error: `receiver answered ${response.status}`,
      durationMs,
    };
  } catch (error) {
    const message = error instanceof DomainError ? error.message : 'delivery failed';
    return {
      statusCode: null,
      error: message,
      durationMs: Math.round(performance.now() - started),
    };
  }
}

async function record(ctx: AppContext, deliveryId: string, outcome: Outcome, isFinal: boolean) {
  const { callbackMaxAttempts, callbackRetryScale } = ctx.config;
  await inTransaction(ctx.database.db, async (tx) => {
    const delivery = await lockDeliveryForAttempt(tx, deliveryId, { wait: true });
    if (!delivery || delivery.status !== 'pending') return;
    const now = ctx.now();
    const attempt = delivery.attempts + 1;
    await insertDeliveryAttempt(tx, { deliveryId, ...outcome, at: now });
    const base = {
      attempts: attempt,
      last_attempt_at: now,
      last_status_code: outcome.statusCode,
      last_error: outcome.error,
    };
    if (outcome.error === null) {
      await updateDelivery(tx, deliveryId, {
        ...base,
        status: 'succeeded',
        succeeded_at: now,
        next_attempt_at: null,
      });
      if (delivery.task_id) await setTaskCallbackOutcome(tx, delivery.task_id, true);
      return;
    }
    const delay =
      isFinal || attempt >= callbackMaxAttempts
        ? undefined
        : callbackRetryDelay(attempt, Math.random());
    if (delay === undefined) {
      await updateDelivery(tx, deliveryId, { ...base, status: 'failed', next_attempt_at: null });
      if (delivery.task_id) await setTaskCallbackOutcome(tx, delivery.task_id, false);
      return;
    }
    const next = new Date(now.getTime() + Math.round(delay * callbackRetryScale));
    await updateDelivery(tx, deliveryId, { ...base, next_attempt_at: next });
    await ctx.queue.send(tx, DELIVER_CALLBACK, { deliveryId }, { startAfter: next });
  });
}
