import { createHash } from 'node:crypto';
import {
  addActiveTime,
  claimsOwed,
  DomainError,
  drawnForAudit,
  hasRole,
  ineligibility,
  parseTaskResponse,
  payFor,
  type ProjectSettings,
  type Scope,
} from '@quorum/core';
import { goldStanding } from '@quorum/quality';
import { inTransaction, type Executor } from '../db/executor';
import type {
  AssignmentRow,
  AssignmentStage,
  TaskAnswerRow,
  MemberStatus,
  ProjectMemberRow,
  ProjectRow,
  WorkStage,
  WorkerRow,
} from '../db/schema';
import { newId } from '../ids';
import { addAnswerAndList, insertAnswer } from '../repositories/answers';
import { findProjectsByIds, listProjects } from '../repositories/projects';
import { findTask, findTaskForWork, updateTask, type TaskView } from '../repositories/tasks';
import {
  type AttemptToStore,
  type SubmissionChange,
  type SubmissionContext,
  claimAttemptDirectly,
  claimWorkItem,
  type ClaimedRow,
  countActiveClaims,
  countOpenClaims,
  listClaimsSince,
  countOpenSlots,
  deleteWorkItems,
  expireLeases,
  hasTrainingTasks,
  insertAssignment,
  lockAssignment,
  listSettlements,
  lockDrainedWorkItems,
  lockMember,
  openSlots,
  hasOpenAttempt,
  hasTrainingToFinish,
  pickQualityTask,
  type QualityPick,
  releaseOpenClaims,
  reopenWorkItems,
  retakeSlot,
  returnSlot,
  submitAttemptAndAnswer,
  concludeAttempts,
  type AnsweredAttempt,
  type Conclusion,
  type SettledPay,
  type Settlement,
  updateAssignment,
  updateMember,
} from '../repositories/workforce';
import { canonicalJson, scoreAgainstExpected, type TaskConsensus } from './consensus';
import { consensusOf } from './answers';
import { isLiveChat, withRecordedConversation } from './chat-transcript';
import type { ClaimBatches } from './claim-batches';
import type { HeldClaim, HeldClaims } from './held-claims';
import type { SubmissionBatches } from './submission-batches';
import type { Effects } from './effects';
import { DEFAULT_SETTINGS, requireProject, settingsOf } from './settings';
import { announceFinished, finishTask } from './tasks';

/** Attempts at least this close to the final response (the task type's score) are accepted. */
export const ACCEPT_SCORE = 0.5;

const QUEUE_STAGES: ReadonlySet<AssignmentStage> = new Set(['attempt', 'review', 'audit']);
const isQueueStage = (stage: AssignmentStage): stage is WorkStage => QUEUE_STAGES.has(stage);

/** What the worker sees of an assignment's stage: gold is served as an ordinary attempt. */
export function visibleStage(stage: AssignmentStage) {
  return stage === 'gold' ? 'attempt' : stage;
}

/**
 * What a worker sees as a task's id: its own name for the task, the same at each claim, different
 * from every other worker's. Task ids begin with their creation time, so the real id would tell
 * gold made when the project was set up from work added since; and one name shared by all would
 * let workers comparing notes find the tasks everyone was given. A hash of the task's id, 64 of
 * whose bits are random, and the worker's cannot be worked back.
 */
export function shownTaskId(taskId: string, workerId: string): string {
  return createHash('sha256').update(`${taskId}/${workerId}`).digest('hex').slice(0, 24);
}

/** Where a worker starts on a project: training first if it has any, then qualification. */
async function initialStatus(
  db: Executor,
  scope: Scope,
  project: ProjectRow,
  settings: ProjectSettings,
): Promise<MemberStatus> {
  if (await hasTrainingTasks(db, scope, project.id)) return 'training';
  return settings.gold.qualifyCount > 0 ? 'qualifying' : 'active';
}

/** Whether the member may not take this request's work: training is open to all but the removed. */
function isBlocked(member: ProjectMemberRow, request: ClaimRequest): boolean {
  if (member.status === 'removed') return true;
  return request.stage !== 'training' && ['paused', 'unqualified'].includes(member.status);
}

/** Why a blocked member (`isBlocked`) may not take real work, and how they get back. */
async function blockedReason(
  db: Executor,
  scope: Scope,
  project: ProjectRow,
  member: ProjectMemberRow,
): Promise<string> {
  const why = member.reason ? `: ${member.reason}` : '';
  if (member.status === 'removed') return `You were removed from project "${project.name}"${why}`;
  const trainingLeft = await pickQualityTask(db, scope, {
    projectId: project.id,
    workerId: member.worker_id,
    kind: 'training',
    random: false,
  });
  const paused = member.status === 'paused';
  const status = paused
    ? `You are paused on project "${project.name}"${why}`
    : `You did not qualify for project "${project.name}"${why}`;
  if (!trainingLeft)
    return `${status}. It has no training left for you: ask a manager to reinstate you`;
  return (
    `${status}. Complete its training (claim with {"stage": "training"}, or tick "Training ` +
    `only" in the web app) to ` +
    (paused ? 'requalify, or ask a manager to reinstate you' : 'try again, or ask a manager')
  );
}

export interface ClaimRequest {
  project?: string | undefined;
  stage?: 'training' | undefined;
}

interface Candidate {
  project: ProjectRow;
  settings: ProjectSettings;
  member: ProjectMemberRow;
}

/**
 * Gives the worker the best task they are eligible for, or undefined when there is none.
 * With a project: ineligibility, removal, a pause or failed qualification is a 403 saying why,
 * a full set of open claims a 409. Without: projects the worker cannot work on are skipped.
 */
