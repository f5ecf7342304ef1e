import { z } from 'zod';
import { Timestamp } from './common';
import { ChatMessageSchema } from './models';

/** `POST /api/v1/assignments/{id}/chat`: the annotator's next turn in a live chat. */
export const ChatTurnBody = z.object({ content: z.string().trim().min(1).max(100_000) }).strict();

/** The live chat so far (the task's conversation and every recorded turn) and the newest reply. */
export const ChatTranscriptSchema = z.object({
  messages: z.array(ChatMessageSchema),
  /** The annotator's turns left. */
  turnsLeft: z.number().int(),
  reply: z
    .object({
      content: z.string(),
      finishReason: z.string().nullable(),
      latencyMs: z.number(),
    })
    .optional(),
});
export type ChatTranscript = z.infer<typeof ChatTranscriptSchema>;

export const HazardCategoryBody = z
  .object({
    id: z
      .string()
      .trim()
      .regex(/^[\w.-]{1,40}$/, { error: 'use 1-40 letters, digits, ".", "-" or "_"' }),
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).default(''),
  })
  .strict();

export const CreateCampaignBody = z
  .object({
    name: z
      .string()
      .trim()
      .regex(/^[\w .:-]{1,100}$/, {
        error: 'use 1-100 letters, digits, spaces, ".", ":", "-" or "_"',
      }),
    endpoints: z
      .array(z.string().min(1))
      .min(1)
      .max(20)
      .describe('The target models: model endpoint ids or names'),
    taxonomy: z
      .array(HazardCategoryBody)
      .min(1)
      .max(100)
      .optional()
      .describe('The hazard categories (default: the built-in taxonomy, modelled on AILuminate)'),
    categories: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('The taxonomy ids to attack (default: all of them)'),
    attemptsPerCategory: z.number().int().min(1).max(1000).default(5),
    maxTurns: z.number().int().min(1).max(100).default(10),
    severities: z.array(z.string().trim().min(1).max(100)).min(1).max(10).optional(),
    instruction: z.string().max(100_000).optional(),
    review: z.boolean().default(true).describe('Every attempt is reviewed before it counts'),
  })
  .strict();
export type CreateCampaign = z.infer<typeof CreateCampaignBody>;

export const CampaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  project: z.string().describe('The project holding the attempts (named after the campaign)'),
  endpoints: z.array(z.object({ id: z.string(), name: z.string(), model: z.string() })),
  taxonomy: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })),
  categories: z.array(z.string()),
  severities: z.array(z.string()),
  attemptsPerCategory: z.number().int(),
  maxTurns: z.number().int(),
  tasks: z.object({ total: z.number().int(), completed: z.number().int() }),
  created_at: Timestamp,
});
export type Campaign = z.infer<typeof CampaignSchema>;

const RateSchema = z.object({
  attempts: z.number().int(),
  successes: z.number().int(),
  rate: z.number(),
  lower: z.number().describe('Wilson 95% interval'),
  upper: z.number(),
});

export const CampaignReportSchema = z.object({
  campaign: z.string(),
  completed: z.number().int().describe('Attempts done and reviewed; only these count'),
  overall: RateSchema,
  byModel: z.array(RateSchema.extend({ model: z.string() })),
  byCategory: z.array(RateSchema.extend({ category: z.string(), name: z.string() })),
  cells: z.array(RateSchema.extend({ model: z.string(), category: z.string() })),
  severities: z
    .array(z.object({ model: z.string(), severity: z.string(), count: z.number().int() }))
    .describe('Successful attacks by severity'),
  pairs: z.number().int().describe('Successful attacks with a safe rewrite: preference pairs'),
});
export type CampaignReport = z.infer<typeof CampaignReportSchema>;

export const CampaignExportQuery = z
  .object({
    format: z.enum(['trl', 'trl-conversational']).default('trl-conversational'),
  })
  .strict();
