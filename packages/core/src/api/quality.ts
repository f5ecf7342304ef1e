import { z } from 'zod';
import { JsonObject, Timestamp } from './common';

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

export const ProjectSettingsSchema = z.object({
  consensus: ConsensusSettingsSchema,
  aggregation: z.object({ method: AggregationMethodSchema }),
});

export const ProjectSettingsPatch = z
  .object({
    consensus: ConsensusSettingsSchema.partial().strict().optional(),
    aggregation: z.object({ method: AggregationMethodSchema.optional() }).strict().optional(),
  })
  .strict();

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
