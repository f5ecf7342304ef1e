import { z } from 'zod';
import { JsonObject } from '@quorum/core';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { presentProject } from '../../presenters/scale';
import { createProject, getProject, getProjects, setProjectParams } from '../../services/projects';
import type { Api } from '../types';

const NameParams = z.object({ name: z.string().min(1) });

const CreateProjectBody = z
  .object({
    type: z.string().min(1),
    name: z.string().min(1).max(200),
    params: JsonObject.nullable().optional(),
    // Accepted for compatibility with Scale's clients, which always send them.
    rapid: z.boolean().optional(),
    studio: z.boolean().optional(),
    datasetId: z.string().nullable().optional(),
    pipeline: z.string().optional(),
    consensus_attempts: z.number().int().optional(),
  })
  .strict();

export function projectRoutes(api: Api, ctx: AppContext) {
  const db = ctx.database.db;
  const tags = ['v1 projects'];

  api.post(
    '/v1/projects',
    { schema: { tags, summary: 'Create a project', body: CreateProjectBody } },
    async (request) => {
      const body = request.body;
      const view = await inTransaction(db, (tx) =>
        createProject(
          tx,
          principalOf(request),
          { type: body.type, name: body.name, params: body.params ?? null },
          ctx.now(),
        ),
      );
      return presentProject(view.project, view.versions);
    },
  );

  api.get(
    '/v1/projects',
    { schema: { tags, summary: 'List projects (a bare array, as in Scale)' } },
    async (request) => {
      const views = await getProjects(db, principalOf(request));
      return views.map((view) => presentProject(view.project, view.versions));
    },
  );

  api.get(
    '/v1/projects/:name',
    { schema: { tags, summary: 'Get a project by name', params: NameParams } },
    async (request) => {
      const view = await getProject(db, principalOf(request), request.params.name);
      return presentProject(view.project, view.versions);
    },
  );

  api.post(
    '/v1/projects/:name/setParams',
    {
      schema: {
        tags,
        summary: 'Record a new version of the default task parameters',
        description:
          '`patch: true` merges into the latest version; otherwise the body replaces it.',
        params: NameParams,
        body: JsonObject,
      },
    },
    async (request) => {
      const { patch, ...params } = request.body;
      const view = await inTransaction(db, (tx) =>
        setProjectParams(
          tx,
          principalOf(request),
          request.params.name,
          { patch: patch === true, params },
          ctx.now(),
        ),
      );
      return presentProject(view.project, view.versions);
    },
  );
}
