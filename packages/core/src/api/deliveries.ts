import { z } from 'zod';
import { Timestamp } from './common';
import { QueryLimit } from './query';

export const DeliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed']);

export const DeliverySchema = z.object({
  id: z.string(),
  event: z.string().describe('task.completed, task.error, task.audited or batch.completed'),
  task_id: z.string().nullable(),
  batch_id: z.string().nullable(),
  url: z.string(),
  status: DeliveryStatusSchema,
  attempts: z
    .number()
    .int()
    .describe('Attempts in the current series (a redelivery starts a new one)'),
  next_attempt_at: Timestamp.nullable(),
  last_attempt_at: Timestamp.nullable(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: Timestamp,
  succeeded_at: Timestamp.nullable(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const DeliveryAttemptSchema = z.object({
  attempt: z.number().int(),
  attempted_at: Timestamp,
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
});

export const DeliveryDetailSchema = DeliverySchema.extend({
  payload: z.unknown(),
  attempt_log: z.array(DeliveryAttemptSchema),
});

export const ListDeliveriesQuery = z
  .object({
    task_id: z.string().optional(),
    batch_id: z.string().optional(),
    status: DeliveryStatusSchema.optional(),
    limit: QueryLimit(100),
    next_token: z.string().optional(),
  })
  .strict();

export const DeliveryPageSchema = z.object({
  docs: z.array(DeliverySchema),
  has_more: z.boolean(),
  next_token: z.string().optional(),
});

export const CallbackKeysSchema = z.object({
  callback_auth_key: z.string().describe('Sent as the scale-callback-auth header'),
  webhook_secret: z.string().describe('Standard Webhooks signing secret (whsec_…)'),
});