export async function claimWork(
  db: Executor,
  scope: Scope,
  worker: WorkerRow,
  request: ClaimRequest,
  now: Date,
  random: () => number,
): Promise<AssignmentRow | undefined> {
  const explicit = request.project !== undefined;
  const projects = explicit
    ? [await requireProject(db, scope, request.project!)]
    : await listProjects(db, scope);
  const open = await countOpenClaims(db, scope, worker.id, now);
  const candidates: Candidate[] = [];
  for (const project of projects) {
    const settings = settingsOf(project);
    const refusal = ineligibility(
      {
        clearance: worker.clearance,
        skills: worker.skills,
        languages: worker.languages,
        pool: worker.pool,
      },
      { ...settings.requirements, clearance: settings.clearance },
    );
    if (refusal) {
      if (explicit)
        throw new DomainError('forbidden', `Project "${project.name}" ${refusal}`, 'project');
      continue;
    }
    const member = await advance(
      db,
      scope,
      project,
      settings,
      await lockMember(db, scope, project.id, worker.id, () =>
        initialStatus(db, scope, project, settings),
      ),
      now,
    );
    // Why the worker may not work here comes before how much they hold; the reason is worked
    // out only for the project named, the one it is given for.
    if (isBlocked(member, request)) {
      if (explicit)
        throw new DomainError(
          'forbidden',
          await blockedReason(db, scope, project, member),
          'project',
        );
      continue;
    }
    if ((open.get(project.id) ?? 0) >= settings.maxOpenClaims) {
      if (explicit)
        throw new DomainError(
          'conflict',
          `You hold ${open.get(project.id)} open claims on "${project.name}", its maximum ` +
            '(maxOpenClaims): submit or release one first',
          'maxOpenClaims',
        );
      continue;
    }
    candidates.push({ project, settings, member });
  }

  const lease = (settings: ProjectSettings) =>
    new Date(now.getTime() + settings.leaseSeconds * 1000);
  const assign = (
    candidate: Candidate,
    taskId: string,
    stage: AssignmentStage,
    batchId: string | null,
  ) =>
    insertAssignment(db, scope, {
      id: newId(now),
      task_id: taskId,
      project_id: candidate.project.id,
      batch_id: batchId,
      worker_id: worker.id,
      stage,
      status: 'active',
      claimed_at: now,
      lease_expires_at: lease(candidate.settings),
      last_seen_at: now,
    });
  // A training or evaluation task given back before is claimed again on its own assignment.
  const assignQuality = (candidate: Candidate, picked: QualityPick, stage: AssignmentStage) =>
    picked.reopen
      ? updateAssignment(db, picked.reopen, {
          stage,
          status: 'active',
          release_reason: null,
          released_at: null,
          claimed_at: now,
          lease_expires_at: lease(candidate.settings),
          last_seen_at: now,
        })
      : assign(candidate, picked.taskId, stage, null);

  // Training on request; training and qualification before anything else.
  for (const candidate of candidates) {
    const { status } = candidate.member;
    const kind =
      request.stage === 'training' || status === 'training'
        ? 'training'
        : status === 'qualifying'
          ? 'evaluation'
          : undefined;
    if (!kind) continue;
    const picked = await pickQualityTask(db, scope, {
      projectId: candidate.project.id,
      workerId: worker.id,
      kind,
      random: kind === 'evaluation',
    });
    if (picked) return assignQuality(candidate, picked, kind);
    if (explicit && kind === 'evaluation') {
      const { qualify_answers: done } = candidate.member;
      throw new DomainError(
        'forbidden',
        `You are not yet qualified for project "${candidate.project.name}" (${done} of ` +
          `${candidate.settings.gold.qualifyCount} evaluation tasks done) and it has no ` +
          'evaluation task left for you: ask a manager',
        'project',
      );
    }
  }
  if (request.stage === 'training') return undefined;

  const active = candidates.filter((candidate) => candidate.member.status === 'active');
  if (active.length === 0) return undefined;

  // Gold, mixed in at each project's rate and served as an ordinary attempt.
  for (const candidate of active) {
    const rate = candidate.settings.gold.rate;
    // Gold only among real work: served when the queue is empty, it would stand out.
    if (
      rate > 0 &&
      random() < rate &&
      (await hasOpenAttempt(db, scope, candidate.project.id, worker.id))
    ) {
      const picked = await pickQualityTask(db, scope, {
        projectId: candidate.project.id,
        workerId: worker.id,
        kind: 'evaluation',
        random: true,
      });
      if (picked) return assignQuality(candidate, picked, 'gold');
    }
  }

  const stages: WorkStage[] = hasRole(worker.roles, 'reviewer')
    ? ['review', 'audit', 'attempt']
    : ['attempt'];
  const byId = new Map(active.map((candidate) => [candidate.project.id, candidate]));
  for (let round = 0; round < 2; round++) {
    for (const stage of stages) {
      const projectIds = active
        .filter(
          ({ settings }) =>
            stage === 'attempt' ||
            (stage === 'review' ? settings.review.stage : settings.review.auditRate > 0),
        )
        .map(({ project }) => project.id);
      const item = await claimWorkItem(db, scope, { projectIds, workerId: worker.id, stage });
      if (item) return assign(byId.get(item.project_id)!, item.task_id, stage, item.batch_id);
    }
    // Nothing open: lapsed leases may be holding work; return them and look once more.
    if (round === 0 && (await expireLeases(db, now, 100)) === 0) break;
  }
  return undefined;
}

/**
 * The common claim, outside any transaction: an active member asking for an attempt on a named
 * project with no requirements beyond clearance. Made together with the claims other workers
 * are making on the project in this process (`ClaimBatches`), or, when their turn there fell on a
 * task they worked on, alone in one statement. Undefined when that does not apply or finds
 * nothing; `claimWork` then decides, and says why when it refuses (a newcomer's first claim joins
 * the project there, where training and qualification are decided).
 */
