import { DomainError } from '../errors';
import { categorization } from './categorization';
import { chat } from './chat';
import { CommonTaskFields, isCommonTaskField, type CommonTaskFieldsType } from './common';
import { comparison } from './comparison';
import type { TaskTypeImplementation } from './definition';
import { imageAnnotation } from './imageannotation';
import { namedEntityRecognition } from './namedentityrecognition';
import type { TaskTypeDefinition } from './registry';
import { textCollection } from './textcollection';
import { assertShallow, isJsonObject, parseOrThrow, problemError } from './validation';

export type { TaskTypeDefinition } from './registry';
export {
  COMMON_TASK_FIELDS,
  CommonTaskFields,
  isCommonTaskField,
  type CommonTaskField,
  type CommonTaskFieldsType,
} from './common';
export {
  GEOMETRY_TYPES,
  ImageAnnotationResponseSchema,
  type GeometryType,
  type ImageAnnotation,
  type ImageAnnotationResponse,
} from './geometry';
export { MAX_LABEL_DEPTH, leafLabels, type LabelDescription, type LabelEntry } from './labels';
export type { AnnotationAttributes, AttributeDefinition } from './attributes';
export { ImageAnnotationParamsSchema, type ImageAnnotationParams } from './imageannotation';
export {
  CategorizationParamsSchema,
  CategorizationResponseSchema,
  type CategorizationParams,
  type CategorizationResponse,
} from './categorization';
export {
  ComparisonParamsSchema,
  ComparisonResponseSchema,
  type ComparisonParams,
  type ComparisonResponse,
} from './comparison';
export { ChatParamsSchema, ChatResponseSchema, type ChatParams, type ChatResponse } from './chat';
export type { CriteriaType, FlagType, RewriteRequestType } from './feedback';
export {
  NerParamsSchema,
  NerResponseSchema,
  type NerLabel,
  type NerParams,
} from './namedentityrecognition';
export {
  TextCollectionParamsSchema,
  TextCollectionResponseSchema,
  type TextCollectionField,
  type TextCollectionParams,
  type TextCollectionResponse,
} from './textcollection';

const IMPLEMENTATIONS: Readonly<Record<string, TaskTypeImplementation>> = Object.freeze(
  // No prototype, so `TASK_TYPES['constructor']` is undefined like any other unknown type.
  Object.assign(Object.create(null) as Record<string, TaskTypeImplementation>, {
    [imageAnnotation.type]: imageAnnotation,
    [categorization.type]: categorization,
    [comparison.type]: comparison,
    [namedEntityRecognition.type]: namedEntityRecognition,
    [textCollection.type]: textCollection,
    [chat.type]: chat,
  }),
);

/** The task types `POST /v1/task/{type}` accepts, by path value. */
export const TASK_TYPES: Readonly<Record<string, TaskTypeDefinition>> = IMPLEMENTATIONS;

function implementationOf(type: string): TaskTypeImplementation {
  const implementation = IMPLEMENTATIONS[type];
  if (implementation) return implementation;
  throw new DomainError(
    'invalid',
    `Unknown task type ${JSON.stringify(type)}; supported: ${Object.keys(IMPLEMENTATIONS).join(', ')}`,
    'type',
  );
}

/**
 * Splits a create-task body into its common fields and the type's `params` (defaults filled in),
 * validating both; throws one `invalid` DomainError naming the first offending body path.
 */
export function parseCreateTaskBody(
  type: string,
  body: unknown,
): { common: CommonTaskFieldsType; params: Record<string, unknown> } {
  const implementation = implementationOf(type);
  if (!isJsonObject(body)) throw problemError({ path: ['body'], message: 'must be a JSON object' });
  assertShallow(body, []);
  const commonEntries: Array<[string, unknown]> = [];
  const paramEntries: Array<[string, unknown]> = [];
  for (const entry of Object.entries(body))
    (isCommonTaskField(entry[0]) ? commonEntries : paramEntries).push(entry);
  // fromEntries defines own properties, so a `__proto__` key stays a key (and is refused as unknown).
  const common = parseOrThrow(CommonTaskFields, Object.fromEntries(commonEntries));
  const params = parseOrThrow(implementation.params, Object.fromEntries(paramEntries));
  return { common, params };
}

/**
 * Validates a completed response of a task of `type` with the task's `params`: its shape, then
 * what the params make cheap to check (labels offered, geometries requested, text offsets…).
 * Fields are reported as `response.…`.
 */
export function parseTaskResponse(
  type: string,
  response: unknown,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const implementation = implementationOf(type);
  if (!isJsonObject(response))
    throw problemError({ path: ['response'], message: 'must be a JSON object' });
  assertShallow(response, ['response']);
  const parsed = parseOrThrow(implementation.response, response, ['response']);
  // Params were validated when the task was created; ones stored under older rules that no
  // longer parse still get the shape check above rather than a confusing params error.
  const parsedParams = implementation.params.safeParse(params);
  if (parsedParams.success) {
    const problem = implementation.checkResponse(parsed, parsedParams.data);
    if (problem)
      throw problemError({ path: ['response', ...problem.path], message: problem.message });
  }
  return parsed;
}
