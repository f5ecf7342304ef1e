import { z } from 'zod';
import { Timestamp } from './common';

export const CreateApiKeyBody = z
  .object({
    name: z.string().min(1).max(200),
    environment: z.enum(['live', 'test']).default('live'),
  })
  .strict();

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  environment: z.enum(['live', 'test']),
  hint: z.string().describe('First and last characters of the key, for recognising it'),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
  revoked_at: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('The secret; shown in this response only'),
});