export async function claimDirectly(
  db: Executor,
  batches: ClaimBatches,
  scope: Scope,
  worker: WorkerRow,
  request: ClaimRequest,
  now: Date,
  goldDraw: number,
): Promise<ClaimedRow | undefined> {
  if (request.project === undefined || request.stage !== undefined) return undefined;
  // Reviewers are owed reviews and audits before attempts, an order only `claimWork` keeps.
  if (hasRole(worker.roles, 'reviewer')) return undefined;
  const together = await batches.claim(scope, worker, request.project, goldDraw);
  if ('claimed' in together) return together.claimed;
  if (together.next === 'decide') return undefined;
  return claimAttemptDirectly(db, scope, {
    projectRef: request.project,
    workerId: worker.id,
    clearance: worker.clearance,
    assignmentId: newId(now),
    now,
    goldDraw,
    defaults: DEFAULT_SETTINGS,
  });
}

/**
 * The claim a submission that asked for its next task made, found again when that submission is
 * retried: the worker's oldest claim made since `since` (when the submission was stored) that is
 * still held, on the project asked for if one was.
 */
export async function claimMadeSince(
  db: Executor,
  scope: Scope,
  worker: WorkerRow,
  request: ClaimRequest,
  since: Date,
  now: Date,
): Promise<AssignmentRow | undefined> {
  const project =
    request.project === undefined ? undefined : await requireProject(db, scope, request.project);
  const held = await listClaimsSince(db, scope, worker.id, since, now);
  const wanted = (row: AssignmentRow) =>
    (request.stage === 'training') === (row.stage === 'training') &&
    (!project || row.project_id === project.id);
  return held.find(wanted);
}

/** What the lease sweeper logs, as a warning, when it reopened claims the queue lost. */
export const LOST_CLAIMS_REOPENED = 'claims the queue had lost were reopened';

/**
 * Gives back claims the queue lost: a queue item with none open and nobody holding one is owed
 * what its task still needs (`claimsOwed`). Every stage's last submission takes its item off the
 * queue, so this finds nothing unless claims went missing; what it reopened is returned.
 */
export async function reopenLostClaims(db: Executor, limit = 100) {
  const drained = await lockDrainedWorkItems(db, limit);
  return reopenWorkItems(
    db,
    drained.map((item) => ({
      task_id: item.task_id,
      stage: item.stage,
      slots: claimsOwed(item.stage, item.answer_count, settingsOf(item).consensus),
    })),
  );
}

/** Moves a member along when nothing is left to do in their current phase. */
async function advance(
  db: Executor,
  scope: Scope,
  project: ProjectRow,
  settings: ProjectSettings,
  member: ProjectMemberRow,
  now: Date,
): Promise<ProjectMemberRow> {
  let next: Partial<ProjectMemberRow> | undefined;
  if (member.status === 'qualifying' && settings.gold.qualifyCount === 0) {
    next = { status: 'active', reason: null };
  } else if (member.status === 'training') {
    if (!(await hasTrainingToFinish(db, scope, project.id, member.worker_id)))
      next = afterTraining(settings);
  }
  if (!next) return member;
  return (await updateMember(db, scope, project.id, member.worker_id, {
    ...next,
    updated_at: now,
  }))!;
}

/** Training done: qualify (from zero) when the project asks for it, else work. */
function afterTraining(settings: ProjectSettings): Partial<ProjectMemberRow> {
  return settings.gold.qualifyCount > 0
    ? { status: 'qualifying', reason: null, qualify_answers: 0, qualify_score: 0 }
    : { status: 'active', reason: null };
}

// ---------------------------------------------------------------------------------------------
// Heartbeat, release, submit

async function requireOwnAssignment(db: Executor, scope: Scope, worker: WorkerRow, id: string) {
  const assignment = await lockAssignment(db, scope, id, worker.id);
  if (!assignment) throw new DomainError('not_found', `Assignment "${id}" was not found`);
  return assignment;
}

async function settingsFor(db: Executor, scope: Scope, projectId: string) {
  const [project] = await findProjectsByIds(db, scope, [projectId]);
  return settingsOf(project);
}

/**
 * An active assignment whose lease ran out is expired now (its claim goes back to the queue).
 * An expired one is taken up again if its stage still has an open claim (nobody took it) or
 * needs none (training, evaluation, gold). Returns whether the worker still holds the work.
 */
async function holdOrResume(db: Executor, assignment: AssignmentRow, now: Date): Promise<boolean> {
  if (assignment.status === 'active' && assignment.lease_expires_at > now) return true;
  if (assignment.status === 'active') {
    await updateAssignment(db, assignment.id, { status: 'expired' });
    if (isQueueStage(assignment.stage)) await returnSlot(db, assignment.task_id, assignment.stage);
  } else if (assignment.status !== 'expired') {
    return false;
  }
  if (!isQueueStage(assignment.stage)) return true;
  return retakeSlot(db, assignment.task_id, assignment.stage);
}

function notHeld(assignment: AssignmentRow): DomainError {
  if (assignment.status === 'released')
    return new DomainError(
      'conflict',
      `This assignment was released: ${assignment.release_reason ?? 'no reason given'}`,
    );
  if (assignment.status === 'submitted' || assignment.status === 'late')
    return new DomainError('conflict', 'This assignment was already submitted');
  return new DomainError(
    'conflict',
    `The lease expired at ${assignment.lease_expires_at.toISOString()} and the task went back to ` +
      'the queue; claim new work',
  );
}

