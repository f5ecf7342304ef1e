/**
 * A live chat's turns through the server, which calls the model and records the conversation:
 * the reply streams as server-sent events, or comes whole as JSON when the server answers so.
 */
import { ChatTranscriptSchema, type ChatTranscript } from '@quorum/core';
import { api, ApiError, requestResponse, seg } from '../api';
import { readEvents } from '../sse';

const chatPath = (assignment: string) => `/api/v1/assignments/${seg(assignment)}/chat`;

function transcriptOf(value: unknown): ChatTranscript {
  const parsed = ChatTranscriptSchema.safeParse(value);
  if (!parsed.success) throw new ApiError(502, 'The server sent a conversation it cannot show');
  return parsed.data;
}

/** The conversation recorded so far, to pick up a chat after a reload. */
export async function loadChat(assignment: string, signal?: AbortSignal): Promise<ChatTranscript> {
  return transcriptOf(await api.get(chatPath(assignment), signal ? { signal } : {}));
}

/**
 * Sends the annotator's turn; `onDelta` gets the reply piece by piece as it streams. Resolves
 * with the recorded conversation; a model that fails rejects with an `ApiError` (nothing is
 * recorded then, so the same turn can be sent again).
 */
export async function sendChatTurn(
  assignment: string,
  content: string,
  onDelta: (piece: string) => void,
  signal?: AbortSignal,
): Promise<ChatTranscript> {
  const response = await requestResponse('POST', chatPath(assignment), {
    body: { content },
    headers: { accept: 'text/event-stream' },
    ...(signal ? { signal } : {}),
  });
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream') || !response.body)
    return transcriptOf(await response.json());
  let done: ChatTranscript | undefined;
  let failure: string | undefined;
  await readEvents(response.body, (event) => {
    if (done || failure !== undefined) return;
    const data = parse(event.data);
    if (event.event === 'delta') {
      const piece = (data as { content?: unknown } | undefined)?.content;
      if (typeof piece === 'string') onDelta(piece);
    } else if (event.event === 'done') done = transcriptOf(data);
    else if (event.event === 'error') {
      const message = (data as { error?: unknown } | undefined)?.error;
      failure = typeof message === 'string' ? message : 'The model failed to answer';
    }
  });
  if (failure !== undefined) throw new ApiError(502, failure);
  if (!done) throw new ApiError(0, 'The reply was cut off before it finished; send it again');
  return done;
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
