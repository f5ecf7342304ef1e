import { z } from 'zod';
import {
  CreateModelEndpointBody,
  IdParams,
  ModelCallBody,
  ModelCallResultSchema,
  ModelEndpointSchema,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { inTransaction } from '../../db/executor';
import { principalOf } from '../../http/auth';
import {
  callModel,
  createModelEndpoint,
  listModelEndpoints,
  presentModelEndpoint,
  removeModelEndpoint,
  requireModelEndpoint,
} from '../../services/models';
import type { Api } from '../types';

const tags = ['models'];

/** Model endpoints: register, list, remove, and try one with a chat. */
export function modelRoutes(api: Api, ctx: AppContext) {
  const db = ctx.database.db;
  const client = ctx.models;

  api.post(
    '/api/v1/models',
    {
      schema: {
        tags,
        summary: 'Register an OpenAI-compatible chat-completions endpoint',
        description:
          'The address is checked at once: private, loopback and unresolvable hosts are refused ' +
          '(QUORUM_EGRESS_ALLOW lets chosen ones through). The API key is stored encrypted and never shown again.',
        body: CreateModelEndpointBody,
        response: { 201: ModelEndpointSchema },
      },
    },
    async (request, reply) => {
      const row = await inTransaction(db, (tx) =>
        createModelEndpoint(
          tx,
          principalOf(request),
          ctx.egress,
          ctx.secrets,
          request.body,
          ctx.now(),
        ),
      );
      return reply.status(201).send(presentModelEndpoint(row));
    },
  );

  api.get(
    '/api/v1/models',
    {
      // Managers choose targets for red-team campaigns; the keys are never shown to anyone.
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'The registered model endpoints',
        response: { 200: z.object({ docs: z.array(ModelEndpointSchema) }) },
      },
    },
    async (request) => ({
      docs: (await listModelEndpoints(db, principalOf(request))).map(presentModelEndpoint),
    }),
  );

  api.delete(
    '/api/v1/models/:id',
    {
      schema: {
        tags,
        summary: 'Remove an endpoint (by id or name); what it generated stays',
        params: IdParams,
        response: { 200: ModelEndpointSchema },
      },
    },
    async (request) =>
      presentModelEndpoint(
        await inTransaction(db, (tx) =>
          removeModelEndpoint(tx, principalOf(request), request.params.id, ctx.now()),
        ),
      ),
  );

  api.post(
    '/api/v1/models/:id/call',
    {
      schema: {
        tags,
        summary: 'One chat completion from the endpoint (by id or name), to try it',
        description:
          'Retries 429, 5xx and network failures with backoff (Retry-After obeyed), up to the ' +
          "endpoint's maxRetries; a reply that is not a completion fails with the reason (503).",
        params: IdParams,
        body: ModelCallBody,
        response: { 200: ModelCallResultSchema },
      },
    },
    async (request) => {
      const row = await requireModelEndpoint(db, principalOf(request), request.params.id);
      return callModel(client, row, ctx.secrets, request.body.messages, request.body.parameters);
    },
  );
}
