/** Server-sent events read from a fetch body: the parser is pure, fed text as it arrives. */

export interface ServerEvent {
  /** The `event:` field; `message` when the server names none. */
  event: string;
  /** The `data:` lines, joined by newlines. */
  data: string;
}

/**
 * A parser for the `text/event-stream` format: feed it text in pieces of any size (a piece may
 * end mid-line); every complete event is handed to `onEvent`. Comments and unknown fields are
 * ignored, as the format says.
 */
export function createSseParser(onEvent: (event: ServerEvent) => void) {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let seenData = false;
  // A CR at the end of a piece may be the first half of a CRLF split across pieces.
  let pendingCr = false;

  const line = (text: string) => {
    if (text === '') {
      if (seenData) onEvent({ event: event || 'message', data: data.join('\n') });
      event = '';
      data = [];
      seenData = false;
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') {
      data.push(value);
      seenData = true;
    }
  };

  return {
    push(text: string) {
      if (pendingCr && text.startsWith('\n')) text = text.slice(1);
      pendingCr = false;
      buffer += text;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        if (!match) break;
        // A lone CR at the very end might be followed by LF in the next piece.
        if (match[0] === '\r' && match.index === buffer.length - 1) {
          line(buffer.slice(0, match.index));
          buffer = '';
          pendingCr = true;
          break;
        }
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
    /** The stream ended: an event not closed by a blank line is dropped, as the format says. */
    end() {
      buffer = '';
      event = '';
      data = [];
      seenData = false;
    },
  };
}

/** Reads a fetch body to its end, handing each event over as it completes. */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: ServerEvent) => void,
): Promise<void> {
  const parser = createSseParser(onEvent);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
    parser.end();
  } finally {
    reader.releaseLock();
  }
}
