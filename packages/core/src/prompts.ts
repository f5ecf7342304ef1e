import type { ChatMessage } from './api/models';

/** One prompt of a prompt set: the conversation so far (its last message is the user's). */
export interface PromptRecord {
  messages: ChatMessage[];
  category: string | null;
  externalId: string | null;
  metadata: Record<string, unknown>;
}

const ROLES = new Set(['system', 'user', 'assistant']);
const MAX_MESSAGES = 200;
const MAX_CONTENT = 200_000;

/**
 * A prompt-set line: `{"prompt": "…"}` (single turn, optional `"system"`), or
 * `{"messages": [{role, content}, …]}` (multi-turn, ending with the user's turn); optional
 * `category`, `id` and `metadata`. Returns the prompt or why the line is refused.
 */
export function parsePromptLine(line: string): PromptRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  let messages: ChatMessage[];
  if (record.messages !== undefined) {
    if (record.prompt !== undefined) return 'give prompt or messages, not both';
    if (!Array.isArray(record.messages) || record.messages.length === 0)
      return 'messages must be a non-empty array';
    if (record.messages.length > MAX_MESSAGES)
      return `messages has more than ${MAX_MESSAGES} turns`;
    messages = [];
    for (const [index, raw] of record.messages.entries()) {
      const message = raw as { role?: unknown; content?: unknown } | null;
      if (!message || typeof message !== 'object') return `messages[${index}] must be an object`;
      if (typeof message.role !== 'string' || !ROLES.has(message.role))
        return `messages[${index}].role must be system, user or assistant`;
      if (typeof message.content !== 'string' || message.content.trim() === '')
        return `messages[${index}].content must be non-empty text`;
      if (message.content.length > MAX_CONTENT) return `messages[${index}].content is too long`;
      messages.push({ role: message.role as ChatMessage['role'], content: message.content });
    }
    if (messages[messages.length - 1]!.role !== 'user')
      return 'the last message must be the user’s (the turn a model answers)';
  } else {
    if (typeof record.prompt !== 'string' || record.prompt.trim() === '')
      return 'prompt must be non-empty text (or give messages)';
    if (record.prompt.length > MAX_CONTENT) return 'prompt is too long';
    if (record.system !== undefined && typeof record.system !== 'string')
      return 'system must be text';
    messages = [
      ...(typeof record.system === 'string' && record.system !== ''
        ? [{ role: 'system' as const, content: record.system }]
        : []),
      { role: 'user', content: record.prompt },
    ];
  }
  if (record.category !== undefined && typeof record.category !== 'string')
    return 'category must be text';
  if (record.id !== undefined && typeof record.id !== 'string' && typeof record.id !== 'number')
    return 'id must be text or a number';
  if (
    record.metadata !== undefined &&
    (!record.metadata || typeof record.metadata !== 'object' || Array.isArray(record.metadata))
  )
    return 'metadata must be a JSON object';
  return {
    messages,
    category: (record.category as string | undefined) ?? null,
    externalId: record.id === undefined ? null : String(record.id),
    metadata: (record.metadata as Record<string, unknown> | undefined) ?? {},
  };
}
