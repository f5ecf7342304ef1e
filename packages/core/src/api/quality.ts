import { z } from 'zod';
import { JsonObject, Timestamp } from './common';
import { Languages } from './workforce';

/** The truth-inference methods a project can aggregate with (the quality library's list). */
export const AggregationMethodSchema = z
  .enum(['hybrid', 'mv', 'wawa', 'ds', 'onecoin', 'glad', 'mace'])
  .describe(
    'hybrid (default): Dawid-Skene choosing per annotator between a full confusion matrix and one ' +
      'accuracy; mv: majority vote; wawa: agreement-weighted vote; ds: Dawid-Skene; onecoin: ' +
      'one-coin Dawid-Skene; glad: GLAD; mace: MACE',
  );

/** Path parameter `:project`: a project's name or id. */
export const ProjectParams = z.object({ project: z.string().min(1).max(200) });

export const ConsensusSettingsSchema = z.object({
  min: z.number().int().min(1).max(100).describe('Distinct annotators before aggregating'),
  max: z.number().int().min(1).max(100).describe('Annotators at most; completes at this count'),
  confidence: z
    .number()
    .min(0)
    .max(1)
    .describe('Between min and max, complete once the consensus is this confident'),
});

export const ReviewSettingsSchema = z.object({
  stage: z.boolean().describe('After the attempts, a reviewer accepts or corrects the consensus'),
  auditRate: z
    .number()
    .min(0)
    .max(1)
    .describe('Share of tasks sampled for an audit after review (or after the attempts)'),
});

export const GoldSettingsSchema = z.object({
  rate: z
    .number()
    .min(0)
    .max(1)
    .describe("Share of a qualified annotator's claims served from the project's evaluation tasks"),
  qualifyCount: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .describe('Evaluation tasks to pass before real work (0: no qualification)'),
  qualifyThreshold: z.number().min(0).max(1).describe('Mean score needed to qualify'),
  pauseBelow: z
    .number()
    .min(0)
    .max(1)
    .describe('Pause annotators whose gold accuracy is confidently below this (0: never)'),
});

export const RequirementsSchema = z.object({
  skills: z
    .record(z.string().min(1).max(100), z.number().int().min(0).max(10))
    .describe('Skill → minimum level'),
  languages: Languages.describe(
    'Annotators must speak one of these (empty: any); "fr" is met by "fr-CA" too',
  ),
  pools: z
    .array(z.enum(['internal', 'vendor', 'crowd']))
    .describe('Annotators must belong to one of these pools (empty: any)'),
});

export const PaySettingsSchema = z.object({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as USD' })
    .describe('ISO 4217 currency; amounts are in its minor unit (cents)'),
  attempt: z.number().int().min(0).max(1_000_000).describe('Per accepted attempt'),
  review: z.number().int().min(0).max(1_000_000).describe('Per review'),
  audit: z.number().int().min(0).max(1_000_000).describe('Per audit'),
  bonusPercent: z
    .number()
    .min(0)
    .max(1000)
    .describe('Quality bonus on an accepted attempt, as a percentage of its rate...'),
  bonusAbove: z
    .number()
    .min(0)
    .max(1)
    .describe('...for annotators with gold accuracy at least this'),
});

export const ProjectSettingsSchema = z.object({
  consensus: ConsensusSettingsSchema,
  aggregation: z.object({ method: AggregationMethodSchema }),
  review: ReviewSettingsSchema,
  gold: GoldSettingsSchema,
  leaseSeconds: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 3600)
    .describe('How long a claim holds its task; heartbeats extend it'),
  maxOpenClaims: z.number().int().min(1).max(100).describe('Open claims per annotator at most'),
  clearance: z.number().int().min(0).max(10).describe('Clearance level annotators need'),
  requirements: RequirementsSchema,
  pay: PaySettingsSchema,
  idleSeconds: z
    .number()
    .int()
    .min(5)
    .max(3600)
    .describe('A gap between signs of life longer than this counts as this much active time'),
});

export const ProjectSettingsPatch = z
  .object({
    consensus: ConsensusSettingsSchema.partial().strict().optional(),
    aggregation: z.object({ method: AggregationMethodSchema.optional() }).strict().optional(),
    review: ReviewSettingsSchema.partial().strict().optional(),
    gold: GoldSettingsSchema.partial().strict().optional(),
    leaseSeconds: ProjectSettingsSchema.shape.leaseSeconds.optional(),
    maxOpenClaims: ProjectSettingsSchema.shape.maxOpenClaims.optional(),
    clearance: ProjectSettingsSchema.shape.clearance.optional(),
    requirements: RequirementsSchema.partial().strict().optional(),
    pay: PaySettingsSchema.partial().strict().optional(),
    idleSeconds: ProjectSettingsSchema.shape.idleSeconds.optional(),
  })
  .strict();
export type ProjectSettingsChange = z.infer<typeof ProjectSettingsPatch>;
export type ProjectSettings = z.infer<typeof ProjectSettingsSchema>;

export const SubmitAnswerBody = z
  .object({
    worker: z
      .string()
      .min(1)
      .max(200)
      .refine((id) => id.trim() !== '', { error: 'must not be blank' })
      .describe("The annotator's id in your system (one answer per annotator and task)"),
    response: JsonObject.describe("An answer in the task type's response shape"),
  })
  .strict();

export const AnswerSchema = z.object({
  id: z.string(),
  worker: z.string(),
  response: JsonObject.optional(),
  score: z.number().nullable().optional(),
  created_at: Timestamp,
});

export const ConsensusSchema = z.object({
  method: z.string().describe('The method, or "medoid" for task types without a model'),
  confidence: z.number(),
  answers: z.number().int(),
  response: JsonObject.optional(),
});

export const ReaggregateBody = z.object({ method: AggregationMethodSchema }).strict();

export const ReaggregationSchema = z.object({
  method: AggregationMethodSchema,
  tasks: z.number().int().describe('Completed tasks with answers, recomputed'),
  changed: z.number().int().describe('Of those, tasks whose response changed'),
  changedTaskIds: z.array(z.string()).describe('The first 100 changed tasks'),
});

export const QualityQuery = z.object({ method: AggregationMethodSchema.optional() }).strict();