export async function heartbeat(
  db: Executor,
  scope: Scope,
  worker: WorkerRow,
  id: string,
  now: Date,
): Promise<AssignmentRow> {
  const assignment = await requireOwnAssignment(db, scope, worker, id);
  if (!(await holdOrResume(db, assignment, now))) throw notHeld(assignment);
  const settings = await settingsFor(db, scope, assignment.project_id);
  return updateAssignment(db, assignment.id, {
    status: 'active',
    lease_expires_at: new Date(now.getTime() + settings.leaseSeconds * 1000),
    last_seen_at: now,
    active_seconds: addActiveTime(
      assignment.active_seconds,
      assignment.last_seen_at,
      now,
      settings.idleSeconds,
    ),
  });
}

/** Skips a task with a reason; its claim goes back to the queue for someone else. */
export async function release(
  db: Executor,
  scope: Scope,
  worker: WorkerRow,
  id: string,
  reason: string,
  now: Date,
): Promise<AssignmentRow> {
  const assignment = await requireOwnAssignment(db, scope, worker, id);
  if (assignment.status === 'released') return assignment;
  if (assignment.status !== 'active' && assignment.status !== 'expired') throw notHeld(assignment);
  const settings = await settingsFor(db, scope, assignment.project_id);
  const held = assignment.status === 'active' && assignment.lease_expires_at > now;
  const updated = await updateAssignment(db, assignment.id, {
    status: 'released',
    release_reason: reason,
    released_at: now,
    active_seconds: held
      ? addActiveTime(assignment.active_seconds, assignment.last_seen_at, now, settings.idleSeconds)
      : assignment.active_seconds,
  });
  // An active claim (even one whose lease just ran out unnoticed) returns its slot once.
  if (assignment.status === 'active' && isQueueStage(assignment.stage))
    await returnSlot(db, assignment.task_id, assignment.stage);
  return updated;
}

/** The Idempotency-Key a submission came with, and what it said under it. */
export interface Idempotency {
  key: string;
  /** A hash of the response as sent, whatever the order of its keys. */
  fingerprint: string;
}

export function idempotencyOf(key: string | undefined, response: unknown): Idempotency | undefined {
  if (key === undefined) return undefined;
  const fingerprint = createHash('sha256').update(canonicalJson(response)).digest('base64url');
  return { key, fingerprint };
}

/** A submission as the worker asked for it: of which assignment, what, under which key, when. */
export interface SubmissionAsk {
  scope: Scope;
  worker: WorkerRow;
  id: string;
  response: unknown;
  idempotency: Idempotency | undefined;
  now: Date;
}

export interface Submission {
  assignment: AssignmentRow;
  /** Training: the score and the expected response. */
  feedback?: { score: number; expected: Record<string, unknown> };
  /** Set when the work was kept as late: the route answers 409 after committing it. */
  late?: DomainError;
  /** The task as the worker was shown it, when that is all the answer needs. */
  task?: TaskView;
  /** Set when this answers a retry under the key the submission was stored with. */
  replayed?: true;
}

/**
 * Submits the worker's response. Idempotent under a key: the same key returns the same result.
 * Work submitted after its claim went to someone else is stored as late (not counted) and
 * reported as a conflict. Completing the last stage completes the task with the reviewed
 * consensus, credits everyone who worked on it and runs the task's callbacks.
 */
export async function submitAssignment(
  db: Executor,
  ask: SubmissionAsk,
  effects: Effects,
  /** What `submitDirectly` read of it, when it stood aside. */
  known?: SubmissionContext,
): Promise<Submission> {
  const { scope, worker, id, response, idempotency, now } = ask;
  if (known?.id === id && known.worker_id === worker.id && heldAttempt(known, now)) {
    const settings = settingsOf({ settings: known.settings ?? {} });
    const parsed = parseAsUnprocessable(known.type, response, known.params);
    const locked = await submitAndLockTask(db, scope, known, known, {
      settings,
      parsed,
      change: submissionChange(known, parsed, idempotency, settings, now),
      now,
    });
    if (locked) return decide(db, scope, worker, locked, effects, now);
  }

  const assignment = await requireOwnAssignment(db, scope, worker, id);
  if (assignment.status === 'submitted' || assignment.status === 'late') {
    if (idempotency && assignment.idempotency_key === idempotency.key) {
      if (
        assignment.idempotency_fingerprint !== null &&
        assignment.idempotency_fingerprint !== idempotency.fingerprint
      )
        throw new DomainError(
          'unprocessable',
          'This Idempotency-Key was used for a different response: a retry must send the same ' +
            'response, and a new submission a new key',
          'Idempotency-Key',
        );
      return assignment.status === 'late'
        ? { assignment, late: lateError(assignment) }
        : { assignment, replayed: true, ...(await replayFeedback(db, scope, assignment)) };
    }
    throw new DomainError(
      'conflict',
      'This assignment was already submitted' +
        (idempotency ? ' (under another Idempotency-Key)' : ''),
    );
  }
  if (assignment.status === 'released') throw notHeld(assignment);

  // A held attempt is marked submitted in the statement that locks its task, so that the lock,
  // which the task's other annotators wait on, is held for as few statements as possible.
  const early =
    assignment.stage === 'attempt' &&
    assignment.status === 'active' &&
    assignment.lease_expires_at > now;
  const shown = await findTaskForWork(db, scope, assignment.task_id, { lock: !early });
  if (!shown) throw new DomainError('not_found', `Assignment "${id}" was not found`);
  const settings = settingsOf({ settings: shown.project_settings ?? {} });
  const params = shown.params as Record<string, unknown>;
  const given = isLiveChat(shown.type, params)
    ? await withRecordedConversation(
        db,
        scope,
        assignment,
        params,
        shown.consensus as Record<string, unknown> | null,
        response,
      )
    : response;
  const parsed = parseAsUnprocessable(shown.type, given, params);
  const change = submissionChange(assignment, parsed, idempotency, settings, now);
  if (!early)
    return decide(
      db,
      scope,
      worker,
      { assignment, current: withoutSettings(shown), settings, parsed, change },
      effects,
      now,
    );
  const locked = await submitAndLockTask(db, scope, assignment, shown, {
    settings,
    parsed,
    change,
    now,
  });
  // The assignment is locked by this transaction and was found held: the statement wrote.
  if (!locked) throw new Error(`Assignment ${assignment.id} changed under its lock`);
  return decide(db, scope, worker, locked, effects, now);
}

