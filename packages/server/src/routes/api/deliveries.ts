import {
  CallbackKeysSchema,
  DeliveryDetailSchema,
  DeliveryPageSchema,
  DeliverySchema,
  IdParams,
  ListDeliveriesQuery,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { presentAttempt, presentDelivery } from '../../presenters/deliveries';
import { callbackSecrets, rotateCallbackSecrets } from '../../services/callback-secrets';
import { findDeliveries, getDelivery, redeliver } from '../../services/deliveries';
import type { Api } from '../types';

export function deliveryRoutes(api: Api, ctx: AppContext) {
  const db = ctx.database.db;
  const tags = ['callbacks'];

  api.get(
    '/api/v1/deliveries',
    {
      schema: {
        tags,
        summary: 'The callback delivery log, newest first',
        querystring: ListDeliveriesQuery,
        response: { 200: DeliveryPageSchema },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await findDeliveries(
        db,
        principalOf(request),
        { taskId: q.task_id, batchId: q.batch_id, status: q.status },
        { limit: q.limit, nextToken: q.next_token },
      );
      return {
        docs: page.rows.map(presentDelivery),
        has_more: page.hasMore,
        ...(page.nextToken ? { next_token: page.nextToken } : {}),
      };
    },
  );

  api.get(
    '/api/v1/deliveries/:id',
    {
      schema: {
        tags,
        summary: 'One delivery with its payload and every attempt',
        params: IdParams,
        response: { 200: DeliveryDetailSchema },
      },
    },
    async (request) => {
      const { delivery, attempts } = await getDelivery(db, principalOf(request), request.params.id);
      return {
        ...presentDelivery(delivery),
        payload: delivery.payload,
        attempt_log: attempts.map(presentAttempt),
      };
    },
  );

  api.post(
    '/api/v1/deliveries/:id/redeliver',
    {
      schema: {
        tags,
        summary: 'Send a delivery again (a new series of attempts)',
        params: IdParams,
        response: { 200: DeliverySchema },
      },
    },
    async (request) => {
      const delivery = await inTransaction(db, (tx) =>
        redeliver(tx, ctx.queue, principalOf(request), request.params.id, ctx.now()),
      );
      return presentDelivery(delivery);
    },
  );

  api.get(
    '/api/v1/callback-keys',
    {
      schema: {
        tags,
        summary: "The organization's callback auth key and webhook signing secret",
        response: { 200: CallbackKeysSchema },
      },
    },
    async (request) => {
      const secrets = await inTransaction(db, (tx) =>
        callbackSecrets(tx, principalOf(request).organizationId),
      );
      return { callback_auth_key: secrets.callbackAuthKey, webhook_secret: secrets.webhookSecret };
    },
  );

  api.post(
    '/api/v1/callback-keys/rotate',
    {
      schema: {
        tags,
        summary: 'Replace both callback secrets',
        response: { 200: CallbackKeysSchema },
      },
    },
    async (request) => {
      const secrets = await inTransaction(db, (tx) =>
        rotateCallbackSecrets(tx, principalOf(request).organizationId),
      );
      return { callback_auth_key: secrets.callbackAuthKey, webhook_secret: secrets.webhookSecret };
    },
  );
}
