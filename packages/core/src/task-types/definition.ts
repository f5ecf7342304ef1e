import type { z } from 'zod';
import type { TaskTypeDefinition } from './registry';
import type { Problem } from './validation';

/** A task type as this module implements it: the public definition plus the params-aware checks. */
export interface TaskTypeImplementation extends TaskTypeDefinition {
  /**
   * Checks a response that already fits `response` against the task's parsed params (labels
   * offered, text offsets…); the problem's path is relative to the response.
   */
  checkResponse(
    response: Record<string, unknown>,
    params: Record<string, unknown>,
  ): Problem | undefined;
}

interface TypedTaskType<P extends Record<string, unknown>, R extends Record<string, unknown>> {
  type: string;
  params: z.ZodType<P>;
  response: z.ZodType<R>;
  testResponse(params: P): R;
  checkResponse(response: R, params: P): Problem | undefined;
}

/**
 * Declares a task type with its own param and response types; the registry only sees records,
 * and every caller passes values these schemas produced.
 */
export function defineTaskType<
  P extends Record<string, unknown>,
  R extends Record<string, unknown>,
>(definition: TypedTaskType<P, R>): TaskTypeImplementation {
  return {
    type: definition.type,
    params: definition.params,
    response: definition.response,
    testResponse: (params) => definition.testResponse(params as P),
    checkResponse: (response, params) => definition.checkResponse(response as R, params as P),
  };
}
