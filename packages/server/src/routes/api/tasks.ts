import { z } from 'zod';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { presentTask } from '../../presenters/scale';
import { completeTask } from '../../services/tasks';
import type { Effects } from '../../services/effects';
import type { Api } from '../types';

const IdParams = z.object({ id: z.string().min(1).max(100) });

export function nativeTaskRoutes(api: Api, ctx: AppContext, effects: Effects) {
  const db = ctx.database.db;
  api.post(
    '/api/v1/tasks/:id/response',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Complete a pending task with a response (imports, models, operators)',
        description:
          "The response is checked against the task's type and parameters; the task completes, " +
          'its callback is sent and its batch completes when it was the last pending task.',
        params: IdParams,
        body: z.object({ response: z.record(z.string(), z.unknown()) }).strict(),
      },
    },
    async (request) => {
      const task = await inTransaction(db, (tx) =>
        completeTask(
          tx,
          principalOf(request),
          request.params.id,
          request.body.response,
          effects,
          ctx.now(),
        ),
      );
      return presentTask(task);
    },
  );
}
