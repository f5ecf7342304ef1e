/**
 * A real HTTP server on loopback speaking OpenAI's chat-completions protocol, deterministic, with
 * the failures an endpoint has in life. The model name picks the behaviour:
 * - `echo`: answers "echo: <last message>" with token counts (words);
 * - `flaky-429`: 429 with Retry-After: 0 twice per conversation, then like echo;
 * - `error-500`: always 500;
 * - `garbage`: 200 with a body that is not JSON;
 * - `empty`: 200 with no choices;
 * - `slow`: answers after 3 s;
 * - `trickle`: sends the headers, then one byte every 200 ms for 3 s;
 * - `busy`: like echo after 150 ms (for concurrency);
 * - `judge-a`: a judge that always answers "[[A]] …"; `judge-babble`: one that names no verdict;
 * - `judge-rate`: rates a response with the top of every criterion's scale when it starts with
 *   "[[A]]", else the middle, as a JSON object; `judge-rate-junk`: scores that are not JSON.
 * Asked to `stream`, echo-like models answer with server-sent events, a word per chunk; and
 * - `stream-slow`: a chunk every 100 ms; `stream-stall`: one chunk, then nothing for 5 s;
 * - `stream-cut`: two chunks, then the connection ends without `[DONE]`;
 * - `stream-garbage`: a first chunk that is not JSON.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface FakeOpenAi {
  url: string;
  requests: Array<{
    model: string;
    authorization: string | undefined;
    body: Record<string, unknown>;
  }>;
  /** The most requests for one model that were in flight at once. */
  maxInFlight(model: string): number;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: FakeOpenAi['requests'] = [];
  const flaky = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  const server: Server = createServer(async (request, response) => {
    let model = '';
    try {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(await readBody(request)) as {
        model: string;
        messages: Array<{ content: string }>;
        stream?: boolean;
      };
      requests.push({ model: body.model, authorization: request.headers.authorization, body });
      model = body.model;
      inFlight.set(model, (inFlight.get(model) ?? 0) + 1);
      peak.set(model, Math.max(peak.get(model) ?? 0, inFlight.get(model)!));
      const last = body.messages[body.messages.length - 1]?.content ?? '';
      const completion = () =>
        JSON.stringify({
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: `echo: ${last}` },
              finish_reason: 'stop',
            },
          ],
          usage: {
            prompt_tokens: body.messages.reduce((n, m) => n + m.content.split(/\s+/).length, 0),
            completion_tokens: last.split(/\s+/).length + 1,
          },
        });
      const json = (status: number, text: string, headers: Record<string, string> = {}) =>
        response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const chunk = (piece: string, finish: string | null = null) =>
        `data: ${JSON.stringify({
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: { content: piece }, finish_reason: finish }],
        })}\n\n`;
      const words = `echo: ${last}`.split(/(?<= )/);
      const sse = async (delayMs = 0, stopAfter = Infinity, end = true) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const [index, word] of words.entries()) {
          if (index >= stopAfter || response.destroyed) break;
          response.write(chunk(word));
          if (delayMs > 0) await pause(delayMs);
        }
        if (!end) return response.end();
        response.write(chunk('', 'stop'));
        response.write(
          `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: words.length } })}\n\n`,
        );
        return response.end('data: [DONE]\n\n');
      };
      const answer = () => (body.stream ? sse() : json(200, completion()));
      const completionOf = (content: string) =>
        JSON.stringify({
          choices: [{ message: { role: 'assistant', content }, finish_reason: 'stop' }],
        });
      switch (body.model) {
        case 'flaky-429': {
          const seen = (flaky.get(last) ?? 0) + 1;
          flaky.set(last, seen);
          if (seen <= 2)
            return json(429, '{"error": {"message": "rate limited"}}', { 'retry-after': '0' });
          return answer();
        }
        case 'error-500':
          return json(500, '{"error": {"message": "internal"}}');
        case 'garbage':
          return json(200, '<html>Bad gateway</html>');
        case 'empty':
          return json(200, '{"choices": []}');
        case 'slow':
          await new Promise((resolve) => setTimeout(resolve, 3000));
          return json(200, completion());
        case 'trickle': {
          response.writeHead(200, { 'content-type': 'application/json' });
          for (let i = 0; i < 15 && !response.destroyed; i++) {
            response.write(' ');
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          return response.end(completion());
        }
        case 'judge-rate':
        case 'judge-rate-junk': {
          if (body.model === 'judge-rate-junk') return json(200, completionOf('{helpful: great}'));
          const text = body.messages.map((message) => message.content).join('\n');
          const response = /\[Response\]\n([\s\S]*?)\n\n\[Criteria\]/.exec(text)?.[1] ?? '';
          const scores = Object.fromEntries(
            [...text.matchAll(/^- (\S+) \((-?\d+) to (-?\d+)\)/gm)].map(([, id, min, max]) => [
              id,
              response.startsWith('[[A]]')
                ? Number(max)
                : Math.floor((Number(min) + Number(max)) / 2),
            ]),
          );
          return json(200, completionOf(`Scores: ${JSON.stringify(scores)}`));
        }
        case 'judge-a':
        case 'judge-babble': {
          const content =
            body.model === 'judge-a' ? '[[A]] The first is clearer.' : 'Both have merits.';
          return json(
            200,
            JSON.stringify({
              choices: [{ message: { role: 'assistant', content }, finish_reason: 'stop' }],
            }),
          );
        }
        case 'busy':
          await new Promise((resolve) => setTimeout(resolve, 150));
          return answer();
        case 'stream-slow':
          return sse(100);
        case 'stream-stall':
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write(chunk('echo: '));
          await pause(5000);
          return response.end();
        case 'stream-cut':
          return sse(0, 2, false);
        case 'stream-garbage':
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          return response.end('data: <html>oops</html>\n\n');
        default:
          return answer();
      }
    } finally {
      if (model) inFlight.set(model, inFlight.get(model)! - 1);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    requests,
    maxInFlight: (model: string) => peak.get(model) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
