import { useEffect, useMemo, useRef, useState } from 'react';
import type { HazardCategory } from '@quorum/core';
import { ApiError } from '../api';
import { useHistory } from '../ui/history';
import {
  chatResponse,
  chatStateOf,
  chatTaskOf,
  chatTodo,
  harmfulCandidates,
  recordedConversation,
  targetOf,
  type ChatMessage,
  type ChatState,
  type ChatTask,
  type Outcome,
} from './chat-model';
import { loadChat, sendChatTurn } from './chat-stream';
import { letter, rate, toggleFlag, type FlagMark } from './feedback';
import { FlagChecklist, RatingSelect, RewriteField } from './feedback-controls';
import { useEditorShortcuts, type EditorProps } from './types';

/**
 * Conversations with a model: a live chat (the server calls the model and records each turn; the
 * reply streams in), or a given conversation with candidate responses. Ratings on a rubric,
 * safety flags on model turns and responses, the ideal response written out, and for red-team
 * attempts the outcome with a safe rewrite of the harmful turn. Reviews show the attempt's
 * conversation read-only, with its outcome to accept or correct.
 */
export function ChatEditor(props: EditorProps) {
  const stage = props.assignment?.stage;
  const read = useMemo(() => chatTaskOf(props.task.params, stage), [props.task.params, stage]);
  if ('problem' in read)
    return (
      <div className="editor chat">
        <p role="alert">{read.problem}</p>
      </div>
    );
  return <ChatForm {...props} task={props.task} chat={read.task} />;
}

const ROLE_NAMES: Record<ChatMessage['role'], string> = {
  system: 'System',
  user: 'User',
  assistant: 'Model',
};

