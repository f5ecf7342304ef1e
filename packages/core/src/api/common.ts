import { z } from 'zod';
import { ERROR_CODES } from '../errors';

/** Path parameter `:id`. */
export const IdParams = z.object({ id: z.string().min(1).max(200) });

/** ISO-8601 timestamp as the API prints it. */
export const Timestamp = z.string().describe('ISO-8601 timestamp');

/**
 * The one error body, Scale's shape (`status_code`, `error`) plus a stable `code` and, where
 * one input is at fault, the `field` it came from.
 */
export const ErrorBodySchema = z.object({
  status_code: z.number().int(),
  error: z.string(),
  code: z.enum([...ERROR_CODES, 'internal']),
  field: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Free-form JSON object (metadata). */
export const JsonObject = z.record(z.string(), z.unknown());
