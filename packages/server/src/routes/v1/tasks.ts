import { z } from 'zod';
import {
  JsonObject,
  QueryBoolean,
  QueryDate,
  QueryLimit,
  QueryList,
  TASK_TYPES,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { presentLimitedTask, presentQualityTask, presentTask } from '../../presenters/scale';
import {
  auditTask,
  cancelTask,
  changeTaskTags,
  createTask,
  findTasks,
  requireTask,
  setTaskMetadata,
  setTaskUniqueId,
  type TagChange,
} from '../../services/tasks';
import type { Effects } from '../../services/effects';
import type { TaskKind } from '../../db/schema';
import type { Api } from '../types';

const IdParams = z.object({ id: z.string().min(1).max(100) });
const TypeParams = z.object({ type: z.string().min(1).max(100) });
const TagList = z.array(z.string().min(1).max(200)).max(100);

const ListTasksQuery = z
  .object({
    start_time: QueryDate.optional(),
    end_time: QueryDate.optional(),
    completed_after: QueryDate.optional(),
    completed_before: QueryDate.optional(),
    updated_after: QueryDate.optional(),
    updated_before: QueryDate.optional(),
    status: z.enum(['pending', 'completed', 'canceled', 'error']).optional(),
    type: z.string().optional(),
    project: z.string().optional(),
    batch: z.string().optional(),
    unique_id: QueryList.optional(),
    tags: QueryList.optional(),
    customer_review_status: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .optional(),
    limit: QueryLimit(100),
    next_token: z.string().optional(),
    offset: z.coerce
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .optional()
      .describe('Legacy offset paging; prefer next_token'),
    include_attachment_url: QueryBoolean.optional(),
    limited_response: QueryBoolean.optional(),
  })
  .strict();

const AuditBody = z
  .object({ accepted: z.boolean(), comments: z.string().max(10_000).nullable().optional() })
  .strict();

export function taskRoutes(api: Api, ctx: AppContext, effects: Effects) {
  const db = ctx.database.db;
  const tags = ['v1 tasks'];
  const types = Object.keys(TASK_TYPES).join(', ');

  const createRoute = (prefix: string, kind: TaskKind, present: typeof presentTask) =>
    api.post(
      `${prefix}/:type`,
      {
        schema: {
          tags,
          summary: `Create a ${kind === 'task' ? '' : `${kind} `}task of the given type (${types})`,
          params: TypeParams,
          body: JsonObject,
        },
      },
      async (request) => {
        const task = await inTransaction(db, (tx) =>
          createTask(
            tx,
            principalOf(request),
            kind,
            request.params.type,
            request.body,
            effects,
            ctx.now(),
          ),
        );
        return present(task);
      },
    );
  createRoute('/v1/task', 'task', presentTask);
  createRoute('/v1/evaluation_tasks', 'evaluation', presentQualityTask);
  createRoute('/v1/training_tasks', 'training', presentQualityTask);

  api.get(
    '/v1/task/:id',
    { schema: { tags, summary: 'Get a task', params: IdParams } },
    async (request) => presentTask(await requireTask(db, principalOf(request), request.params.id)),
  );

  api.get(
    '/v1/tasks',
    { schema: { tags, summary: 'List tasks, newest first', querystring: ListTasksQuery } },
    async (request) => {
      const q = request.query;
      const page = await findTasks(db, principalOf(request), {
        project: q.project,
        batch: q.batch,
        status: q.status,
        type: q.type,
        uniqueIds: q.unique_id,
        tags: q.tags,
        customerReviewStatuses: q.customer_review_status,
        createdAfter: q.start_time,
        createdBefore: q.end_time,
        completedAfter: q.completed_after,
        completedBefore: q.completed_before,
        updatedAfter: q.updated_after,
        updatedBefore: q.updated_before,
        limit: q.limit,
        offset: q.offset,
        nextToken: q.next_token,
      });
      const present = q.limited_response ? presentLimitedTask : presentTask;
      return {
        docs: page.tasks.map(present),
        total: page.total,
        limit: q.limit,
        offset: q.offset ?? 0,
        has_more: page.hasMore,
        ...(page.nextToken ? { next_token: page.nextToken } : {}),
      };
    },
  );

  api.post(
    '/v1/task/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a pending task',
        params: IdParams,
        querystring: z.object({ clear_unique_id: QueryBoolean.optional() }).strict(),
      },
    },
    async (request) => {
      const task = await inTransaction(db, (tx) =>
        cancelTask(
          tx,
          principalOf(request),
          request.params.id,
          request.query.clear_unique_id === true,
          effects,
          ctx.now(),
        ),
      );
      return presentTask(task);
    },
  );

  api.post(
    '/v1/task/:id/audit',
    {
      schema: {
        tags,
        summary: 'Accept or reject a completed task',
        params: IdParams,
        body: AuditBody,
      },
    },
    async (request) => {
      const task = await inTransaction(db, (tx) =>
        auditTask(
          tx,
          principalOf(request),
          request.params.id,
          { accepted: request.body.accepted, comments: request.body.comments ?? null },
          effects,
          ctx.now(),
        ),
      );
      return presentTask(task);
    },
  );

  api.post(
    '/v1/task/:id/unique_id',
    {
      schema: {
        tags,
        summary: "Set a task's unique_id",
        params: IdParams,
        body: z.object({ unique_id: z.string().min(1).max(256) }).strict(),
      },
    },
    async (request) => {
      const task = await inTransaction(db, (tx) =>
        setTaskUniqueId(
          tx,
          principalOf(request),
          request.params.id,
          request.body.unique_id,
          ctx.now(),
        ),
      );
      return presentTask(task);
    },
  );

  api.delete(
    '/v1/task/:id/unique_id',
    { schema: { tags, summary: "Clear a task's unique_id", params: IdParams } },
    async (request) => {
      const task = await inTransaction(db, (tx) =>
        setTaskUniqueId(tx, principalOf(request), request.params.id, null, ctx.now()),
      );
      return presentTask(task);
    },
  );

  api.post(
    '/v1/task/:id/setMetadata',
    { schema: { tags, summary: "Replace a task's metadata", params: IdParams, body: JsonObject } },
    async (request) => {
      const task = await inTransaction(db, (tx) =>
        setTaskMetadata(tx, principalOf(request), request.params.id, request.body, ctx.now()),
      );
      return presentTask(task);
    },
  );

  const tagRoute = (method: 'post' | 'put' | 'delete', change: TagChange, summary: string) =>
    api[method](
      '/v1/task/:id/tags',
      { schema: { tags, summary, params: IdParams, body: TagList }, config: { emptyBody: [] } },
      async (request) => {
        const task = await inTransaction(db, (tx) =>
          changeTaskTags(
            tx,
            principalOf(request),
            request.params.id,
            change,
            request.body,
            ctx.now(),
          ),
        );
        return presentTask(task);
      },
    );
  tagRoute('post', 'set', "Replace a task's tags");
  tagRoute('put', 'add', 'Add tags to a task');
  tagRoute('delete', 'delete', 'Remove tags from a task');
}
