import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { CLAIM_PATH, isDomainError, parseTaskResponse } from '@quorum/core';
import { api, ApiError } from '../api';
import { TaskEditor } from '../editors/index';
import { diffAttempt } from '../editors/review-diff';
import { ShortcutRegistry, type ClaimedTask, type Json } from '../editors/types';
import { Markdown } from '../ui/markdown';
import { Dialog, ShortcutHelp, useShortcuts, type Shortcut } from '../ui/keys';

export interface Assignment {
  id: string;
  stage: 'attempt' | 'review' | 'audit' | 'training' | 'evaluation';
  task: ClaimedTask;
  review?: {
    consensus: { response: Json; method: string; confidence: number };
    attempts: Array<{ assignment: string; worker: string; response: Json }>;
    review: Json | null;
  };
  leaseExpiresAt: string;
  claimedAt: string;
}

interface Feedback {
  score: number;
  expected: Json;
}

const SKIP_REASONS = [
  'Unclear instructions',
  'Broken or unreadable data',
  'Outside my skills',
  'Other',
];

/** What a claim asks for: the named project, or any; training only when asked. */
const claimBody = (project: string, training = false) => ({
  ...(project ? { project } : {}),
  ...(training ? { stage: 'training' } : {}),
});

async function claim(project: string, training = false): Promise<Assignment | null> {
  const result = await api.post<{ assignment: Assignment } | undefined>(
    CLAIM_PATH,
    claimBody(project, training),
  );
  return result?.assignment ?? null;
}

/** Prefetching is on unless the address says `?prefetch=0` (the benchmark's reference). */
const PREFETCH = new URLSearchParams(location.search).get('prefetch') !== '0';

/** Marks for the editor benchmark: submit clicked → next task interactive. */
function mark(name: string) {
  performance.mark(name);
}

/**
 * The annotator's loop: claim, label, submit, and the next task is already there (one claim is
 * prefetched while you work, and each submission claims the one after it in the same request).
 * Leases are kept alive by heartbeats while the page is open.
 */
