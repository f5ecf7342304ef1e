import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { CLAIM_PATH } from '@quorum/core';
import { inTransaction } from '../src/db/executor';
import type { AssignmentRow } from '../src/db/schema';
import {
  claimAttemptsTogether,
  findSubmissionContexts,
  concludeAttempts,
  submitAttemptAndAnswer,
  submitAttemptsTogether,
  findWorker,
} from '../src/repositories/workforce';
import { ClaimBatches } from '../src/services/claim-batches';
import { HeldClaims } from '../src/services/held-claims';
import { listAnswersAround } from '../src/repositories/answers';
import { createOrganization } from '../src/services/api-keys';
import { createDeliveryEffects } from '../src/services/deliveries';
import { SubmissionBatches } from '../src/services/submission-batches';
import {
  reopenLostClaims,
  shownTaskId,
  submitAssignment,
  submitDirectly,
} from '../src/services/work';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

type Client = ReturnType<typeof client>;
interface Person {
  id: string;
  api: Client;
}

describe.each(BACKENDS)('workforce and routing on %s', (backend) => {
  let t: TestPlatform;
  let api: Client;
  let clock = 0;
  const patch = (path: string, body: unknown, as: Client = api) => as.raw('PATCH', path, body);

  /** A worker and a client that authenticates as them (their token as the Basic user name). */
  async function worker(email: string, extra: Record<string, unknown> = {}) {
    const created = await api.post('/api/v1/workers', {
      email,
      name: email.split('@')[0],
      roles: ['annotator'],
      ...extra,
    });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, api: client(t.url, created.body.token) };
  }

  async function project(name: string, settings: Record<string, unknown>) {
    expect((await api.post('/v1/projects', { type: 'categorization', name })).status).toBe(200);
    const changed = await patch(`/api/v1/projects/${name}/settings`, settings);
    expect(changed.status).toBe(200);
  }

  async function task(projectName: string, text: string, extra: Record<string, unknown> = {}) {
    const created = await api.post('/v1/task/categorization', {
      project: projectName,
      attachment: text,
      attachment_type: 'text',
      categories: ['cat', 'dog'],
      ...extra,
    });
    expect(created.status).toBe(200);
    return created.body.task_id as string;
  }

  async function gold(
    kind: 'evaluation_tasks' | 'training_tasks',
    projectName: string,
    label: string,
  ) {
    const created = await api.post(`/v1/${kind}/categorization`, {
      project: projectName,
      attachment: `a ${label}`,
      attachment_type: 'text',
      categories: ['cat', 'dog'],
      expected_response: { category: label },
    });
    expect(created.status).toBe(200);
    return created.body.id as string;
  }

  const claim = (as: Client, body: Record<string, unknown> = {}) => as.post(CLAIM_PATH, body);
  /** The task an assignment is on (its worker sees their own name for it, `shownTaskId`). */
  const taskOf = async (assignment: { id: string }) =>
    (
      await t.platform.ctx.database.db
        .selectFrom('assignments')
        .select('task_id')
        .where('id', '=', assignment.id)
        .executeTakeFirstOrThrow()
    ).task_id;
  const submit = (as: Client, id: string, response: unknown, key?: string) =>
    as.post(
      `/api/v1/assignments/${id}/submit`,
      { response },
      key ? { 'idempotency-key': key } : {},
    );

  /**
   * A project whose tasks take exactly `answers` answers, by majority vote, under long leases,
   * with `settings` besides.
   */
  const fixedConsensus = (name: string, answers: number, settings: Record<string, unknown> = {}) =>
    project(name, {
      consensus: { min: answers, max: answers },
      aggregation: { method: 'mv' },
      leaseSeconds: 600,
      ...settings,
    });

  /** `count` workers, `<prefix>-a@example.test` onwards. */
  const workers = (prefix: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        worker(`${prefix}-${String.fromCharCode(97 + i)}@example.test`),
      ),
    );

  /** What a submission of `{ category }` writes to its assignment: `seconds` of work at `now`. */
  const changeOf = (category: string, now: Date, seconds: number, key: string | null = null) => ({
    response: JSON.stringify({ category }),
    submitted_at: now,
    idempotency_key: key,
    idempotency_fingerprint: key === null ? null : `fingerprint of ${category}`,
    active_seconds: seconds,
  });

  const assignmentRow = (id: string) =>
    t.platform.ctx.database.db
      .selectFrom('assignments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  /** Makes `people` active members of the project named; returns its organization and mode. */
  async function membersOf(projectName: string, people: readonly Person[]) {
    const project = await t.platform.ctx.database.db
      .selectFrom('projects')
      .selectAll()
      .where('name', '=', projectName)
      .executeTakeFirstOrThrow();
    await makeActive({ ...project, project_id: project.id }, people);
    return { organizationId: project.organization_id, livemode: project.livemode };
  }

  /** Makes `people` active members of a project, as joining and qualifying would. */
  const makeActive = (
    project: { organization_id: string; livemode: boolean; project_id: string },
    people: readonly Person[],
  ) =>
    t.platform.ctx.database.db
      .insertInto('project_members')
      .values(
        people.map((person) => ({
          organization_id: project.organization_id,
          livemode: project.livemode,
          project_id: project.project_id,
          worker_id: person.id,
          status: 'active' as const,
        })),
      )
      .execute();

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    api = client(t.url, t.key);
    // Tests move the platform's clock forward to let leases lapse.
    t.platform.ctx.now = () => new Date(Date.now() + clock);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('invites workers by role and keeps them out of operator routes', async () => {
    const manager = await worker('manager@example.test', { roles: ['manager'] });
    const byManager = await manager.api.post('/api/v1/workers', {
      email: 'ann@example.test',
      name: 'Ann',
      roles: ['annotator'],
      skills: { medical: 2 },
      languages: ['en'],
    });
    expect(byManager.status).toBe(201);
    expect(byManager.body.token).toMatch(/^qw_/);
    expect(byManager.body).not.toHaveProperty('password_hash');
    const escalate = await manager.api.post('/api/v1/workers', {
      email: 'boss@example.test',
      name: 'Boss',
      roles: ['annotator', 'admin'],
    });
    expect(escalate.status).toBe(403);
    expect(escalate.body.field).toBe('roles');
    // The refusal names what may not be granted, not what may.
    expect(escalate.body.error).toMatch(/may not grant admin \(/);
    const duplicate = await api.post('/api/v1/workers', {
      email: 'ANN@example.test',
      name: 'Ann again',
      roles: ['annotator'],
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.field).toBe('email');
    const bad = await api.post('/api/v1/workers', {
      email: 'nope',
      name: 'x',
      roles: ['annotator'],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('email');

    const ann = client(t.url, byManager.body.token);
    expect((await ann.get('/api/v1/me')).body.email).toBe('ann@example.test');
    expect(
      (await ann.post('/api/v1/workers', { email: 'x@y.zz', name: 'x', roles: ['annotator'] }))
        .status,
    ).toBe(403);
    expect((await ann.get('/v1/projects')).status).toBe(403);
    expect((await ann.get(`/api/v1/workers/${manager.id}`)).status).toBe(403);
    // API keys are operators, not workers.
    expect((await claim(api)).status).toBe(403);
  });

  it('hands each task to its distinct annotators, completes it with the consensus and pays', async () => {
    await project('votes', {
      consensus: { min: 3, max: 3 },
      aggregation: { method: 'mv' },
      pay: { attempt: 10, bonusPercent: 0 },
      maxOpenClaims: 1,
    });
    const id = await task('votes', 'a picture', { callback_url: 'https://example.test/hook' });
    const people = await Promise.all(
      ['v1', 'v2', 'v3', 'v4'].map((n) => worker(`${n}@example.test`)),
    );
    const claims: string[] = [];
    for (const person of people.slice(0, 3)) {
      const claimed = await claim(person.api, { project: 'votes' });
      expect(claimed.status).toBe(200);
      expect(claimed.body.assignment.stage).toBe('attempt');
      expect(await taskOf(claimed.body.assignment)).toBe(id);
      // Each worker sees their own name for the task, never its id (which tells when it was made).
      expect(claimed.body.assignment.task.id).toBe(shownTaskId(id, person.id));
      expect(claimed.body.assignment.task.attachments).toEqual([
        { type: 'text', content: 'a picture' },
      ]);
      expect(claimed.body.assignment.task).not.toHaveProperty('metadata');
      claims.push(claimed.body.assignment.id as string);
    }
    const shown = await Promise.all(
      people
        .slice(0, 3)
        .map(
          async (person, i) =>
            (await person.api.get(`/api/v1/assignments/${claims[i]}`)).body.assignment,
        ),
    );
    expect(new Set(shown.map((view) => view.task.id)).size).toBe(3);
    expect(shown.map((view) => view.task.id)).toEqual(
      people.slice(0, 3).map((person) => shownTaskId(id, person.id)),
    );
    expect(shown.map((view) => view.task.id)).not.toContain(id);
    // Operators and managers follow an assignment to its task; other workers do not see it.
    const manager = await worker('vm@example.test', { roles: ['manager'] });
    for (const as of [api, manager.api])
      expect((await as.get(`/api/v1/assignments/${claims[0]}`)).body.assignment).toMatchObject({
        id: claims[0],
        task: { id },
        worker: people[0]!.id,
        shownTaskId: shownTaskId(id, people[0]!.id),
      });
    expect((await people[3]!.api.get(`/api/v1/assignments/${claims[0]}`)).status).toBe(404);
    expect(shown[0]).not.toHaveProperty('worker');
    // The task has its three annotators: nobody else gets it.
    expect((await claim(people[3]!.api, { project: 'votes' })).status).toBe(204);
    // The cap on open claims.
    await task('votes', 'another picture');
    const capped = await claim(people[0]!.api, { project: 'votes' });
    expect(capped.status).toBe(409);
    expect(capped.body.field).toBe('maxOpenClaims');

    // Someone else's assignment does not exist for you.
    expect((await submit(people[1]!.api, claims[0]!, { category: 'cat' })).status).toBe(404);
    // A response that does not fit the task type names the field.
    const wrong = await submit(people[0]!.api, claims[0]!, { category: 'horse' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.field).toMatch(/^response/);

    const first = await submit(people[0]!.api, claims[0]!, { category: 'cat' }, 'k-1');
    expect(first.status).toBe(200);
    expect(first.body.assignment.status).toBe('submitted');
    // Idempotent under the same key; a conflict under another.
    const again = await submit(people[0]!.api, claims[0]!, { category: 'cat' }, 'k-1');
    expect(again.status).toBe(200);
    expect(again.body.assignment.id).toBe(claims[0]);
    expect((await submit(people[0]!.api, claims[0]!, { category: 'dog' }, 'k-2')).status).toBe(409);
    // The same key for another response is not a retry: refused, and the first answer stands.
    const reused = await submit(people[0]!.api, claims[0]!, { category: 'dog' }, 'k-1');
    expect(reused.status).toBe(422);
    expect(reused.body.field).toBe('Idempotency-Key');
    expect((await assignmentRow(claims[0]!)).response).toEqual({ category: 'cat' });

    expect((await submit(people[1]!.api, claims[1]!, { category: 'dog' })).status).toBe(200);
    expect((await api.get(`/v1/task/${id}`)).body.status).toBe('pending');
    expect((await submit(people[2]!.api, claims[2]!, { category: 'cat' })).status).toBe(200);
    const done = await api.get(`/v1/task/${id}`);
    expect(done.body.status).toBe('completed');
    expect(done.body.response).toEqual({ category: 'cat' });
    const answers = await api.get(`/api/v1/tasks/${id}/answers`);
    expect(answers.body.docs.map((a: { worker: string }) => a.worker).sort()).toEqual(
      people
        .slice(0, 3)
        .map((p) => p.id)
        .sort(),
    );
    // The completion announced itself like any other.
    const deliveries = await api.get(`/api/v1/deliveries?task_id=${id}`);
    expect(JSON.stringify(deliveries.body)).toContain(id);

    // Agreeing attempts are accepted and paid; the dissenting one is not.
    const earnings = async (p: { api: Client }) =>
      (await p.api.get('/api/v1/me/earnings')).body.projects.find(
        (row: { project: string }) => row.project === 'votes',
      );
    expect(await earnings(people[0]!)).toMatchObject({ accepted: 1, earned: 10, currency: 'USD' });
    expect(await earnings(people[1]!)).toMatchObject({ accepted: 0, rejected: 1, earned: 0 });
  });

  it('submits and claims the next task in one request, answering a retry with the same claim', async () => {
    await fixedConsensus('chained', 1, { maxOpenClaims: 2 });
    const ids = [await task('chained', 'one'), await task('chained', 'two')];
    const [person] = await workers('chained', 1);
    const next = { project: 'chained' };
    const submitNext = (id: string, key: string, body: Record<string, unknown> = { next }) =>
      person!.api.post(
        `/api/v1/assignments/${id}/submit`,
        { response: { category: 'cat' }, ...body },
        { 'idempotency-key': key },
      );
    const held = () =>
      t.platform.ctx.database.db
        .selectFrom('assignments')
        .select('id')
        .where('worker_id', '=', person!.id)
        .where('status', '=', 'active')
        .execute();

    const first = (await claim(person!.api, next)).body.assignment;
    expect(await taskOf(first)).toBe(ids[0]);
    // A claim that does not validate is refused before anything is stored.
    const invalid = await submitNext(first.id, 'n-0', { next: { project: '' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.field).toBe('next.project');
    expect((await assignmentRow(first.id)).status).toBe('active');

    const chained = await submitNext(first.id, 'n-1');
    expect(chained.status).toBe(200);
    expect(chained.body.assignment).toMatchObject({ id: first.id, status: 'submitted' });
    expect(chained.body.next.refused).toBeUndefined();
    expect(chained.body.next.assignment).toMatchObject({
      stage: 'attempt',
      status: 'active',
      task: { id: shownTaskId(ids[1]!, person!.id), project: 'chained' },
    });
    expect((await api.get(`/v1/task/${ids[0]}`)).body.status).toBe('completed');
    // A retry whose first answer was lost gets the claim that request made, not another one.
    const retried = await submitNext(first.id, 'n-1');
    expect(retried.status).toBe(200);
    expect(retried.body.next.assignment.id).toBe(chained.body.next.assignment.id);
    expect(await held()).toEqual([{ id: chained.body.next.assignment.id }]);
    // That key for another response is refused, and claims nothing.
    const reused = await submitNext(first.id, 'n-1', { next, response: { category: 'dog' } });
    expect(reused.status).toBe(422);
    expect(reused.body.field).toBe('Idempotency-Key');
    expect(await held()).toEqual([{ id: chained.body.next.assignment.id }]);

    // Nothing left: no claim, and no refusal either.
    const last = await submitNext(chained.body.next.assignment.id, 'n-2');
    expect(last.status).toBe(200);
    expect(last.body.next).toEqual({ assignment: null });
    expect((await api.get(`/v1/task/${ids[1]}`)).body.status).toBe('completed');

    // A refused claim is answered as the claim would have been; the submission stands.
    await task('chained', 'three');
    const third = (await claim(person!.api, next)).body.assignment;
    const refused = await submitNext(third.id, 'n-3', { next: { project: 'elsewhere' } });
    expect(refused.status).toBe(200);
    expect(refused.body.assignment.status).toBe('submitted');
    expect(refused.body.next).toMatchObject({
      assignment: null,
      refused: { status_code: 404, code: 'not_found' },
    });
    expect(refused.body.next.refused.error).toMatch(/elsewhere/);
    expect(await held()).toEqual([]);
  });

  it('asks for more annotators when answers disagree and stops early when they agree', async () => {
    await project('adaptive', {
      consensus: { min: 2, max: 4, confidence: 0.9 },
      aggregation: { method: 'mv' },
      maxOpenClaims: 5,
    });
    const agreed = await task('adaptive', 'clear');
    const disputed = await task('adaptive', 'unclear');
    const people = await Promise.all(
      ['ad1', 'ad2', 'ad3', 'ad4', 'ad5'].map((n) => worker(`${n}@example.test`)),
    );
    const answerBoth = async (p: { api: Client }, forDisputed: string) => {
      for (let i = 0; i < 2; i++) {
        const claimed = await claim(p.api, { project: 'adaptive' });
        expect(claimed.status).toBe(200);
        const isDisputed = (await taskOf(claimed.body.assignment)) === disputed;
        await submit(p.api, claimed.body.assignment.id, {
          category: isDisputed ? forDisputed : 'cat',
        });
      }
    };
    await answerBoth(people[0]!, 'cat');
    await answerBoth(people[1]!, 'dog');
    expect((await api.get(`/v1/task/${agreed}`)).body.status).toBe('completed');
    expect((await api.get(`/v1/task/${disputed}`)).body.status).toBe('pending');
    // One more annotator is asked at a time, up to consensus.max.
    const third = await claim(people[2]!.api, { project: 'adaptive' });
    expect(await taskOf(third.body.assignment)).toBe(disputed);
    expect((await claim(people[3]!.api, { project: 'adaptive' })).status).toBe(204);
    await submit(people[2]!.api, third.body.assignment.id, { category: 'dog' });
    // 2 of 3 is not 0.9 sure: a fourth, the maximum, decides.
    const fourth = await claim(people[3]!.api, { project: 'adaptive' });
    expect(await taskOf(fourth.body.assignment)).toBe(disputed);
    await submit(people[3]!.api, fourth.body.assignment.id, { category: 'dog' });
    const done = await api.get(`/v1/task/${disputed}`);
    expect(done.body.status).toBe('completed');
    expect(done.body.response).toEqual({ category: 'dog' });
    expect((await claim(people[4]!.api, { project: 'adaptive' })).status).toBe(204);
  });

  it('returns lapsed claims to the queue and keeps late work without counting it', async () => {
    await project('leases', { leaseSeconds: 60, aggregation: { method: 'mv' }, idleSeconds: 30 });
    const id = await task('leases', 'slow');
    const [slow, quick, resumer] = await Promise.all(
      ['slow', 'quick', 'resumer'].map((n) => worker(`${n}@example.test`)),
    );
    const held = await claim(slow!.api, { project: 'leases' });
    expect(await taskOf(held.body.assignment)).toBe(id);
    const beat = await slow!.api.post(`/api/v1/assignments/${held.body.assignment.id}/heartbeat`);
    expect(beat.status).toBe(200);
    expect(Date.parse(beat.body.leaseExpiresAt)).toBeGreaterThan(
      Date.parse(held.body.assignment.leaseExpiresAt) - 1,
    );

    clock += 5 * 60_000;
    const taken = await claim(quick!.api, { project: 'leases' });
    expect(taken.status).toBe(200);
    expect(await taskOf(taken.body.assignment)).toBe(id);
    expect(
      (await slow!.api.post(`/api/v1/assignments/${held.body.assignment.id}/heartbeat`)).status,
    ).toBe(409);
    // Late work asking for its next task is kept and reported, and claims nothing.
    const late = await slow!.api.post(
      `/api/v1/assignments/${held.body.assignment.id}/submit`,
      { response: { category: 'dog' }, next: { project: 'leases' } },
      { 'idempotency-key': 'late-1' },
    );
    expect(late.status).toBe(409);
    expect(late.body.error).toMatch(/kept as late/);
    const slowHolds = await t.platform.ctx.database.db
      .selectFrom('assignments')
      .select('status')
      .where('worker_id', '=', slow!.id)
      .execute();
    expect(slowHolds).toEqual([{ status: 'late' }]);
    expect((await submit(quick!.api, taken.body.assignment.id, { category: 'cat' })).status).toBe(
      200,
    );
    const done = await api.get(`/v1/task/${id}`);
    expect(done.body.response).toEqual({ category: 'cat' });
    expect((await api.get(`/api/v1/tasks/${id}/answers`)).body.docs).toHaveLength(1);
    const kept = await slow!.api.get(`/api/v1/assignments/${held.body.assignment.id}`);
    expect(kept.body.assignment.status).toBe('late');

    // A lapsed claim nobody took is resumed on submit; idle time is not counted.
    const second = await task('leases', 'resumable');
    const mine = await claim(resumer!.api, { project: 'leases' });
    expect(await taskOf(mine.body.assignment)).toBe(second);
    clock += 10 * 60_000;
    const resumed = await submit(resumer!.api, mine.body.assignment.id, { category: 'dog' });
    expect(resumed.status).toBe(200);
    expect(resumed.body.assignment.activeSeconds).toBeLessThanOrEqual(30);
    expect((await api.get(`/v1/task/${second}`)).body.status).toBe('completed');
  });

  it('starts a concluding submission over when what was read of it went stale', async () => {
    await fixedConsensus('stale', 1, { idleSeconds: 60 });
    const db = t.platform.ctx.database.db;
    const effects = createDeliveryEffects(t.platform.ctx.queue, t.platform.ctx.now);
    const annotator = await worker('stale@example.test');
    /** Claims a task and reads its submission's context, as the direct path does. */
    const claimAndRead = async (text: string) => {
      const taskId = await task('stale', text);
      const held = await claim(annotator.api, { project: 'stale' });
      expect(await taskOf(held.body.assignment)).toBe(taskId);
      const id = held.body.assignment.id as string;
      const row = await assignmentRow(id);
      const scope = { organizationId: row.organization_id, livemode: row.livemode };
      const [read] = await findSubmissionContexts(db, scope, [{ id, workerId: annotator.id }], 1);
      const me = (await findWorker(db, scope, annotator.id))!;
      const submitWith = () =>
        inTransaction(db, (tx) =>
          submitAssignment(
            tx,
            {
              scope,
              worker: me,
              id,
              response: { category: 'cat' },
              idempotency: undefined,
              now: t.platform.ctx.now(),
            },
            effects,
            read,
          ),
        );
      return { id, taskId, submitWith };
    };

    // A heartbeat after the read: the active time counts it (50 s + 50 s, where the read alone,
    // its last sign of life 100 s back, would cap the gap at the 60 s idle limit).
    const beaten = await claimAndRead('beaten');
    clock += 50_000;
    expect((await annotator.api.post(`/api/v1/assignments/${beaten.id}/heartbeat`)).status).toBe(
      200,
    );
    clock += 50_000;
    const submitted = await beaten.submitWith();
    expect(submitted.assignment.status).toBe('submitted');
    expect(submitted.assignment.active_seconds).toBeCloseTo(100, 0);
    expect((await api.get(`/v1/task/${beaten.taskId}`)).body.status).toBe('completed');
    expect((await api.get(`/api/v1/tasks/${beaten.taskId}/answers`)).body.docs).toHaveLength(1);

    // Released after the read: nothing is written, and the refusal says why.
    const released = await claimAndRead('released');
    expect(
      (
        await annotator.api.post(`/api/v1/assignments/${released.id}/release`, {
          reason: 'unclear',
        })
      ).status,
    ).toBe(200);
    await expect(released.submitWith()).rejects.toThrow(/This assignment was released: unclear/);
    expect((await api.get(`/api/v1/tasks/${released.taskId}/answers`)).body.docs).toHaveLength(0);
    expect((await api.get(`/v1/task/${released.taskId}`)).body.status).toBe('pending');
  });

  it('reopens claims the queue lost, and only when nobody holds one', async () => {
    await fixedConsensus('lost', 3);
    const db = t.platform.ctx.database.db;
    const taskId = await task('lost', 'lost claims');
    const people = await workers('lost', 3);
    const slots = async () =>
      (
        await db
          .selectFrom('work_items')
          .select('open_slots')
          .where('task_id', '=', taskId)
          .where('stage', '=', 'attempt')
          .executeTakeFirstOrThrow()
      ).open_slots;
    /** What a lost claim leaves: the item drained, with no assignment to show for it. */
    const lose = () =>
      db.updateTable('work_items').set({ open_slots: 0 }).where('task_id', '=', taskId).execute();
    const reopen = () => inTransaction(db, (tx) => reopenLostClaims(tx));

    const first = await claim(people[0]!.api, { project: 'lost' });
    expect(
      (await submit(people[0]!.api, first.body.assignment.id, { category: 'cat' })).status,
    ).toBe(200);
    const second = await claim(people[1]!.api, { project: 'lost' });
    expect(await taskOf(second.body.assignment)).toBe(taskId);
    // Drained while someone holds a claim: that claim will answer or lapse, so nothing is owed.
    await lose();
    expect(await reopen()).toEqual([]);
    expect(await slots()).toBe(0);

    // Drained with nobody on it: the task is owed the answer it still lacks, and no more.
    expect(
      (await submit(people[1]!.api, second.body.assignment.id, { category: 'cat' })).status,
    ).toBe(200);
    await reopen();
    expect(await slots()).toBe(1);
    const third = await claim(people[2]!.api, { project: 'lost' });
    expect(await taskOf(third.body.assignment)).toBe(taskId);
    expect(
      (await submit(people[2]!.api, third.body.assignment.id, { category: 'dog' })).status,
    ).toBe(200);
    expect((await api.get(`/v1/task/${taskId}`)).body.status).toBe('completed');
    expect((await api.get(`/api/v1/tasks/${taskId}/answers`)).body.docs).toHaveLength(3);
    expect(await reopen()).toEqual([]);
  });

  it('claims for many annotators in one statement: items filled in queue order, one claim each', async () => {
    await fixedConsensus('together', 2);
    const db = t.platform.ctx.database.db;
    const tasks = [];
    for (const text of ['first', 'second', 'third', 'fourth'])
      tasks.push(await task('together', text));
    const people = await workers('tg', 6);
    const [a, b, c, d, e, outsider] = people as [Person, Person, Person, Person, Person, Person];
    // a joins by claiming (the first task) and answers it: one claim on it is left, not for a.
    const first = await claim(a.api, { project: 'together' });
    expect(await taskOf(first.body.assignment)).toBe(tasks[0]);
    expect((await submit(a.api, first.body.assignment.id, { category: 'cat' })).status).toBe(200);
    const row = await assignmentRow(first.body.assignment.id);
    const scope = { organizationId: row.organization_id, livemode: row.livemode };
    await makeActive(row, [b, c, d, e]);

    const now = t.platform.ctx.now();
    const asks = [a, b, c, d, e, outsider].map((person, i) => ({
      workerId: person.id,
      clearance: 0,
      assignmentId: `asg_together_${i}`,
      goldDraw: 0.5,
    }));
    const made = await claimAttemptsTogether(db, scope, {
      projectRef: 'together',
      asks,
      now,
      defaults: { maxOpenClaims: 5, leaseSeconds: 60 },
    });
    const dealt = (person: Person) =>
      made.find((outcome) => outcome.workerId === person.id)?.claimed?.task_id;
    // Turns in queue order: the first task's last claim (a's turn: passed over, a answered it),
    // then the second task's two claims, then the third's. The outsider is not a member.
    expect(made.find((outcome) => outcome.workerId === a.id)).toEqual({
      workerId: a.id,
      passedOver: true,
    });
    expect([dealt(b), dealt(c), dealt(d), dealt(e)]).toEqual([
      tasks[1],
      tasks[1],
      tasks[2],
      tasks[2],
    ]);
    expect(made.find((outcome) => outcome.workerId === outsider.id)).toBeUndefined();
    const claimed = made.flatMap((outcome) => (outcome.claimed ? [outcome.claimed] : []));
    expect(claimed.map((row) => row.id).sort()).toEqual([
      'asg_together_1',
      'asg_together_2',
      'asg_together_3',
      'asg_together_4',
    ]);
    for (const row of claimed) {
      expect(row.status).toBe('active');
      expect(row.project_name).toBe('together');
      expect(new Date(row.lease_expires_at).getTime() - now.getTime()).toBe(600_000);
    }
    const open = await db
      .selectFrom('work_items')
      .select(['task_id', 'open_slots'])
      .where('task_id', 'in', tasks)
      .execute();
    expect(Object.fromEntries(open.map((item) => [item.task_id, item.open_slots]))).toEqual({
      [tasks[0]!]: 1,
      [tasks[1]!]: 0,
      [tasks[2]!]: 0,
      [tasks[3]!]: 2,
    });

    // Through the API, a's claim is made alone past the task they answered.
    const next = await claim(a.api, { project: 'together' });
    expect(await taskOf(next.body.assignment)).toBe(tasks[3]);
  });

  it('gathers concurrent claims on a project into few statements, each worker once in each', async () => {
    await fixedConsensus('gathered', 2);
    const db = t.platform.ctx.database.db;
    const tasks = [];
    for (const text of ['one', 'two', 'three']) tasks.push(await task('gathered', text));
    const people = await workers('ga', 4);
    const scope = await membersOf('gathered', people);
    const rows = await Promise.all(people.map((person) => findWorker(db, scope, person.id)));
    const [a, b, c, d] = rows.map((row) => row!);
    const kept = new HeldClaims();
    const batches = new ClaimBatches(
      db,
      t.platform.ctx.now,
      (error) => {
        throw error;
      },
      kept,
    );
    // Claims asked in one turn go together, b's second claim (b is already in that statement) in
    // the next.
    const outcomes = await Promise.all(
      [a, b, b, c, d].map((person) => batches.claim(scope, person!, 'gathered', 0.5)),
    );
    expect(batches.made).toEqual({ runs: 2, items: 5 });
    const claims = outcomes.map((outcome) => ('claimed' in outcome ? outcome.claimed : undefined));
    expect(claims.every(Boolean)).toBe(true);
    // Each claim made is kept for its submission, for its worker only.
    expect(kept.size).toBe(5);
    expect(kept.take(scope, claims[0]!.id, b!.id)).toBeUndefined();
    expect(kept.take(scope, claims[0]!.id, a!.id)?.task_id).toBe(claims[0]!.task_id);
    expect(kept.take(scope, claims[0]!.id, a!.id)).toBeUndefined();
    const pairs = claims.map((row) => `${row!.worker_id} ${row!.task_id}`);
    expect(new Set(pairs).size).toBe(5);
    const perTask = new Map<string, number>();
    for (const row of claims) perTask.set(row!.task_id, (perTask.get(row!.task_id) ?? 0) + 1);
    expect(perTask).toEqual(
      new Map([
        [tasks[0]!, 2],
        [tasks[1]!, 2],
        [tasks[2]!, 1],
      ]),
    );
  });

  it('stores attempts that cannot conclude their tasks together, as many per task as stay under its minimum', async () => {
    await fixedConsensus('stored', 3);
    const db = t.platform.ctx.database.db;
    const first = await task('stored', 'first');
    const second = await task('stored', 'second');
    const people = await workers('st', 4);
    const held: AssignmentRow[] = [];
    for (const person of people) {
      const claimed = await claim(person.api, { project: 'stored' });
      expect(claimed.status).toBe(200);
      held.push(await assignmentRow(claimed.body.assignment.id));
    }
    expect(held.map((row) => row.task_id)).toEqual([first, first, first, second]);
    const scope = { organizationId: held[0]!.organization_id, livemode: held[0]!.livemode };
    // Read together, someone else's assignment is not found.
    const read = await findSubmissionContexts(
      db,
      scope,
      [
        { id: held[0]!.id, workerId: held[1]!.worker_id },
        { id: held[1]!.id, workerId: held[1]!.worker_id },
      ],
      1,
    );
    expect(read.map((row) => [row.id, row.type, row.answer_count])).toEqual([
      [held[1]!.id, 'categorization', 0],
    ]);
    // Its answer leaves the task short of its minimum: what deciding needs is not read.
    expect(read[0]!.decision).toBeUndefined();
    // 100 s on, the fourth worker's heartbeat counts them. 100 s later the statement counts
    // each attempt's active time from the assignment as it finds it: 100 s more for the fourth,
    // and for the others the 200 s since their claim, cut at the project's idle limit (120 s,
    // not the statement's default).
    clock += 100_000;
    expect((await people[3]!.api.post(`/api/v1/assignments/${held[3]!.id}/heartbeat`)).status).toBe(
      200,
    );
    clock += 100_000;
    const now = t.platform.ctx.now();
    const attempt = (row: AssignmentRow, category: string) => ({
      assignmentId: row.id,
      taskId: row.task_id,
      workerId: row.worker_id,
      answerId: `ans_${row.id}`,
      change: changeOf(category, now, 0),
    });
    const defaults = { consensus: { min: 1 }, idleSeconds: 150 };
    const stored = await submitAttemptsTogether(
      db,
      scope,
      [
        attempt(held[2]!, 'cat'),
        attempt(held[0]!, 'cat'),
        attempt(held[3]!, 'dog'),
        attempt(held[1]!, 'dog'),
      ],
      now,
      defaults,
    );
    // The first task takes two of its three attempts (its third would conclude it), in id order.
    const onFirst = held
      .slice(0, 3)
      .map((row) => row.id)
      .sort();
    expect(stored.map((row) => row.id).sort()).toEqual(
      [onFirst[0], onFirst[1], held[3]!.id].sort(),
    );
    for (const row of stored) {
      expect(row.status).toBe('submitted');
      expect(row.active_seconds).toBeCloseTo(row.id === held[3]!.id ? 200 : 120, 0);
    }
    const counts = await db
      .selectFrom('tasks')
      .select(['id', 'answer_count'])
      .where('id', 'in', [first, second])
      .execute();
    expect(Object.fromEntries(counts.map((row) => [row.id, row.answer_count]))).toEqual({
      [first]: 2,
      [second]: 1,
    });
    expect((await api.get(`/api/v1/tasks/${first}/answers`)).body.docs).toHaveLength(2);
    const left = held.find((row) => row.id === onFirst[2])!;
    expect((await assignmentRow(left.id)).status).toBe('active');

    // Someone else's assignment, or one already stored, is not stored again.
    const again = await submitAttemptsTogether(
      db,
      scope,
      [
        { ...attempt(held[3]!, 'cat'), assignmentId: left.id, answerId: 'ans_not_mine' },
        { ...attempt(held[3]!, 'cat'), answerId: 'ans_again' },
      ],
      now,
      defaults,
    );
    expect(again).toEqual([]);

    // The last attempt concludes the first task through the API.
    const person = people[held.indexOf(left)]!;
    expect((await submit(person.api, left.id, { category: 'cat' })).status).toBe(200);
    expect((await api.get(`/v1/task/${first}`)).body.status).toBe('completed');
    expect((await api.get(`/api/v1/tasks/${first}/answers`)).body.docs).toHaveLength(3);
  });

  it('stores the submission of a claim this process made without reading it back', async () => {
    await fixedConsensus('kept', 2);
    const db = t.platform.ctx.database.db;
    const taskId = await task('kept', 'one');
    const people = await workers('kp', 2);
    const scope = await membersOf('kept', people);
    const [a, b] = await Promise.all(people.map((person) => findWorker(db, scope, person.id)));
    const fail = (error: unknown) => {
      throw error;
    };
    const kept = new HeldClaims();
    const claims = new ClaimBatches(db, t.platform.ctx.now, fail, kept);
    const submissions = new SubmissionBatches(db, t.platform.ctx.now, fail);
    const effects = createDeliveryEffects(t.platform.ctx.queue, t.platform.ctx.now);
    const submitAs = (worker: NonNullable<typeof a>, id: string, response: unknown) =>
      submitDirectly(
        db,
        submissions,
        kept,
        { scope, worker, id, response, idempotency: undefined, now: t.platform.ctx.now() },
        effects,
      );
    const made = await Promise.all(
      [a!, b!].map((person) => claims.claim(scope, person, 'kept', 0.5)),
    );
    const [first, second] = made.map((outcome) => ('claimed' in outcome ? outcome.claimed : null));
    expect([first?.task_id, second?.task_id]).toEqual([taskId, taskId]);

    // A response that does not fit is refused as before, by the read's path.
    await expect(submitAs(a!, first!.id, { category: 'bird' })).rejects.toMatchObject({
      code: 'unprocessable',
    });
    expect(submissions.made.reads.runs).toBe(1);
    expect((await assignmentRow(first!.id)).status).toBe('active');

    // b's claim is kept: stored in one statement, nothing read.
    const stored = await submitAs(b!, second!.id, { category: 'dog' });
    expect('assignment' in stored && stored.assignment.status).toBe('submitted');
    expect('assignment' in stored && stored.task).toMatchObject({
      id: taskId,
      type: 'categorization',
    });
    expect(submissions.made.reads.runs).toBe(1);
    expect(submissions.made.stores.runs).toBe(1);

    // a's is no longer kept (its refusal took it): read, and as it concludes the task, decided.
    const concluded = await submitAs(a!, first!.id, { category: 'dog' });
    expect('assignment' in concluded && concluded.assignment.status).toBe('submitted');
    expect(submissions.made.reads.runs).toBe(2);
    expect((await api.get(`/v1/task/${taskId}`)).body.status).toBe('completed');
    expect(kept.size).toBe(0);
  });

  it("adds an attempt's answer as it submits it, reading again what a wait on the lock hid", async () => {
    await fixedConsensus('answered', 3);
    const db = t.platform.ctx.database.db;
    const id = await task('answered', 'one');
    const people = await workers('an', 3);
    const held: AssignmentRow[] = [];
    for (const person of people) {
      const claimed = await claim(person.api, { project: 'answered' });
      held.push(await assignmentRow(claimed.body.assignment.id));
    }
    const scope = { organizationId: held[0]!.organization_id, livemode: held[0]!.livemode };
    const now = t.platform.ctx.now();
    const attempt = (row: AssignmentRow, category: string, lastSeenAt = row.last_seen_at) => ({
      assignmentId: row.id,
      workerId: row.worker_id,
      taskId: row.task_id,
      lastSeenAt,
      answerId: `ans_${row.id}`,
      change: changeOf(category, now, 2),
      now,
    });
    // Not held as read (seen since): nothing is written.
    const stale = await submitAttemptAndAnswer(
      db,
      scope,
      attempt(held[0]!, 'cat', new Date(held[0]!.last_seen_at.getTime() - 1000)),
    );
    expect(stale).toEqual({ submitted: false });
    expect((await assignmentRow(held[0]!.id)).status).toBe('active');

    const first = await submitAttemptAndAnswer(db, scope, attempt(held[0]!, 'cat'));
    expect(first.answered!.task.answer_count).toBe(1);
    expect(first.answered!.answers.map((row) => [row.id, row.worker, row.response])).toEqual([
      [`ans_${held[0]!.id}`, held[0]!.worker_id, { category: 'cat' }],
    ]);
    expect(first.answered!.answers[0]!.created_at).toEqual(now);
    expect(first.answered!.settlements.map((row) => [row.id, row.stage, row.response])).toEqual([
      [held[0]!.id, 'attempt', { category: 'cat' }],
    ]);

    // Two attempts at once: the second waits on the first's lock on the task, then finds the
    // first's answer, which its statement's snapshot could not show, read again.
    const both = async () => {
      let second: ReturnType<typeof submitAttemptAndAnswer> | undefined;
      await db.transaction().execute(async (tx) => {
        await submitAttemptAndAnswer(tx, scope, attempt(held[1]!, 'dog'));
        if (backend !== 'postgres') return;
        second = submitAttemptAndAnswer(db, scope, attempt(held[2]!, 'cat'));
        for (let waiting = 0; waiting === 0;) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          waiting = await sql<{ n: number }>`
            select count(*)::int as n from pg_stat_activity
            where wait_event_type = 'Lock' and datname = current_database()
          `
            .execute(db)
            .then((result) => result.rows[0]!.n);
        }
      });
      return (await second) ?? (await submitAttemptAndAnswer(db, scope, attempt(held[2]!, 'cat')));
    };
    const last = await both();
    expect(last.answered!.task.answer_count).toBe(3);
    expect(last.answered!.answers.map((row) => row.worker).sort()).toEqual(
      held.map((row) => row.worker_id).sort(),
    );
    expect(last.answered!.settlements.map((row) => row.id).sort()).toEqual(
      held.map((row) => row.id).sort(),
    );

    // A task no longer taking answers: the attempt is marked submitted with no answer added,
    // for the caller to keep as late.
    const extra = await worker('an-extra@example.test');
    const late = await db
      .insertInto('assignments')
      .values({ ...held[0]!, id: 'asg_answered_late', worker_id: extra.id, response: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await db.updateTable('tasks').set({ consensus: '{}' }).where('id', '=', id).execute();
    expect(await submitAttemptAndAnswer(db, scope, attempt(late, 'cat'))).toEqual({
      submitted: true,
    });
    expect((await api.get(`/api/v1/tasks/${id}/answers`)).body.docs).toHaveLength(3);
  });

  it('concludes attempts in one statement, each only while its task is as read', async () => {
    await fixedConsensus('concluded', 2);
    const db = t.platform.ctx.database.db;
    const id = await task('concluded', 'one');
    const people = await workers('co', 2);
    const held: AssignmentRow[] = [];
    for (const person of people) {
      const claimed = await claim(person.api, { project: 'concluded' });
      held.push(await assignmentRow(claimed.body.assignment.id));
    }
    expect((await submit(people[0]!.api, held[0]!.id, { category: 'cat' })).status).toBe(200);
    const scope = { organizationId: held[0]!.organization_id, livemode: held[0]!.livemode };
    const [read] = await findSubmissionContexts(
      db,
      scope,
      [{ id: held[1]!.id, workerId: held[1]!.worker_id }],
      1,
    );
    expect(read!.decision!.answers.map((row) => [row.worker, row.response])).toEqual([
      [held[0]!.worker_id, { category: 'cat' }],
    ]);
    expect(read!.decision!.settlements.map((row) => row.id).sort()).toEqual(
      [held[0]!.id, held[1]!.id].sort(),
    );
    const now = t.platform.ctx.now();
    const pay = (row: AssignmentRow, base: number) => ({
      id: row.id,
      outcome: 'accepted',
      base,
      bonus: 1,
      currency: 'USD',
    });
    const conclusion = (changed: { answerCount?: number; lastSeenAt?: Date } = {}) => ({
      assignmentId: held[1]!.id,
      workerId: held[1]!.worker_id,
      taskId: id,
      lastSeenAt: changed.lastSeenAt ?? read!.last_seen_at,
      answerCount: changed.answerCount ?? read!.decision!.answers.length,
      change: changeOf('cat', now, 4, 'k-concluded'),
      answerId: 'ans_concluded',
      own: pay(held[1]!, 7),
      others: [pay(held[0]!, 5)],
      response: JSON.stringify({ category: 'cat' }),
      consensus: JSON.stringify({ method: 'mv', confidence: 1 }),
    });
    const conclude = (...conclusions: ReturnType<typeof conclusion>[]) =>
      concludeAttempts(db, scope, conclusions, now);
    const untouched = async () => {
      expect((await assignmentRow(held[1]!.id)).status).toBe('active');
      expect((await assignmentRow(held[0]!.id)).outcome).toBeNull();
      expect((await api.get(`/v1/task/${id}`)).body.status).toBe('pending');
      expect((await api.get(`/api/v1/tasks/${id}/answers`)).body.docs).toHaveLength(1);
    };
    // An answer the read did not see, or an assignment seen since: nothing is written.
    expect(await conclude(conclusion({ answerCount: 0 }))).toEqual([]);
    await untouched();
    const earlier = new Date(read!.last_seen_at.getTime() - 1000);
    expect(await conclude(conclusion({ lastSeenAt: earlier }))).toEqual([]);
    await untouched();

    // Two tasks in one statement: the one still as read is concluded, the other left alone.
    const other = await task('concluded', 'two');
    const second = await assignmentRow(
      (await claim(people[0]!.api, { project: 'concluded' })).body.assignment.id,
    );
    expect(second.task_id).toBe(other);
    const stale = {
      ...conclusion(),
      assignmentId: second.id,
      workerId: second.worker_id,
      taskId: other,
      lastSeenAt: second.last_seen_at,
      answerCount: 1,
      answerId: 'ans_stale',
      own: pay(second, 3),
      others: [],
    };
    const written = await conclude(stale, conclusion());
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      id: held[1]!.id,
      status: 'submitted',
      outcome: 'accepted',
      pay_base: 7,
      idempotency_key: 'k-concluded',
      idempotency_fingerprint: 'fingerprint of cat',
      active_seconds: 4,
    });
    expect((await assignmentRow(second.id)).status).toBe('active');
    expect((await api.get(`/v1/task/${other}`)).body.status).toBe('pending');
    expect(await assignmentRow(held[0]!.id)).toMatchObject({ outcome: 'accepted', pay_base: 5 });
    const done = await db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'completed', answer_count: 2 });
    expect(done.response).toEqual({ category: 'cat' });
    expect(done.consensus).toEqual({ method: 'mv', confidence: 1 });
    const queued = await db
      .selectFrom('work_items')
      .select('task_id')
      .where('task_id', 'in', [id, other])
      .execute();
    expect(queued).toEqual([{ task_id: other }]);
    expect((await api.get(`/api/v1/tasks/${id}/answers`)).body.docs).toHaveLength(2);
    // Concluded, it takes no more.
    expect(await conclude(conclusion())).toEqual([]);
  });

  it('concludes directly with a method that learns its annotators, from their other answers too', async () => {
    await project('learned', { consensus: { min: 2, max: 2 }, leaseSeconds: 600 });
    const db = t.platform.ctx.database.db;
    const people = await workers('le', 2);
    const ids = [await task('learned', 'first'), await task('learned', 'second')];
    for (const id of ids)
      for (const person of people) {
        const claimed = await claim(person.api, { project: 'learned' });
        expect(await taskOf(claimed.body.assignment)).toBe(id);
        const answer = { category: 'cat' };
        expect((await submit(person.api, claimed.body.assignment.id, answer)).status).toBe(200);
      }
    for (const id of ids) {
      const done = (await api.get(`/v1/task/${id}`)).body;
      expect(done.status).toBe('completed');
      expect(done.response).toEqual({ category: 'cat' });
    }
    // The answers a concluding attempt's consensus learns from: those of the annotators who
    // answered the task and, before its answer is stored, its own annotator's.
    const third = await task('learned', 'third');
    const row = await assignmentRow(
      (await claim(people[0]!.api, { project: 'learned' })).body.assignment.id,
    );
    const scope = { organizationId: row.organization_id, livemode: row.livemode };
    expect(await listAnswersAround(db, scope, row.project_id, third, 10)).toEqual([]);
    const around = await listAnswersAround(db, scope, row.project_id, third, 10, row.worker_id);
    expect([...new Set(around.map((answer) => answer.task_id))].sort()).toEqual([...ids].sort());
  });

  it('skips with a reason: the task goes to someone else, never back to the skipper', async () => {
    await project('skips', { aggregation: { method: 'mv' } });
    const id = await task('skips', 'unclear');
    const [a, b] = await Promise.all(['skipper', 'taker'].map((n) => worker(`${n}@example.test`)));
    const first = await claim(a!.api, { project: 'skips' });
    const released = await a!.api.post(`/api/v1/assignments/${first.body.assignment.id}/release`, {
      reason: 'image does not load',
    });
    expect(released.status).toBe(200);
    expect(released.body.assignment.status).toBe('released');
    const blank = await a!.api.post(`/api/v1/assignments/${first.body.assignment.id}/release`, {
      reason: ' ',
    });
    expect(blank.status).toBe(400);
    expect((await claim(a!.api, { project: 'skips' })).status).toBe(204);
    expect(await taskOf((await claim(b!.api, { project: 'skips' })).body.assignment)).toBe(id);
    // Operators read why tasks are skipped; annotators may not.
    const skips = await api.get('/api/v1/projects/skips/releases');
    expect(skips.status).toBe(200);
    expect(skips.body).toEqual({
      docs: [
        {
          assignment: first.body.assignment.id,
          task: id,
          worker: a!.id,
          email: 'skipper@example.test',
          name: 'skipper',
          stage: 'attempt',
          reason: 'image does not load',
          releasedAt: expect.any(String),
        },
      ],
      next: null,
    });
    expect((await a!.api.get('/api/v1/projects/skips/releases')).status).toBe(403);
  });

  it('serves higher-priority batches first, then earlier deadlines, then older tasks', async () => {
    await project('ordered', { aggregation: { method: 'mv' }, maxOpenClaims: 10 });
    await api.post('/v1/batches', { project: 'ordered', name: 'low' });
    await api.post('/v1/batches', { project: 'ordered', name: 'high' });
    await api.post('/v1/batches', { project: 'ordered', name: 'soon' });
    const old = await task('ordered', 'old', { batch: 'low' });
    const urgent = await task('ordered', 'urgent', { batch: 'high' });
    const due = await task('ordered', 'due', { batch: 'soon' });
    expect((await patch('/api/v1/batches/high/queue', { priority: 5 })).status).toBe(200);
    const deadline = await patch('/api/v1/batches/soon/queue', {
      deadline: '2030-01-01T00:00:00Z',
    });
    expect(deadline.body.deadline).toBe('2030-01-01T00:00:00.000Z');
    const person = await worker('orderly@example.test');
    const order = [];
    for (let i = 0; i < 3; i++)
      order.push(await taskOf((await claim(person.api, { project: 'ordered' })).body.assignment));
    expect(order).toEqual([urgent, due, old]);
    const report = await api.get('/api/v1/batches/high/workforce');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      batch: 'high',
      tasks: { total: 1, pending: 1 },
      assignments: { active: 1 },
    });
  });

  it("reports a batch's cost in each currency it was paid in, and its pace as of now", async () => {
    await fixedConsensus('priced', 1, { pay: { currency: 'EUR', attempt: 100 } });
    await api.post('/v1/batches', { project: 'priced', name: 'pricedbatch' });
    for (const text of ['one', 'two', 'three'])
      await task('priced', text, { batch: 'pricedbatch' });
    const person = await worker('priced@example.test');
    const work = async () => {
      const claimed = await claim(person.api, { project: 'priced' });
      const submitted = await submit(person.api, claimed.body.assignment.id, { category: 'cat' });
      expect(submitted.status).toBe(200);
    };
    await work();
    await patch('/api/v1/projects/priced/settings', { pay: { currency: 'USD', attempt: 50 } });
    await work();
    const report = async () => (await api.get('/api/v1/batches/pricedbatch/workforce')).body;
    const paced = await report();
    expect(paced).toMatchObject({
      tasks: { pending: 1 },
      cost: { currency: 'USD', base: 50, bonus: 0 },
      costs: [
        { currency: 'EUR', base: 100, bonus: 0 },
        { currency: 'USD', base: 50, bonus: 0 },
      ],
      throughputPerHour: 2,
    });
    expect(Date.parse(paced.eta) - t.platform.ctx.now().getTime()).toBeGreaterThan(25 * 60_000);
    // The worker's own view: the project's currency, each currency apart, their own rate.
    await patch(`/api/v1/projects/priced/workers/${person.id}`, { payRate: 75 });
    const earnings = (await person.api.get('/api/v1/me/earnings')).body.projects.find(
      (row: { project: string }) => row.project === 'priced',
    );
    expect(earnings).toMatchObject({
      currency: 'USD',
      base: 50,
      earned: 50,
      paid: [
        { currency: 'EUR', base: 100, bonus: 0 },
        { currency: 'USD', base: 50, bonus: 0 },
      ],
      rates: { attempt: 75, currency: 'USD' },
    });
    expect(Number.isInteger(earnings.hourlyRate)).toBe(true);
    // Two hours on with nothing done: no pace, so no ETA.
    clock += 2 * 3600_000;
    expect(await report()).toMatchObject({ throughputPerHour: 0, eta: null });
  });

  it('routes by clearance, skills and language, saying why', async () => {
    await project('secret', {
      clearance: 2,
      requirements: { skills: { medical: 3 }, languages: ['de'] },
    });
    await task('secret', 'classified');
    const plain = await worker('plain@example.test');
    const refused = await claim(plain.api, { project: 'secret' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/clearance 2/);
    const cleared = await worker('cleared@example.test', {
      clearance: 3,
      skills: { medical: 3 },
      languages: ['en'],
    });
    expect((await claim(cleared.api, { project: 'secret' })).body.error).toMatch(/languages de/);
    const fit = await worker('fit@example.test', {
      clearance: 2,
      skills: { Medical: 4 },
      languages: ['de'],
    });
    // Skill names match regardless of case.
    expect((await claim(fit.api, { project: 'secret' })).status).toBe(200);
  });

  it('qualifies annotators on evaluation tasks and refuses those who fail, saying why', async () => {
    await project('qualified', {
      gold: { qualifyCount: 2, qualifyThreshold: 0.8 },
      aggregation: { method: 'mv' },
    });
    await gold('evaluation_tasks', 'qualified', 'cat');
    await gold('evaluation_tasks', 'qualified', 'dog');
    await gold('evaluation_tasks', 'qualified', 'cat');
    const work = await task('qualified', 'real work');
    const good = await worker('good@example.test');
    const bad = await worker('bad@example.test');
    for (const person of [good, bad]) {
      for (let i = 0; i < 2; i++) {
        const claimed = await claim(person.api, { project: 'qualified' });
        expect(claimed.body.assignment.stage).toBe('evaluation');
        const text = claimed.body.assignment.task.attachments[0].content as string;
        const right = text.endsWith('cat') ? 'cat' : 'dog';
        const answer = person === good ? right : right === 'cat' ? 'dog' : 'cat';
        const submitted = await submit(person.api, claimed.body.assignment.id, {
          category: answer,
        });
        expect(submitted.status).toBe(200);
        expect(submitted.body).not.toHaveProperty('feedback');
      }
    }
    expect(await taskOf((await claim(good.api, { project: 'qualified' })).body.assignment)).toBe(
      work,
    );
    const refused = await claim(bad.api, { project: 'qualified' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/did not qualify.*mean score 0\.00 on 2 evaluation tasks/);
    const members = await api.get('/api/v1/projects/qualified/workers');
    expect(members.body.docs.find((m: { worker: string }) => m.worker === bad.id)).toMatchObject({
      status: 'unqualified',
      qualification: { answers: 2, meanScore: 0 },
    });
  });

  it('finishes training and qualification only by submitting them: what is given back returns', async () => {
    await project('drilled', {
      gold: { qualifyCount: 2, qualifyThreshold: 0.5 },
      aggregation: { method: 'mv' },
    });
    const lessons = [
      await gold('training_tasks', 'drilled', 'cat'),
      await gold('training_tasks', 'drilled', 'dog'),
    ];
    await gold('evaluation_tasks', 'drilled', 'cat');
    await gold('evaluation_tasks', 'drilled', 'dog');
    const work = await task('drilled', 'real work');
    const pupil = await worker('pupil@example.test');
    const next = async () => (await claim(pupil.api, { project: 'drilled' })).body.assignment;
    const release = (id: string) =>
      pupil.api.post(`/api/v1/assignments/${id}/release`, { reason: 'later' });

    // Two lessons held at once (a web app fetching ahead): answering one does not finish training.
    const first = await next();
    expect(first).toMatchObject({
      stage: 'training',
      task: { id: shownTaskId(lessons[0]!, pupil.id) },
    });
    const ahead = await next();
    expect(ahead).toMatchObject({
      stage: 'training',
      task: { id: shownTaskId(lessons[1]!, pupil.id) },
    });
    expect((await submit(pupil.api, first.id, { category: 'cat' })).status).toBe(200);
    expect((await claim(pupil.api, { project: 'drilled' })).status).toBe(204);
    // Given back, the lesson comes again on its own assignment; answering it finishes training.
    expect((await release(ahead.id)).status).toBe(200);
    const again = await next();
    // The same task shows the same name each time.
    expect(again).toMatchObject({
      id: ahead.id,
      stage: 'training',
      status: 'active',
      task: { id: ahead.task.id },
    });
    expect((await submit(pupil.api, again.id, { category: 'dog' })).status).toBe(200);

    // Qualification: an evaluation task given back comes back, so the worker is never stranded.
    const evaluation = await next();
    expect(evaluation.stage).toBe('evaluation');
    expect((await release(evaluation.id)).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const claimed = await next();
      expect(claimed.stage).toBe('evaluation');
      const text = claimed.task.attachments[0].content as string;
      const right = text.endsWith('cat') ? 'cat' : 'dog';
      expect((await submit(pupil.api, claimed.id, { category: right })).status).toBe(200);
    }
    expect(await taskOf(await next())).toBe(work);
  });

  it('mixes gold into work unseen, pauses annotators who fail it and retrains them', async () => {
    await project('checked', { gold: { rate: 1, pauseBelow: 0.7 }, aggregation: { method: 'mv' } });
    for (let i = 0; i < 4; i++) await gold('evaluation_tasks', 'checked', 'cat');
    const careless = await worker('careless@example.test');
    // No real work, no gold: served alone, it would give itself away.
    expect((await claim(careless.api, { project: 'checked' })).status).toBe(204);
    await task('checked', 'real');
    const first = await claim(careless.api, { project: 'checked' });
    expect(first.body.assignment.stage).toBe('attempt');
    // Submitting and claiming the next in one request: the claim comes back as an attempt.
    const chained = await careless.api.post(
      `/api/v1/assignments/${first.body.assignment.id}/submit`,
      { response: { category: 'dog' }, next: { project: 'checked' } },
    );
    expect(chained.status).toBe(200);
    const second = chained.body.next.assignment;
    expect(second.stage).toBe('attempt');
    // The failed gold pauses the annotator: the next claim is refused saying why.
    const refused = await careless.api.post(`/api/v1/assignments/${second.id}/submit`, {
      response: { category: 'dog' },
      next: { project: 'checked' },
    });
    expect(refused.status).toBe(200);
    expect(refused.body.next).toMatchObject({
      assignment: null,
      refused: { status_code: 403, code: 'forbidden' },
    });
    expect(refused.body.next.refused.error).toMatch(/paused/);
    const paused = await claim(careless.api, { project: 'checked' });
    expect(paused.status).toBe(403);
    expect(paused.body.error).toMatch(/paused.*gold accuracy 0\.25 over 2 answers is below 0\.7/);
    expect(paused.body.error).toMatch(/no training left for you: ask a manager/);

    // Back to training: the expected answer and the score come back after submitting.
    await gold('training_tasks', 'checked', 'dog');
    const training = await claim(careless.api, { project: 'checked', stage: 'training' });
    expect(training.body.assignment.stage).toBe('training');
    const feedback = await submit(careless.api, training.body.assignment.id, { category: 'cat' });
    expect(feedback.body.feedback).toEqual({ score: 0, expected: { category: 'dog' } });
    // Training done: the annotator works again (no qualification required on this project).
    expect((await claim(careless.api, { project: 'checked' })).status).toBe(200);

    // A manager can pause, reinstate and remove.
    expect(
      (
        await patch(`/api/v1/projects/checked/workers/${careless.id}`, {
          status: 'removed',
          reason: 'spam',
        })
      ).status,
    ).toBe(200);
    const removed = await claim(careless.api, { project: 'checked' });
    expect(removed.status).toBe(403);
    expect(removed.body.error).toMatch(/removed from project "checked": spam/);
  });

  it('gives back the claims of a worker who is paused or removed, and says why to them', async () => {
    await fixedConsensus('handback', 1, { maxOpenClaims: 2 });
    for (const text of ['one', 'two', 'three']) await task('handback', text);
    const [held, other, leaving] = await workers('handback', 3);
    const claims = [
      (await claim(held!.api, { project: 'handback' })).body.assignment.id,
      (await claim(held!.api, { project: 'handback' })).body.assignment.id,
    ];
    expect((await claim(held!.api, { project: 'handback' })).status).toBe(409);
    const stranded = (await claim(leaving!.api, { project: 'handback' })).body.assignment.id;

    // Paused on the project: the claims go back at once; the refusal is the pause, not the cap.
    const pause = await patch(`/api/v1/projects/handback/workers/${held!.id}`, {
      status: 'paused',
      reason: 'checking',
    });
    expect(pause.status).toBe(200);
    for (const id of claims)
      expect(await assignmentRow(id)).toMatchObject({
        status: 'released',
        release_reason: 'the worker was set to paused on this project (checking)',
      });
    const refused = await claim(held!.api, { project: 'handback' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/paused on project "handback": checking/);
    const late = await submit(held!.api, claims[0]!, { category: 'cat' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatch(/released: the worker was set to paused/);
    // Operators see what the pause gave back, a page at a time.
    const page = await api.get('/api/v1/projects/handback/releases?limit=1');
    expect(page.body.docs).toMatchObject([
      { worker: held!.id, reason: 'the worker was set to paused on this project (checking)' },
    ]);
    expect(page.body.next).toBe(page.body.docs[0].assignment);
    const rest = await api.get(`/api/v1/projects/handback/releases?after=${page.body.next}`);
    const listed = [page.body.docs[0], ...rest.body.docs].map(
      (doc: { assignment: string }) => doc.assignment,
    );
    expect(listed.sort()).toEqual([...claims].sort());
    expect(rest.body.docs).toHaveLength(1);
    const unknown = await api.get(`/api/v1/projects/handback/releases?after=${stranded}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('after');
    const taken = [
      await taskOf((await claim(other!.api, { project: 'handback' })).body.assignment),
      await taskOf((await claim(other!.api, { project: 'handback' })).body.assignment),
    ];
    expect(new Set(taken).size).toBe(2);

    // A training claim stays with a paused worker; pausing again leaves it.
    await gold('training_tasks', 'handback', 'dog');
    const training = await claim(held!.api, { project: 'handback', stage: 'training' });
    expect(training.body.assignment.stage).toBe('training');
    await patch(`/api/v1/projects/handback/workers/${held!.id}`, { status: 'paused' });
    expect((await assignmentRow(training.body.assignment.id)).status).toBe('active');

    // Removed from the organization: everything they held goes back.
    expect((await patch(`/api/v1/workers/${leaving!.id}`, { status: 'removed' })).status).toBe(200);
    expect(await assignmentRow(stranded)).toMatchObject({
      status: 'released',
      release_reason: 'the worker was removed from the organization',
    });
    const reclaimed = await claim(held!.api, { project: 'handback' });
    expect(reclaimed.status).toBe(403);
    await patch(`/api/v1/projects/handback/workers/${held!.id}`, { status: 'active' });
    const freed = await claim(held!.api, { project: 'handback' });
    expect(freed.status).toBe(200);
  });

  it('reviews: a reviewer sees the attempts and the consensus, corrects, and an auditor checks', async () => {
    await project('reviewed', {
      review: { stage: true, auditRate: 1 },
      aggregation: { method: 'mv' },
      pay: { attempt: 10, review: 3, audit: 2 },
    });
    const id = await task('reviewed', 'ambiguous');
    const annotator = await worker('attempter@example.test', { roles: ['reviewer'] });
    const reviewer = await worker('reviewer@example.test', { roles: ['reviewer'] });
    const auditor = await worker('auditor@example.test', { roles: ['manager'] });
    const attempt = await claim(annotator.api, { project: 'reviewed' });
    expect(attempt.body.assignment.stage).toBe('attempt');
    await submit(annotator.api, attempt.body.assignment.id, { category: 'dog' });
    const attempted = t.platform.ctx.now().toISOString();
    // Nobody reviews their own work.
    expect((await claim(annotator.api, { project: 'reviewed' })).status).toBe(204);
    // A reviewer gets the review before the project's open attempts.
    await task('reviewed', 'still to label');
    const review = await claim(reviewer.api, { project: 'reviewed' });
    expect(review.body.assignment.stage).toBe('review');
    expect(review.body.assignment.review.consensus.response).toEqual({ category: 'dog' });
    expect(review.body.assignment.review.attempts).toEqual([
      {
        assignment: attempt.body.assignment.id,
        worker: annotator.id,
        response: { category: 'dog' },
      },
    ]);
    await submit(reviewer.api, review.body.assignment.id, { category: 'cat' });
    expect((await api.get(`/v1/task/${id}`)).body.status).toBe('pending');
    const audit = await claim(auditor.api, { project: 'reviewed' });
    expect(audit.body.assignment.stage).toBe('audit');
    expect(audit.body.assignment.review.review).toEqual({ category: 'cat' });
    await submit(auditor.api, audit.body.assignment.id, { category: 'cat' });
    const done = await api.get(`/v1/task/${id}`);
    expect(done.body.status).toBe('completed');
    expect(done.body.response).toEqual({ category: 'cat' });
    const pay = async (p: { api: Client }) =>
      (await p.api.get('/api/v1/me/earnings')).body.projects.find(
        (row: { project: string }) => row.project === 'reviewed',
      );
    expect(await pay(annotator)).toMatchObject({ rejected: 1, earned: 0 });
    expect(await pay(reviewer)).toMatchObject({ accepted: 1, earned: 3 });
    expect(await pay(auditor)).toMatchObject({ earned: 2 });

    const csv = await api.get('/api/v1/payouts.csv?project=reviewed');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe(
      'worker_id,email,name,pool,currency,assignments,accepted,rejected,active_hours,base,bonus,total',
    );
    expect(
      lines.some((line) =>
        line.startsWith(`${reviewer.id},reviewer@example.test,reviewer,internal,USD,1,1,0,`),
      ),
    ).toBe(true);
    // The attempt's pay was settled when the task concluded, after the review: a window is of
    // settlements, so an export run before then is not changed by it.
    const window = async (query: string) =>
      ((await api.get(`/api/v1/payouts.csv?project=reviewed&${query}`)).body as string)
        .trim()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(',')[0]);
    expect(await window(`to=${attempted}`)).toEqual([]);
    expect(await window(`from=${attempted}`)).toContain(annotator.id);
  });

  it('never lets a spreadsheet run a name as a formula', async () => {
    const sly = await api.post('/api/v1/workers', {
      email: 'sly@example.test',
      name: '=HYPERLINK("http://evil.test","x")',
      roles: ['annotator'],
    });
    await project('formulas', { aggregation: { method: 'mv' }, pay: { attempt: 1 } });
    await task('formulas', 'x');
    const as = client(t.url, sly.body.token);
    const claimed = await claim(as, { project: 'formulas' });
    await submit(as, claimed.body.assignment.id, { category: 'cat' });
    const csv = (await api.get('/api/v1/payouts.csv?project=formulas')).body as string;
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
  });

  it('tells only someone with the password that their email is in several organizations', async () => {
    const twin = await t.testDatabase.database.db
      .transaction()
      .execute((tx) => createOrganization(tx, 'twin-work'));
    const twinApi = client(t.url, twin.key);
    const enrol = (as: Client, email: string, password: string) =>
      as.post('/api/v1/workers', { email, name: 'Twin', roles: ['annotator'], password });
    expect((await enrol(api, 'twin@example.test', 'first password!')).status).toBe(201);
    expect((await enrol(twinApi, 'twin@example.test', 'second password')).status).toBe(201);
    expect((await enrol(api, 'same@example.test', 'shared password')).status).toBe(201);
    expect((await enrol(twinApi, 'same@example.test', 'shared password')).status).toBe(201);
    const signIn = (body: Record<string, string>) =>
      fetch(`${t.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // A wrong password is just wrong; each right one opens its own organization.
    expect((await signIn({ email: 'twin@example.test', password: 'guessing now' })).status).toBe(
      401,
    );
    expect((await signIn({ email: 'twin@example.test', password: 'first password!' })).status).toBe(
      200,
    );
    expect((await signIn({ email: 'twin@example.test', password: 'second password' })).status).toBe(
      200,
    );
    // The same password in both: the organization must be named.
    const ambiguous = await signIn({ email: 'same@example.test', password: 'shared password' });
    expect(ambiguous.status).toBe(400);
    expect(((await ambiguous.json()) as { field: string }).field).toBe('organization');
    const named = await signIn({
      email: 'same@example.test',
      password: 'shared password',
      organization: 'twin-work',
    });
    expect(named.status).toBe(200);
  });

  it('signs annotators in with a password into an HttpOnly session, and out', async () => {
    await worker('signer@example.test', { password: 'correct horse battery' });
    const wrong = await fetch(`${t.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'signer@example.test', password: 'wrong password!' }),
    });
    expect(wrong.status).toBe(401);
    const signed = await fetch(`${t.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'Signer@example.test', password: 'correct horse battery' }),
    });
    expect(signed.status).toBe(200);
    const cookie = signed.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    const me = await fetch(`${t.url}/api/v1/me`, { headers: { cookie: session } });
    expect(((await me.json()) as { email: string }).email).toBe('signer@example.test');
    const forged = await fetch(`${t.url}/api/v1/sessions/current`, {
      method: 'DELETE',
      headers: { cookie: session },
    });
    expect(forged.status).toBe(403);
    const { csrfToken } = (await signed.json()) as { csrfToken: string };
    const out = await fetch(`${t.url}/api/v1/sessions/current`, {
      method: 'DELETE',
      headers: { cookie: session, 'x-csrf-token': csrfToken },
    });
    expect(out.status).toBe(204);
    expect((await fetch(`${t.url}/api/v1/me`, { headers: { cookie: session } })).status).toBe(401);
  });

  it('refuses removed workers and keeps other organizations out', async () => {
    const leaving = await worker('leaving@example.test');
    // Known to the server first, so the removal must reach a credential it has already checked.
    expect((await leaving.api.get('/api/v1/me')).status).toBe(200);
    expect((await patch(`/api/v1/workers/${leaving.id}`, { status: 'removed' })).status).toBe(200);
    const refused = await claim(leaving.api, {});
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/removed/);

    const acme = await t.testDatabase.database.db
      .transaction()
      .execute((tx) => createOrganization(tx, 'acme-work'));
    const acmeApi = client(t.url, acme.key);
    const outsider = await acmeApi.post('/api/v1/workers', {
      email: 'out@acme.test',
      name: 'Out',
      roles: ['annotator'],
    });
    const as = client(t.url, outsider.body.token);
    expect((await claim(as, { project: 'votes' })).status).toBe(404);
    expect((await claim(as, {})).status).toBe(204);
    expect((await acmeApi.get(`/api/v1/workers/${leaving.id}`)).status).toBe(404);
  });

  it('documents the workforce contract in /openapi.json', async () => {
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>
      >;
    };
    for (const path of [
      '/api/v1/workers',
      CLAIM_PATH,
      '/api/v1/assignments/{id}/heartbeat',
      '/api/v1/assignments/{id}/submit',
      '/api/v1/assignments/{id}/release',
      '/api/v1/me/earnings',
      '/api/v1/payouts.csv',
      '/api/v1/batches/{batch}/workforce',
      '/api/v1/projects/{project}/workers/{worker}',
    ])
      expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths[CLAIM_PATH]!.post!.responses).toHaveProperty('204');
    const settings = JSON.stringify(doc.paths['/api/v1/projects/{project}/settings']!.patch);
    for (const knob of [
      'auditRate',
      'qualifyCount',
      'pauseBelow',
      'leaseSeconds',
      'maxOpenClaims',
      'clearance',
    ])
      expect(settings).toContain(knob);
  });
});
