import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { sendChatTurn } from './chat-stream';

const transcript = {
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello there' },
  ],
  turnsLeft: 2,
  reply: { content: 'Hello there', finishReason: 'stop', latencyMs: 12 },
};

/** Answers the next fetch with these pieces of text, as a stream of the given type. */
function answer(pieces: string[], type: string, status = 200) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  const fetch = vi.fn(
    async () => new Response(body, { status, headers: { 'content-type': type } }),
  );
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('sendChatTurn', () => {
  it('asks for a stream, hands over the reply piece by piece and resolves with the transcript', async () => {
    const fetch = answer(
      [
        sse('delta', { content: 'Hello' }),
        sse('delta', { content: ' there' }).slice(0, 9),
        sse('delta', { content: ' there' }).slice(9),
        sse('done', transcript),
      ],
      'text/event-stream; charset=utf-8',
    );
    const pieces: string[] = [];
    const result = await sendChatTurn('a1', 'Hi', (piece) => pieces.push(piece));
    expect(pieces).toEqual(['Hello', ' there']);
    expect(result).toEqual(transcript);
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe('/api/v1/assignments/a1/chat');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).accept).toBe('text/event-stream');
    expect(init.body).toBe('{"content":"Hi"}');
  });

  it('takes a whole JSON answer when the server does not stream', async () => {
    answer([JSON.stringify(transcript)], 'application/json');
    const pieces: string[] = [];
    expect(await sendChatTurn('a1', 'Hi', (piece) => pieces.push(piece))).toEqual(transcript);
    expect(pieces).toEqual([]);
  });

  it('rejects with the model’s failure, whether it came as an error event or an error answer', async () => {
    answer(
      [sse('delta', { content: 'Partial' }), sse('error', { error: 'The model broke off' })],
      'text/event-stream',
    );
    await expect(sendChatTurn('a1', 'Hi', () => undefined)).rejects.toMatchObject({
      status: 502,
      message: 'The model broke off',
    });
    answer([JSON.stringify({ error: 'The model is unavailable' })], 'application/json', 503);
    const failed = await sendChatTurn('a1', 'Hi', () => undefined).catch((error) => error);
    expect(failed).toBeInstanceOf(ApiError);
    expect(failed).toMatchObject({ status: 503, message: 'The model is unavailable' });
  });

  it('says so when the stream ends without its transcript', async () => {
    answer([sse('delta', { content: 'Hel' })], 'text/event-stream');
    await expect(sendChatTurn('a1', 'Hi', () => undefined)).rejects.toThrow(/cut off/);
  });
});
