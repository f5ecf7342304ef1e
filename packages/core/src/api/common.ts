import { z } from 'zod';

/** Path parameter `:id`. */
export const IdParams = z.object({ id: z.string().min(1).max(200) });

/** ISO-8601 timestamp as the API prints it. */
export const Timestamp = z.string().describe('ISO-8601 timestamp');

/** Free-form JSON object (metadata). */
export const JsonObject = z.record(z.string(), z.unknown());
