import { QuorumError } from './errors';

/*
 * Readers of streamed answers. Each reads the body as it arrives and keeps only the unfinished
 * record, so memory stays bounded by the largest record whatever the size of the answer. Leaving
 * a loop early cancels the body, which closes the connection.
 */

/** The body's text as it arrives, decoded as UTF-8 across chunk boundaries. */
async function* textOf(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let finished = false;
  try {
    for (;;) {
      const next = await reader.read().catch((error: unknown) => {
        throw new QuorumError(
          0,
          'network_error',
          `The answer broke off: ${reasonOf(error)}`,
          undefined,
          {
            cause: error,
          },
        );
      });
      if (next.done) {
        finished = true;
        const rest = decoder.decode();
        if (rest) yield rest;
        return;
      }
      const text = decoder.decode(next.value, { stream: true });
      if (text) yield text;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function reasonOf(error: unknown): string {
  const reason = error instanceof Error ? (error.cause ?? error) : error;
  return reason instanceof Error ? reason.message : String(reason);
}

function invalid(response: Response, message: string): QuorumError {
  return new QuorumError(response.status, 'invalid_response', message);
}

/** Each line of a JSON-lines (NDJSON) answer, parsed; blank lines are skipped. */
export async function* ndjsonRecords<T>(response: Response): AsyncGenerator<T> {
  let pending = '';
  let line = 0;
  const parse = (text: string): T => {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw invalid(response, `line ${line} of the answer is not JSON`);
    }
  };
  for await (const text of textOf(response)) {
    // Only the new text can hold the end of the pending line.
    let end = text.indexOf('\n');
    if (end >= 0) end += pending.length;
    pending += text;
    while (end >= 0) {
      const record = pending.slice(0, end);
      pending = pending.slice(end + 1);
      line++;
      if (record.trim() !== '') yield parse(record);
      end = pending.indexOf('\n');
    }
  }
  line++;
  if (pending.trim() !== '') yield parse(pending);
}

/** Each element of an answer that is one JSON array, parsed as soon as it is complete. */
export async function* jsonArrayItems<T>(response: Response): AsyncGenerator<T> {
  let pending = '';
  // Where the scan stands in `pending`, and where the current element began.
  let at = 0;
  let start = -1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let ended = false;
  const parse = (text: string): T => {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw invalid(response, `an element of the answer's array is not JSON`);
    }
  };
  for await (const text of textOf(response)) {
    if (ended) continue;
    pending += text;
    for (; at < pending.length; at++) {
      const c = pending[at]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (depth === 0) {
        if (c === '[') {
          depth = 1;
          start = at + 1;
        } else if (!/\s/.test(c)) throw invalid(response, 'the answer is not a JSON array');
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '[' || c === '{') depth++;
      else if (depth === 1 && (c === ',' || c === ']')) {
        const element = pending.slice(start, at);
        if (element.trim() !== '') yield parse(element);
        else if (c === ',') throw invalid(response, 'the answer has an empty array element');
        start = at + 1;
        if (c === ']') {
          ended = true;
          break;
        }
      } else if (c === ']' || c === '}') depth--;
    }
    // Drop what has been handed out; the element under way is kept.
    if (!ended && start > 0) {
      pending = pending.slice(start);
      at -= start;
      start = 0;
    }
  }
  if (!ended) throw invalid(response, 'the answer ended before its array was closed');
}

export interface ServerSentEvent {
  /** The `event:` name; `message` when none was given. */
  event: string;
  data: string;
}

/** Each event of a server-sent-events answer; an event cut off by the end is not dispatched. */
export async function* serverSentEvents(response: Response): AsyncGenerator<ServerSentEvent> {
  let pending = '';
  let event = '';
  let data: string[] = [];
  for await (const text of textOf(response)) {
    pending += text;
    for (;;) {
      const match = /\r\n|\n|\r/.exec(pending);
      // A lone CR at the end may be the first half of a CRLF still to come.
      if (!match || (match[0] === '\r' && match.index === pending.length - 1)) break;
      const line = pending.slice(0, match.index);
      pending = pending.slice(match.index + match[0].length);
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  }
}

/** A streamed download: its type, the file name the server suggests, and the bytes. */
export interface Download {
  contentType: string;
  filename: string | undefined;
  body: ReadableStream<Uint8Array>;
}

/** The download an OK answer carries. */
export function downloadOf(response: Response): Download {
  const disposition = response.headers.get('content-disposition') ?? '';
  return {
    contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    filename: /filename="([^"]*)"/.exec(disposition)?.[1],
    body: response.body ?? new ReadableStream({ start: (controller) => controller.close() }),
  };
}

/** The records of an export: JSON lines, or the elements of one JSON array. */
export function recordsOf<T>(response: Response): AsyncGenerator<T> {
  const type = response.headers.get('content-type') ?? '';
  return /^application\/json\b/.test(type)
    ? jsonArrayItems<T>(response)
    : ndjsonRecords<T>(response);
}

/** Records to send as JSON lines: NDJSON text, an array, or any (async) iterable of objects. */
export type NdjsonInput = string | Iterable<unknown> | AsyncIterable<unknown>;

/**
 * A request body of JSON lines. Text and arrays are already in memory and go as one string;
 * other iterables are streamed as they are consumed, so a large upload is never held whole.
 */
export function ndjsonBody(records: NdjsonInput): string | ReadableStream<Uint8Array> {
  if (typeof records === 'string') return records;
  if (Array.isArray(records))
    return records.map((record) => `${JSON.stringify(record)}\n`).join('');
  const iterator =
    Symbol.asyncIterator in records
      ? (records as AsyncIterable<unknown>)[Symbol.asyncIterator]()
      : (records as Iterable<unknown>)[Symbol.iterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = '';
      // Lines are sent in chunks of about 64 KiB rather than one write each.
      while (text.length < 65_536) {
        const next = await iterator.next();
        if (next.done) {
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += `${JSON.stringify(next.value)}\n`;
      }
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
