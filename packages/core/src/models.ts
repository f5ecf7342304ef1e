import { DomainError } from './errors';

/**
 * How long to wait before retry number `attempt` (1 = the first retry): the server's Retry-After
 * when it gave one (capped), else exponential backoff from 500 ms with full jitter, capped at 30 s.
 * `random` in [0, 1) is passed in, so the rule is pure.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  random: number,
): number {
  const cap = 30_000;
  if (retryAfterMs !== undefined) return Math.min(cap * 2, Math.max(0, retryAfterMs));
  const ceiling = Math.min(cap, 500 * 2 ** (attempt - 1));
  return Math.floor(ceiling * (0.5 + random / 2));
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** Statuses worth another try: rate limits and server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export interface ChatCompletion {
  content: string;
  finishReason: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
}

const count = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 0 ? (value as number) : null;

/**
 * The first choice of an OpenAI chat-completions response. Anything else (not JSON, no choices,
 * no text) is refused with what was wrong: a reply that says nothing is a failure, never an
 * empty answer.
 */
export function parseChatCompletion(body: string): ChatCompletion {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DomainError(
      'unprocessable',
      `the endpoint's reply is not JSON: ${JSON.stringify(body.slice(0, 120))}`,
    );
  }
  const root = json as { choices?: unknown; usage?: Record<string, unknown> } | null;
  if (!root || typeof root !== 'object')
    throw new DomainError('unprocessable', "the endpoint's reply is not a JSON object");
  const choices = root.choices;
  if (!Array.isArray(choices) || choices.length === 0)
    throw new DomainError('unprocessable', "the endpoint's reply has no choices");
  const first = choices[0] as { message?: { content?: unknown }; finish_reason?: unknown } | null;
  const content = first?.message?.content;
  if (typeof content !== 'string')
    throw new DomainError(
      'unprocessable',
      "the endpoint's reply has no choices[0].message.content text",
    );
  return {
    content,
    finishReason: typeof first?.finish_reason === 'string' ? first.finish_reason : null,
    promptTokens: count(root.usage?.prompt_tokens),
    completionTokens: count(root.usage?.completion_tokens),
  };
}

/** One server-sent event of a streamed completion: a piece of text, the end, or the usage. */
export type StreamEvent =
  | { kind: 'done' }
  | {
      kind: 'chunk';
      delta: string;
      finishReason: string | null;
      promptTokens: number | null;
      completionTokens: number | null;
    };

/**
 * The `data:` of one event of a streamed chat completion (`stream: true`): `[DONE]`, or a
 * `chat.completion.chunk` whose first choice carries a `delta`. A chunk that is not JSON, or an
 * error object, is refused with what was wrong.
 */
export function parseStreamEvent(data: string): StreamEvent {
  if (data.trim() === '[DONE]') return { kind: 'done' };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new DomainError(
      'unprocessable',
      `a streamed chunk is not JSON: ${JSON.stringify(data.slice(0, 120))}`,
    );
  }
  const root = json as {
    choices?: unknown;
    usage?: Record<string, unknown> | null;
    error?: { message?: unknown };
  } | null;
  if (!root || typeof root !== 'object' || Array.isArray(root))
    throw new DomainError('unprocessable', 'a streamed chunk is not a JSON object');
  if (root.error)
    throw new DomainError(
      'unprocessable',
      `the stream reported an error: ${String(root.error.message ?? 'unknown')}`.slice(0, 300),
    );
  const choices = Array.isArray(root.choices) ? root.choices : [];
  // The last chunk with `stream_options.include_usage` has usage and no choices.
  const first = choices[0] as
    { delta?: { content?: unknown }; finish_reason?: unknown } | null | undefined;
  if (choices.length === 0 && !root.usage)
    throw new DomainError('unprocessable', 'a streamed chunk has no choices');
  const content = first?.delta?.content;
  if (content !== undefined && content !== null && typeof content !== 'string')
    throw new DomainError('unprocessable', 'a streamed chunk has a delta that is not text');
  return {
    kind: 'chunk',
    delta: typeof content === 'string' ? content : '',
    finishReason: typeof first?.finish_reason === 'string' ? first.finish_reason : null,
    promptTokens: count(root.usage?.prompt_tokens),
    completionTokens: count(root.usage?.completion_tokens),
  };
}

/**
 * Splits a server-sent-events byte stream, decoded, into the `data` of each event. Feed it text
 * as it arrives; it returns the complete events' data and keeps the unfinished rest.
 */
export class ServerSentEvents {
  private pending = '';

  push(text: string): string[] {
    this.pending += text;
    const events: string[] = [];
    for (;;) {
      const match = /\r\n\r\n|\n\n|\r\r/.exec(this.pending);
      if (!match) break;
      const block = this.pending.slice(0, match.index);
      this.pending = this.pending.slice(match.index + match[0].length);
      const data = block
        .split(/\r\n|\n|\r/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''));
      if (data.length > 0) events.push(data.join('\n'));
    }
    return events;
  }

  /** What is left when the stream ends: an event that lacked its closing blank line. */
  end(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest.trim() === '' ? [] : this.push(`${rest}\n\n`);
  }
}
