import { z } from 'zod';
import { JsonObject, QueryBoolean, QueryDate, QueryLimit } from '@quorum/core';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { presentBatch } from '../../presenters/scale';
import {
  batchStatus,
  createBatch,
  finalizeBatch,
  findBatches,
  getBatch,
  setBatchMetadata,
} from '../../services/batches';
import type { Effects } from '../../services/effects';
import type { Api } from '../types';

const NameParams = z.object({ name: z.string().min(1) });

const CreateBatchBody = z
  .object({
    project: z.string().min(1),
    name: z.string().min(1).max(200),
    callback: z.string().max(2048).optional(),
    metadata: JsonObject.optional(),
    staging: z.boolean().optional().describe('Quorum: hold tasks until the batch is finalized'),
    calibration_batch: z.boolean().optional(),
    self_label_batch: z.boolean().optional(),
  })
  .strict();

const ListBatchesQuery = z
  .object({
    project: z.string().optional(),
    status: z.enum(['staging', 'in_progress', 'completed']).optional(),
    start_time: QueryDate.optional(),
    end_time: QueryDate.optional(),
    exclude_archived: QueryBoolean.optional(),
    limit: QueryLimit(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export function batchRoutes(api: Api, ctx: AppContext, effects: Effects) {
  const db = ctx.database.db;
  const tags = ['v1 batches'];

  api.post(
    '/v1/batches',
    { schema: { tags, summary: 'Create a batch', body: CreateBatchBody } },
    async (request) => {
      const body = request.body;
      const callback = body.callback && body.callback.trim() !== '' ? body.callback : null;
      const view = await inTransaction(db, (tx) =>
        createBatch(
          tx,
          principalOf(request),
          {
            project: body.project,
            name: body.name,
            callback,
            metadata: body.metadata ?? {},
            staging: body.staging === true,
          },
          ctx.now(),
        ),
      );
      return presentBatch(view.batch, view.projectName);
    },
  );

  api.get(
    '/v1/batches',
    { schema: { tags, summary: 'List batches, newest first', querystring: ListBatchesQuery } },
    async (request) => {
      const q = request.query;
      const { views, total } = await findBatches(
        db,
        principalOf(request),
        {
          project: q.project,
          status: q.status,
          createdAfter: q.start_time,
          createdBefore: q.end_time,
        },
        { offset: q.offset, limit: q.limit },
      );
      return {
        docs: views.map((v) => presentBatch(v.batch, v.projectName)),
        // Scale's Python client reads totalDocs, its API definition says total: send both.
        totalDocs: total,
        total,
        limit: q.limit,
        offset: q.offset,
        has_more: q.offset + views.length < total,
      };
    },
  );

  api.get(
    '/v1/batches/:name',
    { schema: { tags, summary: 'Get a batch', params: NameParams } },
    async (request) => {
      const view = await getBatch(db, principalOf(request), request.params.name);
      return presentBatch(view.batch, view.projectName);
    },
  );

  api.post(
    '/v1/batches/:name/finalize',
    {
      schema: {
        tags,
        summary: 'Finalize a staging batch: its tasks become workable',
        params: NameParams,
      },
    },
    async (request) => {
      const view = await inTransaction(db, (tx) =>
        finalizeBatch(tx, principalOf(request), request.params.name, effects, ctx.now()),
      );
      return presentBatch(view.batch, view.projectName);
    },
  );

  api.get(
    '/v1/batches/:name/status',
    { schema: { tags, summary: "Batch status and its tasks' counts", params: NameParams } },
    async (request) => batchStatus(db, principalOf(request), request.params.name),
  );

  api.post(
    '/v1/batches/:name/setMetadata',
    {
      schema: { tags, summary: "Replace a batch's metadata", params: NameParams, body: JsonObject },
    },
    async (request) => {
      const view = await inTransaction(db, (tx) =>
        setBatchMetadata(tx, principalOf(request), request.params.name, request.body),
      );
      return presentBatch(view.batch, view.projectName);
    },
  );
}