/** A submission's changes to its assignment, whichever way it ends. */
function submissionChange(
  assignment: Pick<AssignmentRow, 'active_seconds' | 'last_seen_at'>,
  parsed: Record<string, unknown>,
  idempotency: Idempotency | undefined,
  settings: ProjectSettings,
  now: Date,
): SubmissionChange {
  return {
    ...storedChange(parsed, idempotency, now),
    active_seconds: addActiveTime(
      assignment.active_seconds,
      assignment.last_seen_at,
      now,
      settings.idleSeconds,
    ),
  };
}

/** A submission once its task is locked: what it was, what it says, and where it stands. */
interface LockedSubmission {
  /** The assignment as it was before this submission. */
  assignment: AssignmentRow;
  /** The assignment marked submitted, when it was with the task's lock. */
  submitted?: AssignmentRow;
  /** The task, locked. */
  current: TaskView;
  settings: ProjectSettings;
  parsed: Record<string, unknown>;
  change: SubmissionChange;
  /** The attempt's answer, added with it, and what deciding its task reads. */
  answered?: AnsweredAttempt;
}

/** Whether a read shows an attempt still held, of a task whose answers need no recording first. */
function heldAttempt(context: SubmissionContext, now: Date): boolean {
  return (
    context.stage === 'attempt' &&
    context.status === 'active' &&
    context.lease_expires_at > now &&
    !isLiveChat(context.type, context.params)
  );
}

/**
 * Marks a held attempt submitted, adds its answer and locks its task, in one statement that
 * writes only while the assignment is held as it was read (`submitAttemptAndAnswer`), which also
 * reads what deciding the task needs. Undefined when the assignment is no longer held (nothing was
 * written). When the task no longer takes answers, the attempt is marked submitted without one and
 * the task is locked on its own: deciding then keeps the work as late.
 */
async function submitAndLockTask(
  db: Executor,
  scope: Scope,
  assignment: AssignmentRow,
  names: Pick<TaskView, 'project_name' | 'batch_name'>,
  decided: Pick<LockedSubmission, 'settings' | 'parsed' | 'change'> & { now: Date },
): Promise<LockedSubmission | undefined> {
  const { change, parsed, now } = decided;
  const { submitted, answered } = await submitAttemptAndAnswer(db, scope, {
    assignmentId: assignment.id,
    workerId: assignment.worker_id,
    taskId: assignment.task_id,
    lastSeenAt: assignment.last_seen_at,
    change,
    answerId: newId(now),
    now,
  });
  if (!submitted) return undefined;
  const task =
    answered?.task ??
    (await findTaskForWork(db, scope, assignment.task_id, { lock: true }).then(
      (shown) => shown && withoutSettings(shown),
    ));
  if (!task) throw new Error(`Task ${assignment.task_id} of a held attempt was not found`);
  return {
    assignment,
    submitted: {
      ...assignment,
      ...change,
      response: parsed,
      status: 'submitted',
      last_seen_at: now,
    },
    current: { ...task, project_name: names.project_name, batch_name: names.batch_name },
    settings: decided.settings,
    parsed,
    change,
    answered,
  };
}

/**
 * The rest of a submission, its task locked: late work is kept as late; otherwise the answer is
 * scored (training, evaluation, gold) or moves its task along (attempts, reviews, audits).
 */
async function decide(
  db: Executor,
  scope: Scope,
  worker: WorkerRow,
  { assignment, submitted: early, current, settings, parsed, change, answered }: LockedSubmission,
  effects: Effects,
  now: Date,
): Promise<Submission> {
  const project = { id: assignment.project_id, name: current.project_name ?? '' };
  const params = current.params as Record<string, unknown>;
  // Attempts are over once the task has a consensus; reviews and audits once it completed.
  const concluded = assignment.stage === 'attempt' && current.consensus !== null;
  const stillOpen = !isQueueStage(assignment.stage) || (current.status === 'pending' && !concluded);
  if (!stillOpen || !(await holdOrResume(db, assignment, now))) {
    const late = await updateAssignment(db, assignment.id, { ...change, status: 'late' });
    return { assignment: late, late: lateError(late) };
  }
  const submitted =
    early ??
    (await updateAssignment(db, assignment.id, {
      ...change,
      status: 'submitted',
      last_seen_at: now,
    }));

  switch (assignment.stage) {
    case 'training':
    case 'evaluation':
    case 'gold': {
      const expected = (current.expected_response ?? {}) as Record<string, unknown>;
      const score = scoreAgainstExpected(current.type, params, parsed, expected);
      await insertAnswer(db, scope, {
        id: newId(now),
        task_id: current.id,
        project_id: current.project_id,
        worker: worker.id,
        response: JSON.stringify(parsed),
        score,
        created_at: now,
      });
      const scored = await updateAssignment(db, assignment.id, { score });
      await recordScore(db, scope, project, settings, worker.id, assignment.stage, score, now);
      return assignment.stage === 'training'
        ? { assignment: scored, feedback: { score, expected } }
        : { assignment: scored };
    }
    case 'attempt':
      await onAttempt(db, scope, current, settings, worker.id, parsed, effects, now, answered);
      return { assignment: submitted, task: current };
    case 'review':
    case 'audit':
      await onReviewOrAudit(
        db,
        scope,
        current,
        settings,
        assignment.stage,
        submitted,
        parsed,
        effects,
        now,
      );
      return { assignment: (await findAssignmentRow(db, scope, assignment.id, worker.id))! };
  }
}

