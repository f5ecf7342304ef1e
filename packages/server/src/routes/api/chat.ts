import { PassThrough } from 'node:stream';
import {
  ChatTranscriptSchema,
  ChatTurnBody,
  DomainError,
  IdParams,
  type ChatTranscript,
} from '@quorum/core';
import type { AppContext } from '../../context';
import { principalOf, workerOf } from '../../http/auth';
import { sendChatTurn } from '../../services/chat';
import { chatTranscript } from '../../services/chat-transcript';
import type { Api } from '../types';

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Live chat with a model inside an assignment: the annotator's turns and the recorded transcript. */
export function chatRoutes(api: Api, ctx: AppContext) {
  const db = ctx.database.db;
  const client = ctx.models;
  const tags = ['work'];

  api.get(
    '/api/v1/assignments/:id/chat',
    {
      config: { access: 'worker' },
      schema: {
        tags,
        summary: 'The live chat so far: the task’s conversation and every recorded turn',
        params: IdParams,
        response: { 200: ChatTranscriptSchema },
      },
    },
    async (request) =>
      chatTranscript(db, principalOf(request), workerOf(request).worker, request.params.id),
  );

  api.post(
    '/api/v1/assignments/:id/chat',
    {
      config: { access: 'worker' },
      schema: {
        tags,
        summary: 'Send your next turn; the model answers',
        description:
          'The model’s reply and your turn are recorded together once the reply is complete; ' +
          'a failed call (503 with the reason) records nothing, so the turn can be sent again. ' +
          'With `Accept: text/event-stream` the reply streams: `delta` events `{content}`, then ' +
          '`done` with the transcript, or `error` `{error}` if the model fails midway. 409 when ' +
          'no turns are left or the claim was lost. The submitted response’s `messages` are ' +
          'filled in from these recorded turns.',
        params: IdParams,
        body: ChatTurnBody,
        response: { 200: ChatTranscriptSchema },
      },
    },
    async (request, reply) => {
      const scope = principalOf(request);
      const { worker } = workerOf(request);
      const send = (onDelta?: (text: string) => void) =>
        sendChatTurn(
          { db, secrets: ctx.secrets, client },
          scope,
          worker,
          request.params.id,
          request.body.content,
          ctx.now,
          onDelta,
        );
      if (!String(request.headers.accept ?? '').includes('text/event-stream')) return send();

      // Errors before the first piece of the reply are ordinary error answers; once the stream
      // has begun they can only be reported as an event.
      const stream = new PassThrough();
      let started = false;
      const start = () => {
        if (started) return;
        started = true;
        void reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('x-accel-buffering', 'no')
          // The stream carries the same transcript as events; the schema describes the JSON form.
          .send(stream as unknown as ChatTranscript);
      };
      try {
        const transcript = await send((text) => {
          start();
          stream.write(event('delta', { content: text }));
        });
        start();
        stream.end(event('done', transcript));
      } catch (error) {
        if (!started) throw error;
        const message =
          error instanceof DomainError ? error.message : 'The reply failed; send the turn again';
        if (!(error instanceof DomainError)) request.log.error({ err: error }, 'chat turn failed');
        stream.end(event('error', { error: message }));
      }
      return reply;
    },
  );
}
