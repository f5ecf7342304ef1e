import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ServerSentEvents,
  isRetryableStatus,
  parseChatCompletion,
  parseRetryAfter,
  parseStreamEvent,
  retryDelayMs,
} from './models';

describe('retries', () => {
  it('backs off exponentially with jitter, capped, and obeys Retry-After', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (attempt, random) => {
          const delay = retryDelayMs(attempt, undefined, random);
          const ceiling = Math.min(30_000, 500 * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
    expect(retryDelayMs(1, 2000, 0.3)).toBe(2000);
    expect(retryDelayMs(1, 10 * 60_000, 0.3)).toBe(60_000);
    const now = new Date('2026-11-23T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect([429, 500, 503, 408].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe('parseChatCompletion', () => {
  it('reads the first choice and the token counts', () => {
    const reply = parseChatCompletion(
      JSON.stringify({
        choices: [{ message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 12, completion_tokens: 2 },
      }),
    );
    expect(reply).toEqual({
      content: 'Paris.',
      finishReason: 'stop',
      promptTokens: 12,
      completionTokens: 2,
    });
  });

  it('refuses garbage with the reason, never an empty answer', () => {
    expect(() => parseChatCompletion('<html>oops')).toThrow(/not JSON/);
    expect(() => parseChatCompletion('[]')).toThrow(/no choices/);
    expect(() => parseChatCompletion('{"choices": []}')).toThrow(/no choices/);
    expect(() => parseChatCompletion('{"choices": [{"message": {}}]}')).toThrow(/content/);
  });
});

describe('streamed completions', () => {
  it('reads deltas, the finish reason, usage and the end', () => {
    expect(
      parseStreamEvent(
        JSON.stringify({ choices: [{ delta: { content: 'Par' }, finish_reason: null }] }),
      ),
    ).toEqual({
      kind: 'chunk',
      delta: 'Par',
      finishReason: null,
      promptTokens: null,
      completionTokens: null,
    });
    expect(
      parseStreamEvent(
        JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } }),
      ),
    ).toMatchObject({ delta: '', promptTokens: 3, completionTokens: 2 });
    expect(parseStreamEvent('[DONE]')).toEqual({ kind: 'done' });
  });

  it('refuses chunks that are not completions, saying why', () => {
    expect(() => parseStreamEvent('<html>')).toThrow(/not JSON/);
    expect(() => parseStreamEvent('{"choices": []}')).toThrow(/no choices/);
    expect(() => parseStreamEvent('{"error": {"message": "overloaded"}}')).toThrow(/overloaded/);
    expect(() => parseStreamEvent('{"choices": [{"delta": {"content": 5}}]}')).toThrow(/not text/);
  });

  it('splits an event stream however the bytes are cut', () => {
    const stream = 'data: one\n\n: comment\ndata: two\r\n\r\ndata: a\ndata: b\n\ndata: tail';
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 6 }),
        (cuts) => {
          const points = [...new Set([0, ...cuts, stream.length])].sort((x, y) => x - y);
          const events = new ServerSentEvents();
          const seen: string[] = [];
          for (let i = 1; i < points.length; i++)
            seen.push(...events.push(stream.slice(points[i - 1], points[i])));
          seen.push(...events.end());
          expect(seen).toEqual(['one', 'two', 'a\nb', 'tail']);
        },
      ),
    );
  });
});
