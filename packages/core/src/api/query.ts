import { z } from 'zod';

/** A query flag as Scale's Python client sends it: `True`/`False` as well as `true`/`1`. */
export const QueryBoolean = z
  .enum(['true', 'false', 'True', 'False', 'TRUE', 'FALSE', '1', '0'])
  .transform((value) => value.toLowerCase() === 'true' || value === '1');

/** A query value that may repeat (`tags=a&tags=b`); always read as a list. */
export const QueryList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]));

/**
 * A date or date-time in the query. Date-only and offset-less values are UTC, as Scale's
 * clients send `datetime.utcnow().isoformat()` without a zone.
 */
export const QueryDate = z.string().transform((value, ctx) => {
  const hasZone = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(value);
  const isDateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(isDateOnly ? `${value}T00:00:00Z` : hasZone ? value : `${value}Z`);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date or date-time' });
    return z.NEVER;
  }
  return date;
});

/** A page size between 1 and `max`, default `max`. */
export const QueryLimit = (max: number) => z.coerce.number().int().min(1).max(max).default(max);
