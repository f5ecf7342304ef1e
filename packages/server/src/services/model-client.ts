import { randomInt } from 'node:crypto';
import {
  DomainError,
  isRetryableStatus,
  parseChatCompletion,
  parseRetryAfter,
  retryDelayMs,
  type ChatMessage,
  type ModelParameters,
} from '@quorum/core';
import type { EgressGuard } from '../egress/guard';

/** What a call needs of an endpoint, the key already decrypted. */
export interface EndpointTarget {
  id: string;
  baseUrl: string;
  model: string;
  parameters: ModelParameters;
  apiKey: string | undefined;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
}

export interface ModelReply {
  content: string;
  finishReason: string | null;
  usage: { promptTokens: number | null; completionTokens: number | null };
  latencyMs: number;
  attempts: number;
}

/** Requests in flight per endpoint, in this process: callers past the limit wait their turn. */
class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    // A finished call hands its slot straight to the next in line, so no newcomer slips in
    // between and the limit holds exactly.
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** A 2xx reply that is not a completion is the endpoint's failure, not the caller's. */
function parsed(text: string) {
  try {
    return parseChatCompletion(text);
  } catch (error) {
    if (error instanceof DomainError)
      throw new DomainError(
        'unavailable',
        `The model endpoint's reply is not a completion: ${error.message}`,
      );
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls OpenAI-compatible chat completions through the egress guard: a timeout per attempt,
 * retries with backoff on 429, 5xx and network failures (Retry-After obeyed), a concurrency
 * limit per endpoint. A reply that is not a completion fails with the reason; nothing is made up.
 */
export function createModelClient(
  guard: EgressGuard,
  options: { sleep?: (ms: number) => Promise<unknown>; now?: () => Date } = {},
) {
  const gates = new Map<string, Gate>();
  const wait = options.sleep ?? sleep;
  const now = options.now ?? (() => new Date());
  const gateOf = (target: EndpointTarget) => {
    const key = `${target.id}:${target.concurrency}`;
    let gate = gates.get(key);
    if (!gate) gates.set(key, (gate = new Gate(target.concurrency)));
    return gate;
  };

  async function once(target: EndpointTarget, body: string) {
    const url = `${target.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    const response = await guard.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
      },
      body,
      timeoutMs: target.timeoutMs,
      maxRedirects: 0,
    });
    const text = (await response.buffer()).toString('utf8');
    return { status: response.status, text, retryAfter: response.headers['retry-after'] };
  }

  async function chat(
    target: EndpointTarget,
    messages: ChatMessage[],
    parameters: ModelParameters = {},
  ): Promise<ModelReply> {
    const body = JSON.stringify({
      model: target.model,
      ...target.parameters,
      ...parameters,
      messages,
      stream: false,
    });
    return gateOf(target).run(async () => {
      const started = performance.now();
      let lastProblem = '';
      for (let attempt = 1; attempt <= target.maxRetries + 1; attempt++) {
        let retryAfterMs: number | undefined;
        try {
          const reply = await once(target, body);
          if (reply.status >= 200 && reply.status < 300) {
            const completion = parsed(reply.text);
            return {
              content: completion.content,
              finishReason: completion.finishReason,
              usage: {
                promptTokens: completion.promptTokens,
                completionTokens: completion.completionTokens,
              },
              latencyMs: performance.now() - started,
              attempts: attempt,
            };
          }
          lastProblem = `HTTP ${reply.status}: ${reply.text.slice(0, 200)}`;
          if (!isRetryableStatus(reply.status))
            throw new DomainError(
              'unavailable',
              `The model endpoint refused the request (${lastProblem})`,
            );
          retryAfterMs = parseRetryAfter(reply.retryAfter, now());
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          // Refused destinations, refusals and replies that are not completions are final.
          if (error.code === 'invalid' || error.code === 'forbidden') throw error;
          if (error.message.startsWith('The model endpoint')) throw error;
          lastProblem = error.message;
        }
        if (attempt <= target.maxRetries)
          await wait(retryDelayMs(attempt, retryAfterMs, randomInt(1_000_000) / 1_000_000));
      }
      throw new DomainError(
        'unavailable',
        `The model endpoint failed after ${target.maxRetries + 1} attempts: ${lastProblem}`,
      );
    });
  }

  return { chat };
}

export type ModelClient = ReturnType<typeof createModelClient>;
