import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuorumClient, QuorumError } from '@quorum/sdk';
import { BACKENDS, startTestPlatform, type TestPlatform } from '../packages/server/test/harness';

describe.each(BACKENDS)('the TypeScript SDK against the server on %s', (backend) => {
  let t: TestPlatform;
  let sdk: QuorumClient;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    sdk = new QuorumClient({ url: t.url, apiKey: t.key });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs the annotator loop: settings, a worker, claim, heartbeat, submit, earnings', async () => {
    await sdk.createProject({
      type: 'categorization',
      name: 'sdk-work',
      params: { categories: ['yes', 'no'] },
    });
    const settings = await sdk.changeProjectSettings('sdk-work', {
      pay: { attempt: 25 },
      aggregation: { method: 'mv' },
    });
    expect(settings.pay.attempt).toBe(25);
    const worker = await sdk.createWorker({
      email: 'sdk-worker@example.test',
      name: 'SDK worker',
      roles: ['annotator'],
    });
    const annotator = new QuorumClient({ url: t.url, apiKey: worker.token });
    expect(await annotator.claim({ project: 'sdk-work' })).toBeUndefined();
    // Tasks of a staging batch wait for its finalization.
    await sdk.createBatch({ project: 'sdk-work', name: 'sdk-work-1', staging: true });
    const task = await sdk.createTask('categorization', {
      batch: 'sdk-work-1',
      attachment: 'hello',
    });
    expect(await annotator.claim({ project: 'sdk-work' })).toBeUndefined();
    await sdk.finalizeBatch('sdk-work-1');
    const assignment = (await annotator.claim({ project: 'sdk-work' }))!;
    // The annotator sees their own name for the task; an operator can follow it to the task.
    const followed = await sdk.work.assignment(assignment.id);
    expect(followed.task.id).toBe(task.task_id);
    expect(followed.shownTaskId).toBe(assignment.task.id);
    expect(assignment.task.id).not.toBe(task.task_id);
    expect((await annotator.heartbeat(assignment.id)).activeSeconds).toBeGreaterThanOrEqual(0);
    const submitted = await annotator.submit(assignment.id, { category: 'yes' }, 'sdk-key');
    expect(submitted.assignment.status).toBe('submitted');
    // A retry under the same key is answered, not refused.
    expect(
      (await annotator.submit(assignment.id, { category: 'yes' }, 'sdk-key')).assignment.id,
    ).toBe(assignment.id);
    await expect(annotator.submit(assignment.id, { category: 'yes' })).rejects.toMatchObject({
      status: 409,
    });
    expect((await sdk.getTask(task.task_id)).status).toBe('completed');
    expect((await annotator.earnings()).projects[0]).toMatchObject({
      project: 'sdk-work',
      earned: 25,
    });
  });

  it('creates a project, a batch and tasks, and reads them back typed', async () => {
    const project = await sdk.createProject({
      type: 'categorization',
      name: 'sdk',
      params: { categories: ['yes', 'no'] },
    });
    expect(project.param_history[0]?.version).toBe(0);
    const batch = await sdk.createBatch({ project: 'sdk', name: 'sdk-1', staging: true });
    expect(batch.status).toBe('staging');
    const task = await sdk.createTask('categorization', {
      batch: 'sdk-1',
      attachment: 'hi',
      unique_id: 'sdk-a',
    });
    expect(task.status).toBe('pending');
    expect((await sdk.getTask(task.task_id)).params.categories).toEqual(['yes', 'no']);
    expect((await sdk.finalizeBatch('sdk-1')).status).toBe('in_progress');
    await sdk.completeTask(task.task_id, { category: 'yes' });
    expect(await sdk.batchStatus('sdk-1')).toEqual({
      status: 'completed',
      pending: 0,
      completed: 1,
      canceled: 0,
      error: 0,
    });
  });

  it('returns the existing task when a create with a unique_id is replayed', async () => {
    const first = await sdk.createTask('categorization', {
      project: 'sdk',
      attachment: 'x',
      unique_id: 'replayed',
    });
    const again = await sdk.createTask('categorization', {
      project: 'sdk',
      attachment: 'x',
      unique_id: 'replayed',
    });
    expect(again.task_id).toBe(first.task_id);
  });

  it('iterates every page of tasks and bulk-creates from objects', async () => {
    const created = await sdk.bulkCreateTasks(
      Array.from({ length: 7 }, (_, i) => ({ project: 'sdk', attachment: `t${i}` })),
      { type: 'categorization' },
    );
    expect(created.created).toBe(7);
    const seen: string[] = [];
    const pages = sdk.tasks({ project: 'sdk', limit: 3 });
    for await (const task of pages) seen.push(task.task_id);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
  });

  it('raises QuorumError with the status, code and field', async () => {
    const error = await sdk
      .createTask('categorization', { project: 'sdk', attachment: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuorumError);
    expect(error).toMatchObject({ status: 400, code: 'invalid', field: 'attachment' });
    await expect(sdk.getTask('000000000000000000000000')).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  it('manages keys', async () => {
    const created = await sdk.createKey({ name: 'from sdk', environment: 'test' });
    expect(created.key.startsWith('test_')).toBe(true);
    expect((await sdk.listKeys()).docs.some((k) => k.id === created.id)).toBe(true);
    expect((await sdk.revokeKey(created.id)).revoked_at).not.toBeNull();
  });
});