export function Workbench() {
  const [project, setProject] = useState(
    () => new URLSearchParams(location.search).get('project') ?? '',
  );
  /** Training tasks only: how a paused or unqualified worker works their way back. */
  const [training, setTraining] = useState(false);
  const [current, setCurrent] = useState<Assignment | null | undefined>(undefined);
  const [feedback, setFeedback] = useState<Feedback | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [showHelp, setShowHelp] = useState(false);
  const [showInstructions, setShowInstructions] = useState(false);
  const [skipping, setSkipping] = useState(false);
  const [done, setDone] = useState(0);
  const response = useRef<Json>({});
  const complete = useRef<Json | undefined>(undefined);
  /** Claimed and not yet shown, in the order they come next. */
  const queue = useRef<Array<Promise<Assignment | null>>>([]);
  /** What is held (shown or claimed ahead), with when each was last kept alive. */
  const held = useRef(new Map<string, { lease: number; seen: number }>());
  /** The Idempotency-Key of the shown task's submission: one per task, so a retry replays it. */
  const submitKey = useRef('');
  const [editorShortcuts, setEditorShortcuts] = useState<Record<string, Shortcut[]>>({});
  const register = useCallback((owner: string, shortcuts: Shortcut[]) => {
    setEditorShortcuts((all) => ({ ...all, [owner]: shortcuts }));
  }, []);

  const hold = (assignment: Assignment | null) => {
    if (assignment)
      held.current.set(assignment.id, {
        lease: Date.parse(assignment.leaseExpiresAt) - Date.parse(assignment.claimedAt),
        seen: Date.now(),
      });
    return assignment;
  };

  const prefetch = useCallback(() => {
    queue.current.push(
      claim(project, training)
        .then(hold)
        .catch(() => null),
    );
  }, [project, training]);

  /** Shows the next task (or none), with a notice about the last one if there is one. */
  const show = (assignment: Assignment | null, notice?: string) => {
    response.current = {};
    complete.current = undefined;
    submitKey.current = assignment ? `${assignment.id}:${Date.now()}` : '';
    setFeedback(undefined);
    setError(notice);
    setCurrent(assignment);
    if (assignment && PREFETCH && queue.current.length === 0) prefetch();
    if (!assignment && !notice && !project && !training) void explainNothing();
  };

  /** With no project named, nothing may also mean held back somewhere: say where. */
  const explainNothing = async () => {
    const standing = await api
      .get<{ projects: Array<{ project: string; status: string }> }>('/api/v1/me/earnings')
      .catch(() => undefined);
    const blocked = (standing?.projects ?? []).filter((row) =>
      ['paused', 'unqualified', 'removed'].includes(row.status),
    );
    if (blocked.length === 0) return;
    setError(
      blocked.map((row) => `You are ${row.status} on project "${row.project}".`).join(' ') +
        ' Name a project above to see why; tick Training only to train your way back.',
    );
  };

  const start = async () => {
    mark('quorum:start');
    setError(undefined);
    setBusy(true);
    try {
      show(hold(await claim(project, training)));
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  const advance = async (notice?: string) => {
    const claimed = queue.current.length > 0;
    let assignment: Assignment | null = null;
    while (!assignment && queue.current.length > 0) assignment = await queue.current.shift()!;
    // Nothing claimed ahead: claim now, and say why when the claim is refused (a pause, say).
    let refused: string | undefined;
    if (!claimed)
      assignment = await claim(project, training)
        .then(hold)
        .catch((caught: unknown) => {
          refused = caught instanceof Error ? caught.message : String(caught);
          return null;
        });
    show(assignment, [notice, refused].filter(Boolean).join(' ') || undefined);
  };

  const submit = async () => {
    if (!current || busy) return;
    // Ctrl+Enter on a training answer's feedback goes on, as its button does.
    if (feedback) return void advance();
    mark('quorum:submit');
    setError(undefined);
    try {
      parseTaskResponse(
        current.task.type,
        complete.current ?? response.current,
        current.task.params,
      );
    } catch (caught) {
      if (isDomainError(caught)) {
        setError(caught.message);
        return;
      }
      throw caught;
    }
    setBusy(true);
    try {
      const result = await api.post<{
        feedback?: Feedback;
        next?: { assignment: Assignment | null };
      }>(
        `/api/v1/assignments/${current.id}/submit`,
        // Claiming the one after next in the same request (not in the reference: `?prefetch=0`).
        {
          response: response.current,
          ...(PREFETCH ? { next: claimBody(project, training) } : {}),
        },
        {
          headers: { 'idempotency-key': submitKey.current },
        },
      );
      held.current.delete(current.id);
      if (result.next?.assignment)
        queue.current.push(Promise.resolve(hold(result.next.assignment)));
      setDone((count) => count + 1);
      if (result.feedback) setFeedback(result.feedback);
      else await advance();
    } catch (caught) {
      // 409: the task is no longer this worker's (kept as late, released, already submitted).
      // Say so and go on; anything else stays on the task to be tried again.
      if (caught instanceof ApiError && caught.status === 409) {
        held.current.delete(current.id);
        await advance(`Last task: ${caught.message}`);
      } else setError(caught instanceof ApiError ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  const skip = async (reason: string) => {
    if (!current) return;
    setSkipping(false);
    try {
      await api.post(`/api/v1/assignments/${current.id}/release`, { reason });
      held.current.delete(current.id);
      await advance();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  // Heartbeats for everything held (the shown task and the prefetched one): each a third of its
  // lease after the last, and at least every 20 s, so a short lease does not lapse in use.
  useEffect(() => {
    const timer = setInterval(() => {
      const now = Date.now();
      for (const [id, lease] of held.current) {
        if (now - lease.seen < Math.min(20_000, lease.lease / 3)) continue;
        lease.seen = now;
        api.post(`/api/v1/assignments/${id}/heartbeat`).catch(() => held.current.delete(id));
      }
    }, 1_000);
    return () => clearInterval(timer);
  }, []);

  // Leaving the page hands back what was claimed but not shown.
  useEffect(
    () => () => {
      for (const upcoming of queue.current.splice(0))
        void upcoming.then((assignment) => {
          if (assignment)
            api
              .post(`/api/v1/assignments/${assignment.id}/release`, {
                reason: 'Prefetched, not shown',
              })
              .catch(() => undefined);
        });
    },
    [],
  );

  useEffect(() => {
    if (current) mark('quorum:interactive');
  }, [current]);

  const workbenchShortcuts: Shortcut[] = [
    { key: 'Enter', mod: true, description: 'Submit', run: () => void submit(), inFields: true },
    { key: '?', shift: true, description: 'Keyboard shortcuts', run: () => setShowHelp((v) => !v) },
    {
      key: 'i',
      description: 'Show or hide the instructions',
      run: () => setShowInstructions((v) => !v),
    },
  ];
  useShortcuts(workbenchShortcuts);

  const assignment = useMemo(
    () => (current ? { id: current.id, stage: current.stage } : undefined),
    [current],
  );
  const overlays = useMemo(
    () =>
      current?.review?.attempts.map((attempt, index) => ({
        name: `Attempt ${index + 1}`,
        response: attempt.response,
      })),
    [current],
  );

  if (current === undefined || current === null) {
    return (
      <section className="workbench-start">
        <h1>Labeling</h1>
        {current === null && !error ? (
          <p role="status">Nothing to label right now. Check back later.</p>
        ) : null}
        {done > 0 ? <p>{done} submitted this session.</p> : null}
        <label className="field">
          Project (optional)
          <input value={project} onChange={(event) => setProject(event.target.value)} />
        </label>
        <label className="field">
          <input
            type="checkbox"
            checked={training}
            onChange={(event) => setTraining(event.target.checked)}
          />
          Training only (the expected answer is shown after each)
        </label>
        <button type="button" className="primary" onClick={start} disabled={busy}>
          Start labeling
        </button>
        {error ? <p role="alert">{error}</p> : null}
      </section>
    );
  }

  const initial =
    current.stage === 'review' || current.stage === 'audit'
      ? (current.review?.review ?? current.review?.consensus.response)
      : undefined;
  return (
    <ShortcutRegistry.Provider value={register}>
      <section className="workbench" data-assignment={current.id}>
        <header className="workbench-header">
          <span className={`stage stage-${current.stage}`}>{stageName(current.stage)}</span>
          <span>{current.task.project}</span>
          <span className="spacer" />
          <button
            type="button"
            onClick={() => setShowInstructions((v) => !v)}
            aria-expanded={showInstructions}
          >
            Instructions <kbd>I</kbd>
          </button>
          <button type="button" onClick={() => setShowHelp(true)}>
            Shortcuts <kbd>?</kbd>
          </button>
          <button type="button" onClick={() => setSkipping(true)}>
            Skip
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => void submit()}
            disabled={busy || !!feedback}
          >
            Submit <kbd>Ctrl+Enter</kbd>
          </button>
        </header>
        {showInstructions ? (
          <aside className="instructions" aria-label="Instructions">
            {current.task.instruction ? (
              <Markdown source={current.task.instruction} />
            ) : (
              <p>This project has no instructions.</p>
            )}
          </aside>
        ) : null}
        {current.review ? <ReviewPanel review={current.review} type={current.task.type} /> : null}
        <TaskEditor
          key={current.id}
          task={current.task}
          initial={initial}
          overlays={overlays}
          assignment={assignment}
          onChange={(value, completed) => {
            response.current = value;
            complete.current = completed;
          }}
        />
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        {feedback ? (
          <section className="feedback" aria-label="Training feedback">
            <h2>Your score: {Math.round(feedback.score * 100)}%</h2>
            <h3>Expected answer</h3>
            <pre>{JSON.stringify(feedback.expected, null, 2)}</pre>
            <button type="button" className="primary" onClick={() => void advance()} autoFocus>
              Next task
            </button>
          </section>
        ) : null}
        {skipping ? (
          <Dialog label="Skip this task" onClose={() => setSkipping(false)}>
            <h2>Why skip this task?</h2>
            {SKIP_REASONS.map((reason) => (
              <button key={reason} type="button" onClick={() => void skip(reason)}>
                {reason}
              </button>
            ))}
            <button type="button" onClick={() => setSkipping(false)}>
              Cancel
            </button>
          </Dialog>
        ) : null}
        {showHelp ? (
          <ShortcutHelp
            shortcuts={[...workbenchShortcuts, ...Object.values(editorShortcuts).flat()]}
            onClose={() => setShowHelp(false)}
          />
        ) : null}
      </section>
    </ShortcutRegistry.Provider>
  );
}

function stageName(stage: Assignment['stage']) {
  return {
    attempt: 'Labeling',
    review: 'Review',
    audit: 'Audit',
    training: 'Training',
    evaluation: 'Qualification',
  }[stage];
}

/** What a reviewer decides on: the consensus and each attempt, disagreements marked. */
function ReviewPanel({
  review,
  type,
}: {
  review: NonNullable<Assignment['review']>;
  type: string;
}) {
  return (
    <aside className="review-panel" aria-label="Attempts and consensus">
      <h2>
        Consensus ({review.consensus.method}, confidence{' '}
        {Math.round(review.consensus.confidence * 100)}%)
      </h2>
      <p>
        The consensus is in the editor below
        {type === 'imageannotation' ? ', with each attempt drawn dashed' : ''}: accept it as it is,
        or correct it, then submit.
      </p>
      <ul aria-label="Attempts">
        {review.attempts.map((attempt, index) => {
          const diff = diffAttempt(type, attempt.response, review.consensus.response);
          return (
            <li key={attempt.assignment} className={diff.agrees ? 'agrees' : 'disagrees'}>
              <strong>
                Attempt {index + 1}:{' '}
                {diff.agrees ? 'agrees with the consensus' : 'differs from the consensus'}
              </strong>
              {diff.notes.length > 0 ? (
                <ul>
                  {diff.notes.map((note) => (
                    <li key={note}>{note}</li>
                  ))}
                </ul>
              ) : null}
              {!diff.agrees ? (
                <details>
                  <summary>Answer {index + 1}</summary>
                  <pre>{JSON.stringify(attempt.response, null, 1)}</pre>
                </details>
              ) : null}
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
