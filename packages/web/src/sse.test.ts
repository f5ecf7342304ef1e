import { describe, expect, it } from 'vitest';
import { createSseParser, readEvents, type ServerEvent } from './sse';

function parse(pieces: string[]): ServerEvent[] {
  const events: ServerEvent[] = [];
  const parser = createSseParser((event) => events.push(event));
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return events;
}

describe('createSseParser', () => {
  it('reads named events with their data, whatever the pieces the text arrives in', () => {
    const text =
      'event: delta\ndata: {"content":"Hel"}\n\nevent: delta\ndata: {"content":"lo"}\n\n' +
      'event: done\ndata: {"turnsLeft":2}\n\n';
    const expected = [
      { event: 'delta', data: '{"content":"Hel"}' },
      { event: 'delta', data: '{"content":"lo"}' },
      { event: 'done', data: '{"turnsLeft":2}' },
    ];
    expect(parse([text])).toEqual(expected);
    expect(parse(Array.from(text))).toEqual(expected);
    expect(parse([text.slice(0, 17), text.slice(17, 40), text.slice(40)])).toEqual(expected);
  });

  it('joins data lines, skips comments, and accepts CRLF and CR line ends even split', () => {
    expect(parse([': keep-alive\r\n', 'data: one\r', '\ndata:two\r\r'])).toEqual([
      { event: 'message', data: 'one\ntwo' },
    ]);
    expect(parse(['data: a\r', '\r', 'data: b\n\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('drops an event the stream ended before closing', () => {
    expect(parse(['event: done\ndata: {}\n'])).toEqual([]);
  });
});

describe('readEvents', () => {
  it('decodes UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"content":"€ ok"}\n\n');
    const cut = bytes.indexOf(0xe2) + 1;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    const events: ServerEvent[] = [];
    await readEvents(body, (event) => events.push(event));
    expect(events).toEqual([{ event: 'delta', data: '{"content":"€ ok"}' }]);
  });
});
