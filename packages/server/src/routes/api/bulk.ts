import { z } from 'zod';
import { DomainError } from '@quorum/core';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { createTasksFromNdjson } from '../../services/bulk';
import type { Effects } from '../../services/effects';
import type { Api } from '../types';
import type { Readable } from 'node:stream';

export function bulkRoutes(api: Api, ctx: AppContext, effects: Effects) {
  const db = ctx.database.db;
  // The stream is consumed line by line by the service; no whole-body buffering.
  api.addContentTypeParser('application/x-ndjson', (_request, payload, done) =>
    done(null, payload),
  );

  api.post(
    '/api/v1/tasks/bulk',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Create many tasks from NDJSON, all or nothing',
        description:
          'Body: one JSON object per line, each a `POST /v1/task/{type}` body plus `type` (or give ' +
          '`?type=` for every line). Content-Type: application/x-ndjson. Either every task is ' +
          'created or, on the first bad line, none is; errors name the line.',
        querystring: z.object({ type: z.string().min(1).optional() }).strict(),
        response: { 200: z.object({ created: z.number().int(), task_ids: z.array(z.string()) }) },
      },
    },
    async (request) => {
      if (!request.headers['content-type']?.startsWith('application/x-ndjson')) {
        throw new DomainError(
          'unsupported_media_type',
          'Send the tasks as Content-Type: application/x-ndjson, one JSON object per line',
        );
      }
      const principal = principalOf(request);
      return inTransaction(db, (tx) =>
        createTasksFromNdjson(tx, principal, request.body as Readable, {
          defaultType: request.query.type,
          effects,
          now: ctx.now,
        }),
      );
    },
  );
}
