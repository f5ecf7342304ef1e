import {
  DomainError,
  notFound,
  type ChatMessage,
  type ModelParameters,
  type Scope,
} from '@quorum/core';
import type { Executor } from '../db/executor';
import type { ModelEndpointRow } from '../db/schema';
import type { EgressGuard } from '../egress/guard';
import { newId } from '../ids';
import {
  deleteModelEndpoint,
  findModelEndpoint,
  insertModelEndpoint,
  listModelEndpoints,
} from '../repositories/models';
import type { SecretBox } from '../secrets';
import type { EndpointTarget, ModelClient } from './model-client';

export interface NewModelEndpoint {
  name: string;
  baseUrl: string;
  model: string;
  parameters: ModelParameters;
  apiKey?: string | undefined;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
}

/**
 * Registers an endpoint. Its address is checked first, so a private or unresolvable host is
 * refused now with the reason rather than failing every generation later.
 */
export async function createModelEndpoint(
  db: Executor,
  scope: Scope,
  guard: EgressGuard,
  secrets: SecretBox,
  input: NewModelEndpoint,
  now: Date,
) {
  try {
    await guard.check(input.baseUrl);
  } catch (error) {
    if (error instanceof DomainError)
      throw new DomainError('invalid', `baseUrl: ${error.message}`, 'baseUrl');
    throw error;
  }
  const row = await insertModelEndpoint(db, scope, {
    id: newId(now),
    name: input.name,
    base_url: input.baseUrl,
    model: input.model,
    parameters: JSON.stringify(input.parameters),
    api_key_encrypted: input.apiKey ? secrets.seal(input.apiKey) : null,
    api_key_hint: input.apiKey ? input.apiKey.slice(-4) : null,
    concurrency: input.concurrency,
    timeout_ms: input.timeoutMs,
    max_retries: input.maxRetries,
    created_at: now,
  });
  if (!row)
    throw new DomainError(
      'conflict',
      `name: a model endpoint named "${input.name}" exists`,
      'name',
    );
  return row;
}

export async function requireModelEndpoint(db: Executor, scope: Scope, idOrName: string) {
  const row = await findModelEndpoint(db, scope, idOrName);
  if (!row) throw notFound('Model endpoint', idOrName);
  return row;
}

export async function removeModelEndpoint(db: Executor, scope: Scope, idOrName: string, now: Date) {
  const row = await requireModelEndpoint(db, scope, idOrName);
  return (await deleteModelEndpoint(db, scope, row.id, now))!;
}

export { listModelEndpoints };

/** What the client needs, the key decrypted. */
export function targetOf(row: ModelEndpointRow, secrets: SecretBox): EndpointTarget {
  return {
    id: row.id,
    baseUrl: row.base_url,
    model: row.model,
    parameters: row.parameters as ModelParameters,
    apiKey: row.api_key_encrypted ? secrets.open(row.api_key_encrypted) : undefined,
    concurrency: row.concurrency,
    timeoutMs: row.timeout_ms,
    maxRetries: row.max_retries,
  };
}

/** One call, as `POST /api/v1/models/{id}/call` makes it to try an endpoint out. */
export async function callModel(
  client: ModelClient,
  row: ModelEndpointRow,
  secrets: SecretBox,
  messages: ChatMessage[],
  parameters?: ModelParameters,
) {
  return client.chat(targetOf(row, secrets), messages, parameters);
}

export function presentModelEndpoint(row: ModelEndpointRow) {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.base_url,
    model: row.model,
    parameters: row.parameters as Record<string, unknown>,
    hasApiKey: row.api_key_encrypted !== null,
    apiKeyHint: row.api_key_hint,
    concurrency: row.concurrency,
    timeoutMs: row.timeout_ms,
    maxRetries: row.max_retries,
    created_at: row.created_at.toISOString(),
  };
}