/** A task as its worker is shown it. */
export interface ShownTask {
  id: string;
  type: string;
  project_name: string | null;
  instruction: string | null;
  params: unknown;
}

/**
 * The common submission, outside any transaction. A held attempt whose answer cannot conclude its
 * task (the task has fewer than `consensus.min` answers with it) is stored together with the
 * other submissions arriving in this process (`SubmissionBatches`): at once when this process
 * made the claim (`held`), since what the claim showed is what checking the response needs; else
 * read first, together with the others. One whose
 * answer concludes it is decided from what was read, and when that completes the task (a
 * confident consensus or `consensus.max` answers, and no review or audit), one statement writes
 * it all while the task is still as read (`concludeAttempts`, gathered with the process's other
 * conclusions), or its own statement in a transaction with its callback and batch when it has
 * them. When none of that applies nothing was written, and what was read is
 * handed back: `submitAssignment` then decides, and says why when it refuses. A response that
 * does not fit the task type is refused here all the same.
 */
export async function submitDirectly(
  db: Executor,
  batches: SubmissionBatches,
  held: HeldClaims,
  ask: SubmissionAsk,
  effects: Effects,
): Promise<{ assignment: AssignmentRow; task: ShownTask } | { context?: SubmissionContext }> {
  const { scope, worker, id, response, idempotency, now } = ask;
  const claim = held.take(scope, id, worker.id);
  // A response that does not fit is refused by the read's path, which says first whether the
  // assignment is still held.
  const fitting = claim && !isLiveChat(claim.type, claim.params) && fits(claim, response);
  if (claim && fitting) {
    const assignment = await batches.store(scope, {
      assignmentId: id,
      taskId: claim.task_id,
      workerId: worker.id,
      answerId: newId(now),
      change: storedChange(fitting, idempotency, now),
    });
    if (assignment) return { assignment, task: shownTask(claim) };
  }
  let found = await batches.read(scope, id, worker.id);
  if (!open(found, now)) return { context: found };
  let made = attemptOf(found, response, idempotency, now);
  let assignment: AssignmentRow | undefined;
  if (!made.concludes) {
    assignment = await batches.store(scope, {
      assignmentId: found.id,
      taskId: found.task_id,
      workerId: worker.id,
      answerId: newId(now),
      change: storedChange(made.parsed, idempotency, now),
    });
    if (assignment) return { assignment, task: shownTask(found) };
    // Not stored: often because the task's other attempts were stored meanwhile and this one now
    // concludes it. What is read again decides.
    found = await batches.read(scope, id, worker.id);
    if (!open(found, now)) return { context: found };
    made = attemptOf(found, response, idempotency, now);
    if (!made.concludes) return { context: found };
  }
  const { settings, parsed, change } = made;
  assignment = await concludeDirectly(
    db,
    batches,
    scope,
    found,
    settings,
    parsed,
    change,
    effects,
    now,
  );
  if (!assignment) return { context: found };
  return { assignment, task: shownTask(found) };
}

/** Whether a read shows a held attempt on a task still taking answers. */
function open(context: SubmissionContext | undefined, now: Date): context is SubmissionContext {
  return (
    !!context &&
    heldAttempt(context, now) &&
    context.task_status === 'pending' &&
    !context.concluded
  );
}

/** A submission's response checked and its changes made, from what was read of it. */
function attemptOf(
  found: SubmissionContext,
  response: unknown,
  idempotency: Idempotency | undefined,
  now: Date,
) {
  const settings = settingsOf({ settings: found.settings ?? {} });
  const parsed = parseAsUnprocessable(found.type, response, found.params);
  return {
    settings,
    parsed,
    change: submissionChange(found, parsed, idempotency, settings, now),
    /** Whether its answer takes the task to its minimum. */
    concludes: found.answer_count + 1 >= settings.consensus.min,
  };
}

/** The response parsed for the task a claim showed; undefined when it does not fit. */
function fits(claim: HeldClaim, response: unknown): Record<string, unknown> | undefined {
  try {
    return parseTaskResponse(claim.type, response, claim.params);
  } catch {
    return undefined;
  }
}

/** What storing an attempt writes (its active time is counted as it is stored). */
function storedChange(
  parsed: Record<string, unknown>,
  idempotency: Idempotency | undefined,
  now: Date,
): AttemptToStore['change'] {
  return {
    response: JSON.stringify(parsed),
    submitted_at: now,
    idempotency_key: idempotency?.key ?? null,
    idempotency_fingerprint: idempotency?.fingerprint ?? null,
  };
}

function shownTask(found: SubmissionContext | HeldClaim): ShownTask {
  return {
    id: found.task_id,
    type: found.type,
    project_name: found.project_name,
    instruction: found.instruction,
    params: found.params,
  };
}

/**
 * A held attempt that concludes its task's attempts, decided from what was read of the task:
 * undefined, with nothing written, unless it completes the task and the task was still as read.
 */
