import { Readable } from 'node:stream';
import { z } from 'zod';
import {
  DomainError,
  GenerationLeaderboardQuery,
  GenerationLeaderboardSchema,
  GenerationRatingsSchema,
  IdParams,
  ModelParametersSchema,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { inTransaction } from '../../db/executor';
import { principalOf } from '../../http/auth';
import { sendJsonLines } from '../../http/json-lines';
import {
  generationView,
  importPromptSet,
  listGenerations,
  listPromptSets,
  listResponses,
  requireGeneration,
  resumeGeneration,
  startGeneration,
} from '../../services/generations';
import type { Effects } from '../../services/effects';
import { createPreferenceTasks, generationLeaderboard } from '../../services/preferences';
import { exportPreferences, PREFERENCE_EXPORT_FORMATS } from '../../services/preference-exports';
import { judgeReport, routeDisagreements, startJudging } from '../../services/judges';
import { generationRatings } from '../../services/ratings';
import type { Api } from '../types';

const tags = ['generation'];

const GenerationSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'completed']),
  total: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  models: z.array(z.string()).describe('Endpoint ids'),
  created_at: z.string(),
  updated_at: z.string(),
});

/** Prompt sets and generation runs: responses from chosen models, in the background. */
export function generationRoutes(api: Api, ctx: AppContext, effects: Effects) {
  const db = ctx.database.db;

  api.post(
    '/api/v1/prompt-sets',
    {
      schema: {
        tags,
        summary: 'Import a prompt set from JSON lines (Content-Type: application/x-ndjson)',
        description:
          'Each line: {"prompt": "…", "system"?, "category"?, "id"?, "metadata"?} or {"messages": ' +
          '[{role, content}, …]} ending with the user’s turn. All or nothing: the first bad line is ' +
          'refused with its number, unless skipBadLines=true, when bad lines are reported and left out.',
        querystring: z
          .object({
            name: z.string().trim().min(1).max(200),
            skipBadLines: z.enum(['true', 'false']).default('false'),
          })
          .strict(),
        response: {
          201: z.object({
            id: z.string(),
            name: z.string(),
            prompts: z.number().int(),
            skipped: z.number().int(),
            problems: z.array(z.object({ line: z.number().int(), reason: z.string() })),
          }),
        },
      },
    },
    async (request, reply) => {
      if (!request.headers['content-type']?.startsWith('application/x-ndjson'))
        throw new DomainError(
          'unsupported_media_type',
          'Send the prompts as Content-Type: application/x-ndjson, one JSON object per line',
        );
      const imported = await inTransaction(db, (tx) =>
        importPromptSet(
          tx,
          principalOf(request),
          {
            name: request.query.name,
            lines: request.body as Readable,
            skipBadLines: request.query.skipBadLines === 'true',
          },
          ctx.now(),
        ),
      );
      return reply.status(201).send(imported);
    },
  );

  api.get(
    '/api/v1/prompt-sets',
    {
      schema: {
        tags,
        summary: 'The prompt sets',
        response: {
          200: z.object({
            docs: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                prompts: z.number().int(),
                created_at: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      docs: (await listPromptSets(db, principalOf(request))).map((set) => ({
        id: set.id,
        name: set.name,
        prompts: set.prompt_count,
        created_at: set.created_at.toISOString(),
      })),
    }),
  );

  api.post(
    '/api/v1/generations',
    {
      schema: {
        tags,
        summary: 'Generate a response from each model for each prompt of a set, in the background',
        body: z
          .object({
            promptSet: z.string().min(1).max(200).describe('Name or id'),
            models: z
              .array(z.string().min(1).max(200))
              .min(1)
              .max(20)
              .describe('Endpoint names or ids'),
            parameters: ModelParametersSchema.default({}).describe('Over each endpoint’s own'),
          })
          .strict(),
        response: { 201: GenerationSchema },
      },
    },
    async (request, reply) => {
      const generation = await inTransaction(db, (tx) =>
        startGeneration(tx, principalOf(request), ctx.queue, request.body, ctx.now()),
      );
      return reply.status(201).send(await generationView(db, generation));
    },
  );

  api.get(
    '/api/v1/generations',
    {
      schema: {
        tags,
        summary: 'The latest 100 generations, newest first, with their progress',
        response: { 200: z.object({ docs: z.array(GenerationSchema) }) },
      },
    },
    async (request) => ({
      docs: await Promise.all(
        (await listGenerations(db, principalOf(request))).map((generation) =>
          generationView(db, generation),
        ),
      ),
    }),
  );

  api.get(
    '/api/v1/generations/:id',
    {
      schema: {
        tags,
        summary: 'A generation and its progress',
        params: IdParams,
        response: { 200: GenerationSchema },
      },
    },
    async (request) =>
      generationView(db, await requireGeneration(db, principalOf(request), request.params.id)),
  );

  api.post(
    '/api/v1/generations/:id/resume',
    {
      schema: {
        tags,
        summary:
          'Pick a generation up again: lapsed claims run again, and failures with retryFailed',
        params: IdParams,
        body: z.object({ retryFailed: z.boolean().default(false) }).strict(),
        response: { 200: GenerationSchema },
      },
    },
    async (request) => {
      const generation = await inTransaction(db, (tx) =>
        resumeGeneration(
          tx,
          principalOf(request),
          ctx.queue,
          request.params.id,
          request.body.retryFailed,
          ctx.now(),
        ),
      );
      return generationView(db, generation);
    },
  );

  api.get(
    '/api/v1/generations/:id/responses',
    {
      schema: {
        tags,
        summary: 'The responses, each with its model, parameters, latency, token counts or failure',
        params: IdParams,
        querystring: z
          .object({
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            after: z.string().max(300).optional().describe('The last id of the previous page'),
          })
          .strict(),
      },
    },
    async (request) => {
      const generation = await requireGeneration(db, principalOf(request), request.params.id);
      const rows = await listResponses(db, generation.id, request.query);
      return {
        docs: rows.map((row) => ({
          id: row.id,
          prompt: { id: row.prompt_id, messages: row.messages, category: row.category },
          model: row.model,
          endpoint: row.endpoint_id,
          parameters: row.parameters,
          status: row.status,
          content: row.content,
          error: row.error,
          finishReason: row.finish_reason,
          latencyMs: row.latency_ms,
          usage: { promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens },
          attempts: row.attempts,
        })),
        next: rows.length === request.query.limit ? rows[rows.length - 1]!.id : null,
      };
    },
  );

  api.post(
    '/api/v1/generations/:id/comparisons',
    {
      schema: {
        tags,
        summary: 'Human feedback tasks from a generation, routed to the project’s workforce',
        description:
          'By `mode`: for each prompt, every pair of the chosen models that both answered becomes a ' +
          'comparison task (preference with ties and optional strength), or all their responses one ' +
          'ranking task, or each response a chat task to rate alone on the rubric. Optional rubric ' +
          'criteria, rationale, safety flags and rewrites. Responses are shown in an order fixed by ' +
          'a hash, so position favours no model; rankings enter the leaderboard as every pair they order.',
        params: IdParams,
        body: z
          .object({
            project: z.string().min(1).max(200),
            models: z
              .array(z.string().min(1))
              .min(2)
              .max(20)
              .optional()
              .describe('Model names; default all'),
            ties: z.boolean().default(true),
            strength: z.array(z.string().min(1)).min(1).max(10).optional(),
            criteria: z
              .array(
                z.object({
                  id: z.string().min(1).max(100),
                  description: z.string().max(500).optional(),
                  min: z.number().int().default(1),
                  max: z.number().int().default(7),
                }),
              )
              .max(20)
              .optional(),
            rationale: z.boolean().default(true),
            mode: z
              .enum(['pairs', 'ranking', 'ratings'])
              .default('pairs')
              .describe(
                '`pairs`: a preference per pair of models; `ranking`: every model’s response ranked ' +
                  'in one task per prompt; `ratings`: each response rated alone on `criteria` (Likert)',
              ),
            flags: z
              .array(z.string().min(1).max(100))
              .min(1)
              .max(50)
              .optional()
              .describe('Safety-flag categories offered on every response (e.g. hazard ids)'),
            rewrite: z
              .boolean()
              .default(false)
              .describe(
                'Let annotators write the ideal answer; rewrites become SFT demonstrations',
              ),
          })
          .strict(),
        response: { 201: z.object({ created: z.number().int(), skipped: z.number().int() }) },
      },
    },
    async (request, reply) => {
      const result = await inTransaction(db, (tx) =>
        createPreferenceTasks(
          tx,
          principalOf(request),
          request.params.id,
          request.body,
          effects,
          ctx.now(),
        ),
      );
      return reply.status(201).send(result);
    },
  );

  api.get(
    '/api/v1/generations/:id/ratings',
    {
      schema: {
        tags,
        summary: 'Rubric (Likert) scores per model and criterion, safety flags and rewrites',
        description:
          'Mean scores with 95% intervals from every answer on the generation’s feedback tasks ' +
          '(ratings tasks and rubric criteria on comparisons); flags counted per model and ' +
          'category beside the times its responses were shown with flags offered.',
        params: IdParams,
        response: { 200: GenerationRatingsSchema },
      },
    },
    async (request) => generationRatings(db, principalOf(request), request.params.id),
  );

  api.get(
    '/api/v1/generations/:id/leaderboard',
    {
      schema: {
        tags,
        summary: 'The models’ leaderboard from the human preferences, overall and per category',
        description:
          'Bradley-Terry with ties (half a win each way) on the 400-point Elo scale, bootstrap 95% ' +
          'intervals over the distinct outcomes, ranks that only separate non-overlapping intervals, ' +
          'and the win-rate matrix. Every annotator’s judgement counts. With style_control=true each ' +
          'board also has `styleControl`: Bradley-Terry with the normalized differences of the two ' +
          'responses’ length, markdown headers, list items and bold as covariates (Chatbot Arena’s ' +
          'style control), its ratings and intervals on the same scale, and what each covariate is worth.',
        params: IdParams,
        querystring: GenerationLeaderboardQuery,
        response: { 200: GenerationLeaderboardSchema },
      },
    },
    async (request) =>
      generationLeaderboard(db, principalOf(request), request.params.id, {
        bootstrap: request.query.bootstrap,
        seed: request.query.seed,
        styleControl: request.query.style_control === 'true',
      }),
  );

  api.get(
    '/api/v1/generations/:id/export',
    {
      schema: {
        tags,
        summary: 'Preference data as JSON lines, streamed',
        description:
          '`trl`: {prompt, chosen, rejected} as text (TRL’s DPO format); `trl-conversational`: the same as ' +
          'messages; `kto`: {prompt, completion, label}; `reward`: pairs with a margin from the strength; ' +
          '`sft`: {messages} ending with each preferred response; `hh-rlhf`: Anthropic’s {chosen, rejected} ' +
          'text; `arena`: Chatbot-Arena battle records {model_a, model_b, winner, category, judge}. Ties ' +
          'only appear in the arena records.',
        params: IdParams,
        querystring: z
          .object({
            format: z.enum(PREFERENCE_EXPORT_FORMATS),
            raters: z
              .enum(['true', 'false'])
              .default('false')
              .describe('Add the rater and rubric scores'),
          })
          .strict(),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const lines = exportPreferences(db, principal, request.params.id, request.query.format, {
        raters: request.query.raters === 'true',
      });
      return sendJsonLines(reply, lines, `preferences-${request.query.format}.jsonl`);
    },
  );

  api.post(
    '/api/v1/generations/:id/judges',
    {
      schema: {
        tags,
        summary: 'Have a judge model compare or rate the generation’s responses',
        description:
          'Runs in the background over every pairwise comparison task (a verdict of A, B or tie as ' +
          'the task shows the responses) and every rating task (the judge’s rubric scores); a reply ' +
          'without a single verdict or with scores out of range is recorded as failed with the ' +
          'reason, never guessed.',
        params: IdParams,
        body: z
          .object({ model: z.string().min(1).max(200).describe('Endpoint name or id') })
          .strict(),
        response: {
          201: z.object({ judge: z.string(), model: z.string(), tasks: z.number().int() }),
        },
      },
    },
    async (request, reply) => {
      const started = await inTransaction(db, (tx) =>
        startJudging(
          tx,
          principalOf(request),
          ctx.queue,
          request.params.id,
          request.body.model,
          ctx.now(),
        ),
      );
      return reply.status(201).send(started);
    },
  );

  const Agreement = z.object({
    items: z.number().int(),
    kappa: z.number().nullable(),
    observed: z.number().nullable(),
  });
  api.get(
    '/api/v1/generations/:id/judges',
    {
      schema: {
        tags,
        summary:
          'Each judge beside the humans: Cohen’s kappa overall and per category, and the disagreements',
        params: IdParams,
        response: {
          200: z.object({
            judges: z.array(
              z.object({
                judge: z.string(),
                verdicts: z.number().int(),
                failed: z.number().int(),
                pending: z.number().int(),
                errors: z.array(z.string()),
                agreement: Agreement,
                categories: z.record(z.string(), Agreement),
                ratings: z
                  .record(
                    z.string(),
                    z.object({
                      items: z.number().int(),
                      kappa: z.number().nullable().describe('Quadratic-weighted'),
                      meanAbsoluteDifference: z.number(),
                    }),
                  )
                  .describe('On rating tasks, per criterion: the judge’s scores against people’s'),
                disagreements: z
                  .array(z.string())
                  .describe('Task ids where the judge and the humans differ'),
                reviews: z
                  .object({
                    reviewed: z.number().int(),
                    withJudge: z.number().int(),
                    withHumans: z.number().int(),
                    neither: z.number().int(),
                  })
                  .describe('Disagreements people looked at again, and whom they sided with'),
              }),
            ),
          }),
        },
      },
    },
    async (request) => judgeReport(db, principalOf(request), request.params.id),
  );

  api.post(
    '/api/v1/generations/:id/judges/review',
    {
      schema: {
        tags,
        summary: 'Send the items where a judge and the humans disagree back to people',
        description:
          'Each disagreement becomes a comparison task in `project` with the same responses, marked as a ' +
          'review; reviews do not enter the leaderboard, and GET …/judges reports whom they sided with. ' +
          'Items already sent for this judge are not sent twice.',
        params: IdParams,
        body: z
          .object({ judge: z.string().min(1).max(200), project: z.string().min(1).max(200) })
          .strict(),
        response: { 201: z.object({ created: z.number().int(), alreadySent: z.number().int() }) },
      },
    },
    async (request, reply) => {
      const result = await inTransaction(db, (tx) =>
        routeDisagreements(
          tx,
          principalOf(request),
          request.params.id,
          request.body,
          effects,
          ctx.now(),
        ),
      );
      return reply.status(201).send(result);
    },
  );
}
