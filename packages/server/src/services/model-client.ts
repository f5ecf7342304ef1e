import { randomInt } from 'node:crypto';
import {
  DomainError,
  isRetryableStatus,
  parseChatCompletion,
  parseRetryAfter,
  parseStreamEvent,
  retryDelayMs,
  ServerSentEvents,
  type ChatCompletion,
  type ChatMessage,
  type ModelParameters,
} from '@quorum/core';
import type { EgressGuard, EgressResponse } from '../egress/guard';

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
function parsed<T>(parse: (text: string) => T, text: string): T {
  try {
    return parse(text);
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

/** How an attempt ended: a completion, or an answer that is not one. */
type Attempt =
  | { status: number; completion: ChatCompletion }
  | { status: number; completion?: undefined; text: string; retryAfter: string | undefined };

/** A chat-completions request: the call's parameters over the endpoint's. */
function requestBody(
  target: EndpointTarget,
  messages: ChatMessage[],
  parameters: ModelParameters,
  stream: boolean,
): string {
  return JSON.stringify({
    model: target.model,
    ...target.parameters,
    ...parameters,
    messages,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : { stream: false }),
  });
}

/** A reply that is not a 2xx, read whole for the error message. */
async function refusal(response: EgressResponse): Promise<Attempt> {
  const text = (await response.buffer()).toString('utf8');
  return { status: response.status, text, retryAfter: response.headers['retry-after'] };
}

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

  /** POSTs a chat-completions body to the endpoint. */
  function post(target: EndpointTarget, body: string, accept: string) {
    const url = `${target.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    return guard.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept,
        ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
      },
      body,
      timeoutMs: target.timeoutMs,
      maxRedirects: 0,
    });
  }

  async function once(target: EndpointTarget, body: string): Promise<Attempt> {
    const response = await post(target, body, 'application/json');
    if (response.status < 200 || response.status >= 300) return refusal(response);
    const text = (await response.buffer()).toString('utf8');
    return { status: response.status, completion: parsed(parseChatCompletion, text) };
  }

  /**
   * Runs `send` behind the endpoint's gate until it gives a completion: retries with backoff
   * on retryable statuses and failures (Retry-After obeyed); refused destinations, refusals and
   * replies that are not completions are final. `onFailure` may make a failure final by throwing.
   */
  function withRetries(
    target: EndpointTarget,
    send: () => Promise<Attempt>,
    onFailure: (error: DomainError) => void = () => {},
  ): Promise<ModelReply> {
    return gateOf(target).run(async () => {
      const started = performance.now();
      let lastProblem = '';
      for (let attempt = 1; attempt <= target.maxRetries + 1; attempt++) {
        let retryAfterMs: number | undefined;
        try {
          const reply = await send();
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
          onFailure(error);
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

  async function chat(
    target: EndpointTarget,
    messages: ChatMessage[],
    parameters: ModelParameters = {},
  ): Promise<ModelReply> {
    const body = requestBody(target, messages, parameters, false);
    return withRetries(target, () => once(target, body));
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
  ): Promise<Attempt> {
    const response = await post(target, body, 'text/event-stream');
    if (response.status < 200 || response.status >= 300) return refusal(response);
    const type = String(response.headers['content-type'] ?? '');
    if (!type.includes('text/event-stream')) {
      // An endpoint that ignores `stream` answers with one completion: pass it on whole.
      const completion = parsed(parseChatCompletion, (await response.buffer()).toString('utf8'));
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
      const event = parsed(parseStreamEvent, data);
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
    const body = requestBody(target, messages, parameters, true);
    const progress = { emitted: false };
    return withRetries(
      target,
      () => streamOnce(target, body, onDelta, progress),
      (error) => {
        // What was shown cannot be taken back: a failure after the first piece is final.
        if (progress.emitted)
          throw new DomainError(
            'unavailable',
            `The model endpoint's stream broke off: ${error.message}`,
          );
      },
    );
  }

  return { chat, chatStream };
}

export type ModelClient = ReturnType<typeof createModelClient>;
