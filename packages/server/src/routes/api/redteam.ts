import { z } from 'zod';
import {
  CampaignExportQuery,
  CampaignReportSchema,
  CampaignSchema,
  CreateCampaignBody,
  DEFAULT_SEVERITIES,
  HAZARD_TAXONOMY,
  IdParams,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { inTransaction } from '../../db/executor';
import { principalOf } from '../../http/auth';
import { sendJsonLines } from '../../http/json-lines';
import type { Effects } from '../../services/effects';
import {
  campaignReport,
  createCampaign,
  exportCampaignPairs,
  getCampaign,
  getCampaigns,
} from '../../services/redteam';
import type { Api } from '../types';

/** Red-team campaigns: attempts routed to annotators, the attack success report, the pairs. */
export function redteamRoutes(api: Api, ctx: AppContext, effects: Effects) {
  const db = ctx.database.db;
  const tags = ['red teaming'];
  const manager = { access: 'manager' as const };

  api.get(
    '/api/v1/redteam/taxonomy',
    {
      config: manager,
      schema: {
        tags,
        summary: 'The built-in hazard taxonomy (modelled on AILuminate) and severities',
        response: {
          200: z.object({
            categories: z.array(
              z.object({ id: z.string(), name: z.string(), description: z.string() }),
            ),
            severities: z.array(z.string()),
          }),
        },
      },
    },
    async () => ({ categories: [...HAZARD_TAXONOMY], severities: [...DEFAULT_SEVERITIES] }),
  );

  api.post(
    '/api/v1/redteam/campaigns',
    {
      config: manager,
      schema: {
        tags,
        summary: 'Start a campaign: live-chat attempts per target model and hazard category',
        description:
          'Creates the project `redteam-{name}` (one annotator per attempt; every attempt reviewed ' +
          'unless `review` is false) and attemptsPerCategory tasks for each model and category. ' +
          'Each attempt records success, severity, the harmful turn and a safe rewrite.',
        body: CreateCampaignBody,
        response: { 201: CampaignSchema },
      },
    },
    async (request, reply) => {
      const campaign = await inTransaction(db, (tx) =>
        createCampaign(tx, principalOf(request), request.body, effects, ctx.now()),
      );
      return reply.code(201).send(campaign);
    },
  );

  api.get(
    '/api/v1/redteam/campaigns',
    {
      config: manager,
      schema: {
        tags,
        summary: 'Every campaign, newest first, with its progress',
        response: { 200: z.object({ campaigns: z.array(CampaignSchema) }) },
      },
    },
    async (request) => ({ campaigns: await getCampaigns(db, principalOf(request)) }),
  );

  api.get(
    '/api/v1/redteam/campaigns/:id',
    {
      config: manager,
      schema: {
        tags,
        summary: 'One campaign (by id or name)',
        params: IdParams,
        response: { 200: CampaignSchema },
      },
    },
    async (request) => getCampaign(db, principalOf(request), request.params.id),
  );

  api.get(
    '/api/v1/redteam/campaigns/:id/report',
    {
      config: manager,
      schema: {
        tags,
        summary: 'Attack success rate by model and category, with Wilson 95% intervals',
        description: 'Only completed (and, when the campaign reviews, reviewed) attempts count.',
        params: IdParams,
        response: { 200: CampaignReportSchema },
      },
    },
    async (request) => campaignReport(db, principalOf(request), request.params.id),
  );

  api.get(
    '/api/v1/redteam/campaigns/:id/export',
    {
      config: manager,
      schema: {
        tags,
        summary: 'Successful attacks with their safe rewrites as preference pairs (JSON lines)',
        description:
          'The safe rewrite is chosen over the harmful reply, after the conversation that led to ' +
          'it. `trl`: {prompt, chosen, rejected} as text; `trl-conversational`: as messages. Both ' +
          'carry the category and severity.',
        params: IdParams,
        querystring: CampaignExportQuery,
      },
    },
    async (request, reply) => {
      const lines = exportCampaignPairs(
        db,
        principalOf(request),
        request.params.id,
        request.query.format,
      );
      return sendJsonLines(reply, lines, `redteam-pairs-${request.query.format}.jsonl`);
    },
  );
}