function ChatForm({ chat, initial, onChange, assignment }: EditorProps & { chat: ChatTask }) {
  const { params } = chat;
  const live = useLiveChat(chat.mode === 'live' ? assignment?.id : undefined);
  const conversation = useMemo(
    () =>
      chat.mode === 'recorded'
        ? recordedConversation(chat, initial)
        : chat.mode === 'live'
          ? (live.messages ?? params.messages)
          : params.messages,
    [chat, initial, live.messages],
  );
  const state = useHistory<ChatState>(() => chatStateOf(chat, initial));
  useEffect(() => {
    const { response, complete } = chatResponse(chat, state.value, conversation);
    onChange(response, complete);
  }, [state.value, conversation]);

  const { draft, setDraft, send } = live;
  const messageBox = useRef<HTMLTextAreaElement>(null);

  useEditorShortcuts('chat', [
    ...(chat.mode === 'live'
      ? [
          {
            key: 'm',
            description: 'Write to the model',
            run: () => messageBox.current?.focus(),
          },
        ]
      : []),
    { key: 'z', mod: true, shift: false, description: 'Undo', run: state.undo },
    { key: 'z', mod: true, shift: true, description: 'Redo', run: state.redo },
  ]);

  const change = (update: (current: ChatState) => Partial<ChatState>) =>
    state.set((current) => ({ ...current, ...update(current) }));
  const toggle = (mark: FlagMark) =>
    change((current) => ({ flags: toggleFlag(current.flags, mark) }));
  const setOutcome = (outcome: Partial<Outcome>) =>
    change((current) => ({ outcome: { ...current.outcome, ...outcome } }));
  const taxonomy = params.redteam?.taxonomy;
  const target = targetOf(chat);
  const todo = chatTodo(chat, state.value, conversation);
  const flagCategories = params.flags;

  return (
    <div className="editor chat">
      {target ? (
        <section className="redteam-target" aria-label="Red-team target">
          <h2>Target: {target.name}</h2>
          {target.description ? <p dir="auto">{target.description}</p> : null}
          <p className="note">
            {chat.mode === 'recorded'
              ? 'The attempt tried to make the model produce content of this kind.'
              : 'Try to make the model produce content of this kind. When it does, record the ' +
                'outcome below and write a safe version of the harmful reply.'}
          </p>
        </section>
      ) : null}
      {chat.mode === 'recorded' ? (
        <p className="note">
          The attempt’s conversation as it was recorded. Check the outcome and the rest below;
          correct them if needed, then submit.
        </p>
      ) : null}
      <Conversation
        messages={conversation}
        pending={live.pending}
        flagCategories={flagCategories}
        taxonomy={taxonomy}
        flags={state.value.flags}
        onToggle={toggle}
      />
      {chat.mode === 'live' ? (
        <form
          className="message-box"
          aria-label="Message to the model"
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          {live.loading ? <p role="status">Loading the conversation…</p> : null}
          <label className="field">
            Your message
            <textarea
              ref={messageBox}
              rows={3}
              dir="auto"
              value={draft}
              disabled={live.turnsLeft === 0}
              onChange={(event) => setDraft(event.target.value)}
              onKeyDown={(event) => {
                // Enter sends, Shift+Enter starts a new line; Ctrl+Enter is left to submit.
                if (
                  event.key === 'Enter' &&
                  !event.shiftKey &&
                  !event.ctrlKey &&
                  !event.metaKey &&
                  !event.nativeEvent.isComposing
                ) {
                  event.preventDefault();
                  void send();
                }
              }}
            />
          </label>
          <div className="toolbar">
            <button
              type="submit"
              className="primary"
              disabled={
                !!live.pending || live.loading || live.turnsLeft === 0 || draft.trim() === ''
              }
            >
              {live.pending ? 'Waiting for the model…' : 'Send'}
            </button>
            <span className="turns">
              {live.turnsLeft === undefined
                ? ''
                : live.turnsLeft === 0
                  ? 'No turns left'
                  : `${live.turnsLeft} turn${live.turnsLeft === 1 ? '' : 's'} left`}
            </span>
          </div>
          {live.error ? (
            <p role="alert" className="error">
              {live.error}
            </p>
          ) : null}
        </form>
      ) : null}
      {params.responses ? (
        <div className="side-by-side">
          {params.responses.map((text, index) => (
            <section key={index} aria-label={`Response ${letter(index)}`}>
              <h3>Response {letter(index)}</h3>
              <div className="attachment-text" dir="auto">
                {text}
              </div>
              {params.criteria?.map((criterion) => (
                <label key={criterion.id} className="field inline">
                  {criterion.description || criterion.id}
                  <RatingSelect
                    label={`${criterion.description || criterion.id} of response ${letter(index)}`}
                    criterion={criterion}
                    value={state.value.ratings[criterion.id]?.[index]}
                    onChange={(score) =>
                      change((current) => ({
                        ratings: rate(current.ratings, criterion.id, index, score, chat.rated),
                      }))
                    }
                  />
                </label>
              ))}
              {flagCategories ? (
                <FlagChecklist
                  label={`Flags for response ${letter(index)}`}
                  categories={flagCategories}
                  taxonomy={taxonomy}
                  flags={state.value.flags}
                  target="response"
                  index={index}
                  onToggle={toggle}
                />
              ) : null}
            </section>
          ))}
        </div>
      ) : params.criteria ? (
        <fieldset>
          <legend>Rate the conversation</legend>
          {params.criteria.map((criterion) => (
            <label key={criterion.id} className="field inline">
              {criterion.description || criterion.id} ({criterion.min}–{criterion.max})
              <RatingSelect
                label={`${criterion.description || criterion.id} of the conversation`}
                criterion={criterion}
                value={state.value.ratings[criterion.id]?.[0]}
                onChange={(score) =>
                  change((current) => ({
                    ratings: rate(current.ratings, criterion.id, 0, score, 1),
                  }))
                }
              />
            </label>
          ))}
        </fieldset>
      ) : null}
      {params.redteam ? (
        <OutcomeForm
          chat={chat}
          conversation={conversation}
          outcome={state.value.outcome}
          rewrite={state.value.rewrite}
          onOutcome={setOutcome}
          onRewrite={(rewrite) => change(() => ({ rewrite }))}
        />
      ) : params.rewrite ? (
        <RewriteField
          label="Rewrite: the ideal response"
          instructions={params.rewrite.instructions}
          required={params.rewrite.required}
          value={state.value.rewrite}
          onChange={(rewrite) => change(() => ({ rewrite }))}
        />
      ) : null}
      {todo.length > 0 ? (
        <ul className="todo" aria-label="Still to do">
          {todo.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The conversation, roles named; model turns carry their flag controls when the task has flags. */
function Conversation(props: {
  messages: ChatMessage[];
  pending: { content: string; reply: string } | undefined;
  flagCategories: string[] | undefined;
  taxonomy: readonly HazardCategory[] | undefined;
  flags: FlagMark[];
  onToggle: (mark: FlagMark) => void;
}) {
  let turn = 0;
  return (
    <ol
      className="conversation"
      role="log"
      aria-label="Conversation"
      aria-busy={props.pending ? true : undefined}
    >
      {props.messages.map((message, index) => {
        const number = message.role === 'assistant' ? ++turn : 0;
        const flagged = props.flags.filter(
          (flag) => flag.target === 'message' && flag.index === index,
        ).length;
        return (
          <li key={index} className={`message message-${message.role}`}>
            <span className="role">
              {ROLE_NAMES[message.role]}
              {number ? ` · turn ${number}` : ''}
            </span>
            <div className="message-text" dir="auto">
              {message.content}
            </div>
            {number && props.flagCategories ? (
              <details open={flagged > 0}>
                <summary>Flag model turn {number}</summary>
                <FlagChecklist
                  label={`Flags for model turn ${number}`}
                  categories={props.flagCategories}
                  taxonomy={props.taxonomy}
                  flags={props.flags}
                  target="message"
                  index={index}
                  onToggle={props.onToggle}
                />
              </details>
            ) : null}
          </li>
        );
      })}
      {props.pending ? (
        <>
          <li className="message message-user">
            <span className="role">User</span>
            <div className="message-text" dir="auto">
              {props.pending.content}
            </div>
          </li>
          <li className="message message-assistant streaming" aria-label="The model is answering">
            <span className="role">Model · answering…</span>
            <div className="message-text" dir="auto">
              {props.pending.reply}
            </div>
          </li>
        </>
      ) : null}
    </ol>
  );
}

/** A red-team attempt's outcome: did it work, in which category, how bad, which turn. */
function OutcomeForm(props: {
  chat: ChatTask;
  conversation: ChatMessage[];
  outcome: Outcome;
  rewrite: string;
  onOutcome: (change: Partial<Outcome>) => void;
  onRewrite: (text: string) => void;
}) {
  const request = props.chat.params.redteam!;
  const { outcome } = props;
  const turns = harmfulCandidates(props.chat, props.conversation);
  return (
    <fieldset className="outcome">
      <legend>Outcome of the attempt</legend>
      <fieldset>
        <legend>Did the attack succeed?</legend>
        <div className="preference-scale">
          <label className="choice">
            <input
              type="radio"
              name="attack-success"
              checked={outcome.success === true}
              onChange={() => props.onOutcome({ success: true })}
            />
            Yes
          </label>
          <label className="choice">
            <input
              type="radio"
              name="attack-success"
              checked={outcome.success === false}
              // A failed attempt has no severity and no harmful turn.
              onChange={() =>
                props.onOutcome({ success: false, severity: undefined, message: undefined })
              }
            />
            No
          </label>
        </div>
      </fieldset>
      <label className="field">
        Harm category
        <select
          value={outcome.category}
          onChange={(event) => props.onOutcome({ category: event.target.value })}
        >
          {request.taxonomy.map((category) => (
            <option key={category.id} value={category.id}>
              {category.name}
              {category.id === request.category ? ' (assigned)' : ''}
            </option>
          ))}
        </select>
      </label>
      {outcome.success ? (
        <>
          <label className="field">
            Severity
            <select
              value={outcome.severity ?? ''}
              onChange={(event) => props.onOutcome({ severity: event.target.value || undefined })}
            >
              <option value="">Choose a severity</option>
              {request.severities.map((severity) => (
                <option key={severity} value={severity}>
                  {severity}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Harmful model turn
            <select
              value={outcome.message === undefined ? '' : String(outcome.message)}
              onChange={(event) =>
                props.onOutcome({
                  message: event.target.value === '' ? undefined : Number(event.target.value),
                })
              }
            >
              <option value="">Choose a model turn</option>
              {turns.map((turn) => (
                <option key={turn.index} value={turn.index}>
                  Model turn {turn.number}: {preview(turn.content)}
                </option>
              ))}
            </select>
          </label>
        </>
      ) : null}
      <label className="field">
        Notes (optional)
        <textarea
          rows={2}
          dir="auto"
          value={outcome.notes}
          onChange={(event) => props.onOutcome({ notes: event.target.value })}
        />
      </label>
      {outcome.success ? (
        <RewriteField
          label="Safe rewrite of the harmful turn"
          instructions="What the model should have answered instead: helpful where it can be, safe."
          required
          value={props.rewrite}
          onChange={props.onRewrite}
        />
      ) : null}
    </fieldset>
  );
}

const preview = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 70 ? `${line.slice(0, 69)}…` : line;
};

interface LiveChat {
  /** The recorded conversation; undefined until it is loaded. */
  messages: ChatMessage[] | undefined;
  turnsLeft: number | undefined;
  loading: boolean;
  /** The turn being sent and the reply so far. */
  pending: { content: string; reply: string } | undefined;
  error: string | undefined;
  /** The message being written; it goes back into the box when a turn fails. */
  draft: string;
  setDraft: (text: string) => void;
  /** Sends the draft as the next turn. */
  send: () => Promise<void>;
}

/** The live chat of an assignment: resumed from what the server recorded, turns sent to it. */
function useLiveChat(assignment: string | undefined): LiveChat {
  const [transcript, setTranscript] = useState<
    { messages: ChatMessage[]; turnsLeft: number } | undefined
  >();
  const [loading, setLoading] = useState(assignment !== undefined);
  const [pending, setPending] = useState<LiveChat['pending']>();
  const [error, setError] = useState<string | undefined>();
  const [draft, setDraft] = useState('');
  const inFlight = useRef<AbortController | undefined>(undefined);

  const reload = (signal?: AbortSignal) =>
    loadChat(assignment!, signal).then((loaded) =>
      setTranscript({ messages: loaded.messages, turnsLeft: loaded.turnsLeft }),
    );

  useEffect(() => {
    if (assignment === undefined) return;
    const controller = new AbortController();
    setLoading(true);
    reload(controller.signal)
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(describeFailure(caught, 'load'));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => {
      controller.abort();
      inFlight.current?.abort();
    };
  }, [assignment]);

  const send = async () => {
    const content = draft.trim();
    if (assignment === undefined || inFlight.current || loading) return;
    if (!content || transcript?.turnsLeft === 0) return;
    const controller = new AbortController();
    inFlight.current = controller;
    setError(undefined);
    setDraft('');
    setPending({ content, reply: '' });
    try {
      const recorded = await sendChatTurn(
        assignment,
        content,
        (piece) => setPending((current) => current && { ...current, reply: current.reply + piece }),
        controller.signal,
      );
      setTranscript({ messages: recorded.messages, turnsLeft: recorded.turnsLeft });
    } catch (caught) {
      if (controller.signal.aborted) return;
      setError(describeFailure(caught, 'send'));
      setDraft((current) => current || content);
      // What the server recorded is the truth (turns left, a reply cut off after recording).
      void reload().catch(() => undefined);
    } finally {
      inFlight.current = undefined;
      setPending(undefined);
    }
  };

  return {
    messages: transcript?.messages,
    turnsLeft: transcript?.turnsLeft,
    loading,
    pending,
    error,
    draft,
    setDraft,
    send,
  };
}

function describeFailure(caught: unknown, doing: 'load' | 'send'): string {
  const message = caught instanceof Error ? caught.message : String(caught);
  if (doing === 'load') return `The conversation could not be loaded: ${message}`;
  if (caught instanceof ApiError && (caught.status === 502 || caught.status === 503))
    return `The model did not answer: ${message}. Nothing was recorded; send your message again.`;
  return message;
}
