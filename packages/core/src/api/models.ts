import { z } from 'zod';
import { Timestamp } from './common';

/** OpenAI-compatible sampling parameters we pass through (others are refused by name). */
export const ModelParametersSchema = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    max_tokens: z.number().int().min(1).max(1_000_000).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    seed: z.number().int().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
  })
  .strict();
export type ModelParameters = z.infer<typeof ModelParametersSchema>;

export const CreateModelEndpointBody = z
  .object({
    name: z
      .string()
      .trim()
      .regex(/^[\w.:-]{1,100}$/, { error: 'use 1-100 letters, digits, ".", ":", "-" or "_"' }),
    baseUrl: z
      .string()
      .url()
      .max(2000)
      .describe(
        'The API root, e.g. https://api.openai.com/v1 (chat completions is /chat/completions under it)',
      ),
    model: z.string().min(1).max(200).describe('The model name the endpoint expects'),
    parameters: ModelParametersSchema.default({}),
    apiKey: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe('Sent as a Bearer token; stored encrypted, never shown again'),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(4)
      .describe('Requests in flight at most, per server process'),
    timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
    maxRetries: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(3)
      .describe('Retries on 429, 5xx and network errors'),
  })
  .strict();

export const ModelEndpointSchema = z.object({
  id: z.string(),
  name: z.string(),
  baseUrl: z.string(),
  model: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  hasApiKey: z.boolean(),
  apiKeyHint: z.string().nullable().describe('The key’s last four characters'),
  concurrency: z.number().int(),
  timeoutMs: z.number().int(),
  maxRetries: z.number().int(),
  created_at: Timestamp,
});

export const ChatMessageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string().max(1_000_000),
  })
  .strict();
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ModelCallBody = z
  .object({
    messages: z.array(ChatMessageSchema).min(1).max(200),
    parameters: ModelParametersSchema.optional().describe('Overrides the endpoint’s parameters'),
  })
  .strict();

export const ModelCallResultSchema = z.object({
  content: z.string(),
  finishReason: z.string().nullable(),
  usage: z.object({
    promptTokens: z.number().int().nullable(),
    completionTokens: z.number().int().nullable(),
  }),
  latencyMs: z.number(),
  attempts: z.number().int(),
});
