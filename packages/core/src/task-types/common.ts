import { z } from 'zod';
import { isEmailAddress, isHttpUrl } from './attachments';
import { JsonObjectValue } from './validation';

/**
 * Create-task body keys that are not the task type's own: they describe the task (placement,
 * callback, idempotency…) and never land in `params`. `force`, `urgency` and `with_labels` are
 * Scale's legacy keys, accepted and ignored so old clients keep working.
 */
export const COMMON_TASK_FIELDS = [
  'project',
  'batch',
  'instruction',
  'callback_url',
  'metadata',
  'unique_id',
  'priority',
  'tags',
  'clear_unique_id_on_error',
  'project_param_version',
  // Scale's docs name the same setting both ways.
  'project_version',
  'force',
  'urgency',
  'with_labels',
] as const;

export type CommonTaskField = (typeof COMMON_TASK_FIELDS)[number];

const COMMON_FIELD_SET: ReadonlySet<string> = new Set(COMMON_TASK_FIELDS);

/** Whether a create-body key is a common field rather than a type parameter. */
export function isCommonTaskField(key: string): key is CommonTaskField {
  return COMMON_FIELD_SET.has(key);
}

export const MAX_CALLBACK_URL_LENGTH = 2048;
export const MAX_INSTRUCTION_LENGTH = 100_000;
export const MAX_UNIQUE_ID_LENGTH = 256;
export const MAX_TAGS = 100;
/** Scale's three priorities; higher is served sooner. */
export const TASK_PRIORITIES = [10, 20, 30] as const;

/** The common create-task fields, strictly typed. */
export const CommonTaskFields = z.strictObject({
  project: z.string().min(1).optional(),
  batch: z.string().min(1).optional(),
  /** Markdown shown to labelers; a project's instruction is appended to it. */
  instruction: z.string().max(MAX_INSTRUCTION_LENGTH).optional(),
  /** Where completion is announced: an http(s) URL, or an email address. */
  callback_url: z
    .string()
    .min(1)
    .max(MAX_CALLBACK_URL_LENGTH)
    .refine((value) => isHttpUrl(value) || isEmailAddress(value), {
      error: 'must be an http(s) URL or an email address',
    })
    .optional(),
  metadata: JsonObjectValue.optional(),
  /** Idempotency key, unique across the account. */
  unique_id: z.string().min(1).max(MAX_UNIQUE_ID_LENGTH).optional(),
  clear_unique_id_on_error: z.boolean().optional(),
  priority: z.literal(TASK_PRIORITIES).optional(),
  tags: z.array(z.string().min(1)).max(MAX_TAGS).optional(),
  /** Which project params version to inherit; -1 inherits none. */
  project_param_version: z.number().int().min(-1).optional(),
  project_version: z.number().int().min(-1).optional(),
  force: z.unknown().optional(),
  urgency: z.unknown().optional(),
  with_labels: z.unknown().optional(),
});

export type CommonTaskFieldsType = z.output<typeof CommonTaskFields>;
