import { randomInt } from 'node:crypto';
import {
  DomainError,
  isRetryableStatus,
  parseChatCompletion,
  parseRetryAfter,
  parseStreamEvent,
  retryDelayMs,
  ServerSentEvents,
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

  /**
   * One streamed attempt: text pieces go to `onDelta` as they arrive. A stream that stalls for
   * `idleMs`, breaks off, or sends a chunk that is not a completion fails; `emitted` tells the
   * caller whether anything reached `onDelta` (then the attempt cannot be retried).
   */
  async function streamOnce(
    target: EndpointTarget,
    body: string,
    onDelta: (text: string) => void,
    progress: { emitted: boolean },
  ) {
    const url = `${target.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    const response = await guard.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
      },
      body,
      timeoutMs: target.timeoutMs,
      maxRedirects: 0,
    });
    if (response.status < 200 || response.status >= 300) {
      const text = (await response.buffer()).toString('utf8');
      return { status: response.status, text, retryAfter: response.headers['retry-after'] };
    }
    const type = String(response.headers['content-type'] ?? '');
    if (!type.includes('text/event-stream')) {
      // An endpoint that ignores `stream` answers with one completion: pass it on whole.
      const completion = parsed((await response.buffer()).toString('utf8'));
      progress.emitted = true;
      onDelta(completion.content);
      return { status: response.status, completion };
    }
    const events = new ServerSentEvents();
    const decoder = new TextDecoder();
    const idleMs = Math.min(target.timeoutMs, 20_000);
    let content = '';
    let finishReason: string | null = null;
    let promptTokens: number | null = null;
    let completionTokens: number | null = null;
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    const stall = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () =>
          response.body.destroy(
            new DomainError('unavailable', `the stream sent nothing for ${idleMs} ms`),
          ),
        idleMs,
      );
    };
    const take = (data: string) => {
      let event;
      try {
        event = parseStreamEvent(data);
      } catch (error) {
        if (error instanceof DomainError)
          throw new DomainError(
            'unavailable',
            `The model endpoint's reply is not a completion: ${error.message}`,
          );
        throw error;
      }
      if (event.kind === 'done') {
        done = true;
        return;
      }
      if (event.delta !== '') {
        content += event.delta;
        progress.emitted = true;
        onDelta(event.delta);
      }
      finishReason = event.finishReason ?? finishReason;
      promptTokens = event.promptTokens ?? promptTokens;
      completionTokens = event.completionTokens ?? completionTokens;
    };
    try {
      stall();
      for await (const chunk of response.body) {
        stall();
        for (const data of events.push(decoder.decode(chunk as Buffer, { stream: true }))) {
          take(data);
          if (done) break;
        }
        if (done) break;
      }
      if (!done) for (const data of events.end()) take(data);
    } finally {
      clearTimeout(idle);
      response.body.destroy();
    }
    if (!done && finishReason === null)
      throw new DomainError('unavailable', 'the stream ended before the completion did');
    return {
      status: response.status,
      completion: { content, finishReason, promptTokens, completionTokens },
    };
  }

  /**
   * A chat completion streamed (`stream: true`): the reply's text goes to `onDelta` piece by
   * piece. Retries like `chat` until the first piece has been passed on; after that a failure is
   * final, since what was shown cannot be taken back.
   */
  async function chatStream(
    target: EndpointTarget,
    messages: ChatMessage[],
    onDelta: (text: string) => void,
    parameters: ModelParameters = {},
  ): Promise<ModelReply> {
    const body = JSON.stringify({
      model: target.model,
      ...target.parameters,
      ...parameters,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    return gateOf(target).run(async () => {
      const started = performance.now();
      const progress = { emitted: false };
      let lastProblem = '';
      for (let attempt = 1; attempt <= target.maxRetries + 1; attempt++) {
        let retryAfterMs: number | undefined;
        try {
          const reply = await streamOnce(target, body, onDelta, progress);
          if (reply.completion) {
            return {
              content: reply.completion.content,
              finishReason: reply.completion.finishReason,
              usage: {
                promptTokens: reply.completion.promptTokens,
                completionTokens: reply.completion.completionTokens,
              },
              latencyMs: performance.now() - started,
              attempts: attempt,
            };
          }
          lastProblem = `HTTP ${reply.status}: ${(reply.text ?? '').slice(0, 200)}`;
          if (!isRetryableStatus(reply.status))
            throw new DomainError(
              'unavailable',
              `The model endpoint refused the request (${lastProblem})`,
            );
          retryAfterMs = parseRetryAfter(reply.retryAfter, now());
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          if (error.code === 'invalid' || error.code === 'forbidden') throw error;
          if (error.message.startsWith('The model endpoint')) throw error;
          if (progress.emitted)
            throw new DomainError(
              'unavailable',
              `The model endpoint's stream broke off: ${error.message}`,
            );
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

  return { chat, chatStream };
}

export type ModelClient = ReturnType<typeof createModelClient>;
