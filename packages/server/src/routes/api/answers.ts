import { z } from 'zod';
import {
  DomainError,
  AnswerSchema,
  ConsensusSchema,
  IdParams,
  ProjectParams,
  ProjectSettingsPatch,
  ProjectSettingsSchema,
  QualityQuery,
  ReaggregateBody,
  ReaggregationSchema,
  SubmitAnswerBody,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { principalOf } from '../../http/auth';
import { inTransaction } from '../../db/executor';
import { presentTask } from '../../presenters/scale';
import { listAnswersOfTask } from '../../repositories/answers';
import {
  changeProjectSettings,
  projectQuality,
  reaggregateProject,
  requireProject,
  settingsOf,
  submitAnswer,
} from '../../services/answers';
import { findTask } from '../../repositories/tasks';
import type { Effects } from '../../services/effects';
import type { Api } from '../types';

/** Annotators' answers, consensus settings, re-aggregation and the quality report. */
export function answerRoutes(api: Api, ctx: AppContext, effects: Effects) {
  const db = ctx.database.db;
  api.post(
    '/api/v1/tasks/:id/answers',
    {
      schema: {
        tags: ['quality'],
        summary: "Record one annotator's answer; the task completes with the consensus",
        description:
          "The answer is checked against the task type. Once the task has the project's " +
          'consensus.min distinct annotators, the answers are aggregated with its method; the ' +
          'task completes with the consensus as its response when it is consensus.confidence ' +
          'sure or has consensus.max answers, and its callback is sent. Every answer is kept.',
        params: IdParams,
        body: SubmitAnswerBody,
        response: {
          200: z.object({
            answer: AnswerSchema,
            answers: z.number().int().describe("The task's answers so far"),
            task: z.record(z.string(), z.unknown()),
            consensus: ConsensusSchema.nullable(),
            score: z
              .number()
              .nullable()
              .describe('Evaluation and training tasks: the score against the expected response'),
          }),
        },
      },
    },
    async (request) => {
      const result = await inTransaction(db, (tx) =>
        submitAnswer(
          tx,
          principalOf(request),
          request.params.id,
          request.body.worker,
          request.body.response,
          effects,
          ctx.now(),
        ),
      );
      return {
        answer: { ...result.answer, created_at: result.answer.created_at.toISOString() },
        answers: result.answers,
        task: presentTask(result.task) as Record<string, unknown>,
        consensus: result.consensus
          ? {
              method: result.consensus.method,
              confidence: result.consensus.confidence,
              answers: result.consensus.answers,
            }
          : null,
        score: result.score ?? null,
      };
    },
  );
  api.get(
    '/api/v1/tasks/:id/answers',
    {
      schema: {
        tags: ['quality'],
        summary: "A task's answers, oldest first",
        params: IdParams,
        response: { 200: z.object({ docs: z.array(AnswerSchema) }) },
      },
    },
    async (request) => {
      const scope = principalOf(request);
      // Work, evaluation and training tasks all take answers.
      const task = await findTask(db, scope, request.params.id);
      if (!task) throw new DomainError('not_found', 'Task with that ID not found.');
      const rows = await listAnswersOfTask(db, scope, task.id);
      return {
        docs: rows.map((row) => ({
          id: row.id,
          worker: row.worker,
          response: row.response as Record<string, unknown>,
          score: row.score,
          created_at: row.created_at.toISOString(),
        })),
      };
    },
  );
  api.get(
    '/api/v1/projects/:project/settings',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['quality'],
        summary: "A project's routing, quality and pay settings",
        params: ProjectParams,
        response: { 200: ProjectSettingsSchema },
      },
    },
    async (request) =>
      settingsOf(await requireProject(db, principalOf(request), request.params.project)),
  );
  api.patch(
    '/api/v1/projects/:project/settings',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['quality'],
        summary: "Change a project's routing, quality and pay settings (fields given only)",
        params: ProjectParams,
        body: ProjectSettingsPatch,
        response: { 200: ProjectSettingsSchema },
      },
    },
    async (request) =>
      inTransaction(db, (tx) =>
        changeProjectSettings(
          tx,
          principalOf(request),
          request.params.project,
          request.body,
          ctx.now(),
        ),
      ),
  );
  api.post(
    '/api/v1/projects/:project/aggregate',
    {
      schema: {
        tags: ['quality'],
        summary: "Recompute the project's completed responses from their answers with a method",
        description:
          "The method becomes the project's. Answers are kept; pending tasks stay pending; no " +
          'callback is sent for a changed response (the changed tasks are listed).',
        params: ProjectParams,
        body: ReaggregateBody,
        response: { 200: ReaggregationSchema },
      },
    },
    async (request) =>
      inTransaction(db, (tx) =>
        reaggregateProject(
          tx,
          principalOf(request),
          request.params.project,
          request.body.method,
          ctx.now(),
        ),
      ),
  );
  api.get(
    '/api/v1/projects/:project/quality',
    {
      schema: {
        tags: ['quality'],
        summary: "A project's quality report",
        description:
          "Krippendorff's alpha over the answers, each annotator's agreement with the consensus, " +
          "reliability (the method's estimate) and confusion matrix (consensus label → given), " +
          'the per-class confusion, and the 20 most disputed tasks (lowest confidence first).',
        params: ProjectParams,
        querystring: QualityQuery,
      },
    },
    async (request) =>
      projectQuality(db, principalOf(request), request.params.project, request.query.method),
  );
}
