import { QuorumError } from '../errors';
import { serverSentEvents } from '../streams';
import type { Transport } from '../transport';
import type {
  Assignment,
  ChatTranscript,
  ChatTurnEvent,
  ClaimInput,
  Heartbeat,
  SubmitAndClaimResult,
  SubmitResult,
} from '../types';

/** The annotator's side (a client whose apiKey is a worker's token): claim, work, submit, chat. */
export class Work {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The best eligible task, or undefined when nothing is eligible now. */
  async claim(input: ClaimInput = {}): Promise<Assignment | undefined> {
    const result = await this.#t.json<{ assignment: Assignment } | undefined>('work.claim', {
      json: input,
    });
    return result?.assignment;
  }

  /** One of your assignments. */
  async assignment(id: string): Promise<Assignment> {
    return (await this.#t.json<{ assignment: Assignment }>('work.assignment', { params: { id } }))
      .assignment;
  }

  /** Keeps the claim: extends the lease and counts active time. */
  heartbeat(assignment: string): Promise<Heartbeat> {
    return this.#t.json('work.heartbeat', { params: { id: assignment } });
  }

  /**
   * Submits a response. Every attempt of this call carries one Idempotency-Key (a new one per
   * call unless given), so a retry is answered with the first result instead of a conflict.
   */
  submit(
    assignment: string,
    response: Record<string, unknown>,
    idempotencyKey: string = crypto.randomUUID(),
  ): Promise<SubmitResult> {
    return this.#submit(assignment, { response }, idempotencyKey);
  }

  /**
   * Submits a response and claims the next task in the same request (`next` is what a claim
   * would ask for). `next.assignment` is undefined when nothing is eligible; `next.refused` says
   * why a claim was refused (a pause after failed gold, a full set of open claims), the
   * submission being stored all the same. A retry answers with the claim the first attempt made.
   */
  async submitAndClaim(
    assignment: string,
    response: Record<string, unknown>,
    next: ClaimInput = {},
    idempotencyKey: string = crypto.randomUUID(),
  ): Promise<SubmitAndClaimResult> {
    const result = await this.#submit(assignment, { response, next }, idempotencyKey);
    const claimed = result.next ?? { assignment: null };
    return {
      ...result,
      next: {
        assignment: claimed.assignment ?? undefined,
        ...(claimed.refused ? { refused: claimed.refused } : {}),
      },
    };
  }

  /** A submission, retried under one Idempotency-Key. */
  #submit(assignment: string, json: Record<string, unknown>, idempotencyKey: string) {
    return this.#t.json<SubmitResult>('work.submit', {
      params: { id: assignment },
      json,
      headers: { 'idempotency-key': idempotencyKey },
      repeatable: true,
    });
  }

  /** Skips the task with a reason; it goes back to the queue for someone else. */
  async release(assignment: string, reason: string): Promise<Assignment> {
    return (
      await this.#t.json<{ assignment: Assignment }>('work.release', {
        params: { id: assignment },
        json: { reason },
      })
    ).assignment;
  }

  /** A live chat so far: the task's conversation and every recorded turn. */
  chat(assignment: string): Promise<ChatTranscript> {
    return this.#t.json('work.chat', { params: { id: assignment } });
  }

  /** Sends your next turn of a live chat; answers the transcript with the model's reply. */
  sendTurn(assignment: string, content: string): Promise<ChatTranscript> {
    return this.#t.json('work.sendTurn', { params: { id: assignment }, json: { content } });
  }

  /**
   * Sends your next turn and yields the model's reply as it streams (`delta` events), then the
   * recorded transcript (`done`). A model that fails midway is a QuorumError with status 503, as
   * the unstreamed call answers; nothing was recorded, so the turn can be sent again.
   */
  async *streamTurn(assignment: string, content: string): AsyncGenerator<ChatTurnEvent> {
    const response = await this.#t.open('work.streamTurn', {
      params: { id: assignment },
      json: { content },
      headers: { accept: 'text/event-stream' },
    });
    if (!/^text\/event-stream\b/.test(response.headers.get('content-type') ?? '')) {
      // A server that does not stream answers the transcript at once.
      const transcript = (await response.json()) as ChatTranscript;
      if (transcript.reply) yield { type: 'delta', content: transcript.reply.content };
      yield { type: 'done', transcript };
      return;
    }
    for await (const { event, data } of serverSentEvents(response)) {
      const payload = parseEventData(response, data);
      if (event === 'delta') yield { type: 'delta', content: String(payload.content ?? '') };
      else if (event === 'done') {
        yield { type: 'done', transcript: payload as ChatTranscript };
        return;
      } else if (event === 'error')
        throw new QuorumError(503, 'unavailable', String(payload.error ?? 'The reply failed'));
    }
    throw new QuorumError(503, 'unavailable', 'The reply stream ended before the reply was done');
  }
}

function parseEventData(response: Response, data: string): Record<string, unknown> {
  try {
    return JSON.parse(data) as Record<string, unknown>;
  } catch {
    throw new QuorumError(response.status, 'invalid_response', 'An event of the reply is not JSON');
  }
}
