import type { z } from 'zod';

/**
 * One task type of the Scale-compatible API: how its create body is checked and what a
 * response for it looks like.
 */
export interface TaskTypeDefinition {
  /** The path value in `POST /v1/task/{type}`. */
  type: string;
  /**
   * The type-specific create parameters (everything that lands in the task's `params`), strict:
   * unknown keys are refused with the key named. Defaults Scale fills in are applied here.
   */
  params: z.ZodType<Record<string, unknown>>;
  /** A complete response for this type, as a worker, a model or an import delivers it. */
  response: z.ZodType<Record<string, unknown>>;
  /**
   * The response a test-mode task completes with at once (Scale's test keys do the same):
   * the pre-labels when the task has them, otherwise an empty but valid answer.
   */
  testResponse(params: Record<string, unknown>): Record<string, unknown>;
}
