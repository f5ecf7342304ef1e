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

/** One model on a leaderboard: Bradley-Terry rating on the 400-point Elo scale, 95% interval. */
export const LeaderboardRowSchema = z.object({
  model: z.string(),
  rating: z.number(),
  lower: z.number(),
  upper: z.number(),
  rank: z
    .number()
    .int()
    .describe('1 + the number of models whose lower bound is above this one’s upper bound'),
  battles: z.number(),
});

export const StyleCovariateSchema = z.enum(['length', 'headers', 'lists', 'bold']);

/** What one style covariate is worth on the leaderboard's Elo scale. */
export const StyleCoefficientSchema = z.object({
  covariate: StyleCovariateSchema,
  points: z
    .number()
    .describe(
      'Elo points that one standard deviation more of this covariate (a over b) is worth, style held equal otherwise',
    ),
  lower: z.number(),
  upper: z.number(),
  logOdds: z.number().describe('The same coefficient in log-odds per standard deviation'),
  sd: z
    .number()
    .describe('Standard deviation of the covariate’s (a − b)/(a + b) over the comparisons'),
});

/** A leaderboard over one set of comparisons (all prompts, or one category). */
export const LeaderboardBoardSchema = z.object({
  rows: z.array(LeaderboardRowSchema),
  models: z.array(z.string()),
  winRates: z
    .array(z.array(z.number().nullable()))
    .describe('winRates[i][j]: share of i’s games with j that i won (ties half)'),
  comparisons: z.number().int(),
  elo: z
    .record(z.string(), z.number())
    .describe('Online Elo (K = 4) in answer order, for comparison'),
  styleControl: z
    .object({
      rows: z.array(LeaderboardRowSchema),
      coefficients: z.array(StyleCoefficientSchema),
    })
    .optional()
    .describe(
      'With style_control=true: the board with length, headers, list items and bold held equal, ' +
        'and what each of them is worth',
    ),
});

export const GenerationLeaderboardQuery = z
  .object({
    bootstrap: z.coerce.number().int().min(0).max(10_000).default(1000),
    seed: z.coerce.number().int().min(0).default(1),
    style_control: z
      .enum(['true', 'false'])
      .default('false')
      .describe('Also fit the style-controlled board (Chatbot Arena’s style control)'),
  })
  .strict();

export const GenerationLeaderboardSchema = z.object({
  overall: LeaderboardBoardSchema,
  categories: z.record(z.string(), LeaderboardBoardSchema),
});
export type LeaderboardBoard = z.infer<typeof LeaderboardBoardSchema>;
export type GenerationLeaderboard = z.infer<typeof GenerationLeaderboardSchema>;
export type StyleCoefficient = z.infer<typeof StyleCoefficientSchema>;

export const GenerationRatingsSchema = z.object({
  criteria: z.array(
    z.object({
      criterion: z.string(),
      min: z.number().int(),
      max: z.number().int(),
      models: z.array(
        z.object({
          model: z.string(),
          mean: z.number(),
          lower: z.number().describe('95% interval'),
          upper: z.number(),
          count: z.number().int(),
        }),
      ),
    }),
  ),
  flags: z
    .array(
      z.object({
        model: z.string(),
        category: z.string(),
        count: z.number().int(),
        shown: z.number().int().describe('Times its responses were shown where flags were offered'),
      }),
    )
    .describe('Safety flags by model and category'),
  rewrites: z
    .array(z.object({ model: z.string(), count: z.number().int() }))
    .describe('Rewrites written for single responses of each model'),
});
export type GenerationRatings = z.infer<typeof GenerationRatingsSchema>;