async function concludeDirectly(
  db: Executor,
  batches: SubmissionBatches,
  scope: Scope,
  found: SubmissionContext,
  settings: ProjectSettings,
  parsed: Record<string, unknown>,
  change: SubmissionChange,
  effects: Effects,
  now: Date,
): Promise<AssignmentRow | undefined> {
  const { decision } = found;
  if (!decision || !completesWithoutReview(found.task_id, settings)) return undefined;
  const answer: TaskAnswerRow = {
    id: newId(now),
    organization_id: found.organization_id,
    livemode: found.livemode,
    task_id: found.task_id,
    project_id: found.project_id,
    worker: found.worker_id,
    response: parsed,
    score: null,
    created_at: now,
  };
  const answers = [...decision.answers, answer];
  const task = {
    id: found.task_id,
    type: found.type,
    params: found.params,
    status: 'pending' as const,
    project_id: found.project_id,
  };
  const consensus = await consensusOf(
    db,
    scope,
    task,
    settings.aggregation.method,
    answers,
    answer,
  );
  if (asksForMore(consensus, answers.length, settings)) return undefined;
  const pay = payOf(
    task,
    settings,
    consensus.response,
    decision.settlements.map((row) => (row.id === found.id ? { ...row, response: parsed } : row)),
  );
  const conclusion: Conclusion = {
    assignmentId: found.id,
    workerId: found.worker_id,
    taskId: found.task_id,
    lastSeenAt: found.last_seen_at,
    answerCount: decision.answers.length,
    change,
    answerId: answer.id,
    own: pay.find((row) => row.id === found.id)!,
    others: pay.filter((row) => row.id !== found.id),
    response: JSON.stringify(consensus.response),
    consensus: JSON.stringify(described(consensus)),
  };
  // Gathered with other tasks' conclusions, unless the completion has more to do in its
  // transaction (a callback, a batch).
  if (!found.callback_url && !found.batch_id) return batches.conclude(scope, conclusion);
  return inTransaction(db, async (tx) => {
    const [written] = await concludeAttempts(tx, scope, [conclusion], now);
    if (written) {
      const finished = await findTask(tx, scope, found.task_id);
      await announceFinished(tx, scope, finished!, effects, now);
    }
    return written;
  });
}

/** Whether a task's attempts, with `count` answers, call for one more annotator. */
function asksForMore(consensus: TaskConsensus, count: number, settings: ProjectSettings) {
  return consensus.confidence < settings.consensus.confidence && count < settings.consensus.max;
}

/** Whether a task whose attempts are over completes at once: no review stage, no audit drawn. */
function completesWithoutReview(taskId: string, settings: ProjectSettings) {
  return !settings.review.stage && !drawnForAudit(taskId, settings.review.auditRate);
}

/** A consensus as a task keeps it. */
function described(consensus: TaskConsensus) {
  return {
    method: consensus.method,
    confidence: consensus.confidence,
    answers: consensus.answers,
    response: consensus.response,
  };
}

function withoutSettings({
  project_settings: _,
  ...task
}: TaskView & { project_settings: unknown }) {
  return task;
}

function lateError(assignment: AssignmentRow) {
  return new DomainError(
    'conflict',
    `The lease expired at ${assignment.lease_expires_at.toISOString()} and the task was given to ` +
      'someone else or finished; your work was kept as late and is not counted',
  );
}

async function replayFeedback(db: Executor, scope: Scope, assignment: AssignmentRow) {
  if (assignment.stage !== 'training' || assignment.score === null) return {};
  const task = await findTask(db, scope, assignment.task_id);
  return {
    feedback: {
      score: assignment.score,
      expected: (task?.expected_response ?? {}) as Record<string, unknown>,
    },
  };
}

async function findAssignmentRow(db: Executor, scope: Scope, id: string, workerId: string) {
  return lockAssignment(db, scope, id, workerId);
}

/** A response that does not fit the task type is a 422 naming the field. */
function parseAsUnprocessable(type: string, response: unknown, params: Record<string, unknown>) {
  try {
    return parseTaskResponse(type, response, params);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'invalid')
      throw new DomainError('unprocessable', error.message, error.field);
    throw error;
  }
}

/** Training, qualification and gold scores move the worker's standing on the project. */
async function recordScore(
  db: Executor,
  scope: Scope,
  project: { id: string; name: string },
  settings: ProjectSettings,
  workerId: string,
  stage: 'training' | 'evaluation' | 'gold',
  score: number,
  now: Date,
) {
  const member = await lockMember(db, scope, project.id, workerId, () => 'active');
  if (stage === 'training') {
    const change: Partial<ProjectMemberRow> = { trained: member.trained + 1 };
    const blocked = ['training', 'paused', 'unqualified'].includes(member.status);
    if (blocked && !(await hasTrainingToFinish(db, scope, project.id, workerId)))
      Object.assign(change, afterTraining(settings));
    await updateMember(db, scope, project.id, workerId, { ...change, updated_at: now });
    return;
  }
  const gold = { gold_answers: member.gold_answers + 1, gold_score: member.gold_score + score };
  if (stage === 'evaluation' && member.status === 'qualifying') {
    const answers = member.qualify_answers + 1;
    const total = member.qualify_score + score;
    const change: Partial<ProjectMemberRow> = {
      ...gold,
      qualify_answers: answers,
      qualify_score: total,
    };
    if (answers >= settings.gold.qualifyCount) {
      const mean = total / answers;
      Object.assign(
        change,
        mean >= settings.gold.qualifyThreshold
          ? { status: 'active', reason: null }
          : {
              status: 'unqualified',
              trained: 0,
              reason: `mean score ${mean.toFixed(2)} on ${answers} evaluation tasks; ${settings.gold.qualifyThreshold} needed`,
            },
      );
    }
    await updateMember(db, scope, project.id, workerId, { ...change, updated_at: now });
    return;
  }
  const standing = goldStanding(gold.gold_answers, gold.gold_score, {
    pauseBelow: settings.gold.pauseBelow,
  });
  const pause = member.status === 'active' && standing.pause;
  const reason = `gold accuracy ${standing.accuracy.toFixed(2)} over ${gold.gold_answers} answers is below ${settings.gold.pauseBelow}`;
  await updateMember(db, scope, project.id, workerId, {
    ...gold,
    ...(pause ? { status: 'paused', trained: 0, reason } : {}),
    updated_at: now,
  });
  if (pause)
    await releaseOpenClaims(db, scope, {
      now,
      workerId,
      projectId: project.id,
      reason: `the worker was paused on this project (${reason})`,
      allStages: false,
    });
}

