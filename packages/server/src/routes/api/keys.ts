import { z } from 'zod';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { createApiKey, listApiKeys, revokeKey } from '../../services/api-keys';
import { presentApiKey } from '../../presenters/api-keys';
import { ApiKeySchema, CreateApiKeyBody, CreatedApiKeySchema, IdParams } from '@quorum/core';
import type { Api } from '../types';

export function keyRoutes(api: Api, ctx: AppContext) {
  const db = ctx.database.db;
  api.post(
    '/api/v1/keys',
    {
      schema: {
        tags: ['keys'],
        summary: 'Create an API key; the secret is in this response only',
        body: CreateApiKeyBody,
        response: { 200: CreatedApiKeySchema },
      },
    },
    async (request) => {
      const { organizationId } = principalOf(request);
      const { key, row } = await inTransaction(db, (tx) =>
        createApiKey(tx, organizationId, request.body.environment, request.body.name),
      );
      return { ...presentApiKey(row), key };
    },
  );
  api.get(
    '/api/v1/keys',
    {
      schema: {
        tags: ['keys'],
        summary: "List the organization's API keys (secrets are never shown again)",
        response: { 200: z.object({ docs: z.array(ApiKeySchema) }) },
      },
    },
    async (request) => {
      const rows = await listApiKeys(db, principalOf(request).organizationId);
      return { docs: rows.map(presentApiKey) };
    },
  );
  api.delete(
    '/api/v1/keys/:id',
    {
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key',
        params: IdParams,
        response: { 200: ApiKeySchema },
      },
    },
    async (request) => {
      const row = await inTransaction(db, (tx) =>
        revokeKey(tx, principalOf(request).organizationId, request.params.id, ctx.now()),
      );
      return presentApiKey(row);
    },
  );
}
