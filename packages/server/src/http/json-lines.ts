import { Readable } from 'node:stream';

/** The part of a Fastify reply that sending a download needs. */
interface DownloadReply<R> {
  header(name: string, value: string): unknown;
  send(payload: Readable): R;
}

/**
 * Answers with JSON lines as a file download. The first line is read before answering, so a
 * missing resource is a 404, not a broken stream.
 */
export async function sendJsonLines<R>(
  reply: DownloadReply<R>,
  lines: AsyncGenerator<string>,
  filename: string,
): Promise<R> {
  const first = await lines.next();
  async function* body() {
    if (!first.done) yield `${first.value}\n`;
    for await (const line of lines) yield `${line}\n`;
  }
  reply.header('content-type', 'application/x-ndjson; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${filename}"`);
  return reply.send(Readable.from(body()));
}