/**
 * An attempt arrived: once the task has `consensus.min` answers it is aggregated; a confident
 * consensus (or `consensus.max` answers) ends the attempts, otherwise one more annotator is
 * asked. Then review, audit or completion.
 */
async function onAttempt(
  db: Executor,
  scope: Scope,
  task: TaskView,
  settings: ProjectSettings,
  workerId: string,
  response: Record<string, unknown>,
  effects: Effects,
  now: Date,
  /** The answer, when it was added with the submission. */
  answered?: AnsweredAttempt,
) {
  const answers =
    answered?.answers ??
    (await addAnswerAndList(db, scope, {
      id: newId(now),
      task_id: task.id,
      project_id: task.project_id,
      worker: workerId,
      response: JSON.stringify(response),
      created_at: now,
    }));
  if (answers.length < settings.consensus.min) return;
  const consensus = await consensusOf(db, scope, task, settings.aggregation.method, answers);
  if (asksForMore(consensus, answers.length, settings)) {
    // Ask for more only when nobody else is already on it.
    const outstanding =
      (await countActiveClaims(db, task.id, 'attempt', now)) +
      (await countOpenSlots(db, task.id, 'attempt'));
    if (outstanding === 0) await openSlots(db, queueKey(task), 'attempt', 1);
    return;
  }
  if (completesWithoutReview(task.id, settings))
    return complete(db, scope, task, settings, consensus.response, effects, now, {
      consensus: JSON.stringify(described(consensus)),
      settlements: answered?.settlements,
    });
  await deleteWorkItems(db, task.id, 'attempt');
  await updateTask(db, scope, task.id, { consensus: JSON.stringify(described(consensus)) });
  return openSlots(db, queueKey(task), settings.review.stage ? 'review' : 'audit', 1);
}

function queueKey(task: TaskView) {
  return {
    id: task.id,
    organization_id: task.organization_id,
    livemode: task.livemode,
    project_id: task.project_id!,
    batch_id: task.batch_id,
    seq: task.seq,
  };
}

async function onReviewOrAudit(
  db: Executor,
  scope: Scope,
  task: TaskView,
  settings: ProjectSettings,
  stage: 'review' | 'audit',
  assignment: AssignmentRow,
  response: Record<string, unknown>,
  effects: Effects,
  now: Date,
) {
  const stored = (task.consensus ?? {}) as Record<string, unknown>;
  const before = stage === 'review' ? stored.response : (stored.reviewed ?? stored.response);
  const outcome = canonicalJson(before) === canonicalJson(response) ? 'accepted' : 'corrected';
  await updateAssignment(db, assignment.id, { outcome });
  await deleteWorkItems(db, task.id, stage);
  await updateTask(db, scope, task.id, {
    consensus: JSON.stringify({
      ...stored,
      [stage === 'review' ? 'reviewed' : 'audited']: response,
    }),
  });
  if (stage === 'review' && drawnForAudit(task.id, settings.review.auditRate))
    return openSlots(db, queueKey(task), 'audit', 1);
  await complete(
    db,
    scope,
    (await findTask(db, scope, task.id))!,
    settings,
    response,
    effects,
    now,
  );
}

/**
 * Completes the task with its final response and settles everyone's pay on it, in one statement.
 * The task is locked, so the work submitted on it (`settlements`, read here when not given) stays
 * as read.
 */
async function complete(
  db: Executor,
  scope: Scope,
  task: TaskView,
  settings: ProjectSettings,
  response: Record<string, unknown>,
  effects: Effects,
  now: Date,
  also: { consensus?: string; settlements?: readonly Settlement[] } = {},
) {
  const settlements = also.settlements ?? (await listSettlements(db, scope, task.id));
  await finishTask(db, scope, task, response, effects, now, {
    consensus: also.consensus,
    settle: payOf(task, settings, response, settlements),
  });
}

/** The outcome and pay of each piece of work on a task that completed with `response`. */
function payOf(
  task: Pick<TaskView, 'type' | 'params'>,
  settings: ProjectSettings,
  response: Record<string, unknown>,
  settlements: readonly Settlement[],
): SettledPay[] {
  const params = task.params as Record<string, unknown>;
  return settlements.map((row) => {
    const accepted =
      row.stage !== 'attempt' ||
      scoreAgainstExpected(task.type, params, row.response ?? {}, response) >= ACCEPT_SCORE;
    const accuracy =
      row.gold_answers && row.gold_answers > 0
        ? goldStanding(row.gold_answers, row.gold_score ?? 0, { pauseBelow: 0 }).accuracy
        : undefined;
    const pay = payFor(row.stage as WorkStage, accepted, settings.pay, row.pay_rate, accuracy);
    return {
      id: row.id,
      outcome: row.stage === 'attempt' ? (accepted ? 'accepted' : 'rejected') : null,
      base: pay.base,
      bonus: pay.bonus,
      currency: settings.pay.currency,
    };
  });
}
