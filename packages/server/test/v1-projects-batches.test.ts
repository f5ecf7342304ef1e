import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

const categorization = (extra: Record<string, unknown> = {}) => ({
  attachment: 'The parcel came two days late.',
  attachment_type: 'text',
  categories: ['positive', 'negative'],
  ...extra,
});

describe.each(BACKENDS)('v1 projects and batches on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    api = client(t.url, t.key);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a project the way Scale’s client sends it and reads it back by name', async () => {
    const created = await api.post('/v1/projects', {
      type: 'categorization',
      name: 'reviews',
      params: { instruction: 'Is the review positive?' },
      rapid: false,
      studio: false,
      datasetId: null,
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: 'reviews', type: 'categorization' });
    expect(created.body.param_history).toHaveLength(1);
    expect(created.body.param_history[0]).toMatchObject({
      version: 0,
      instruction: 'Is the review positive?',
    });
    const fetched = await api.get('/v1/projects/reviews');
    expect(fetched.body).toEqual(created.body);
    const listed = await api.get('/v1/projects');
    expect(Array.isArray(listed.body)).toBe(true);
    expect(listed.body.map((p: { name: string }) => p.name)).toContain('reviews');
  });

  it('refuses a duplicate project name with 409 and an unknown type with 400 naming type', async () => {
    await api.post('/v1/projects', { type: 'categorization', name: 'dup' });
    const again = await api.post('/v1/projects', { type: 'categorization', name: 'dup' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status_code: 409, field: 'name' });
    const unknown = await api.post('/v1/projects', { type: 'telepathy', name: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('type');
    expect((await api.get('/v1/projects/nope')).status).toBe(404);
  });

  it('versions project parameters with setParams, patching or replacing', async () => {
    await api.post('/v1/projects', {
      type: 'categorization',
      name: 'versioned',
      params: { instruction: 'v0', categories: ['a', 'b'] },
    });
    const patched = await api.post('/v1/projects/versioned/setParams', {
      patch: true,
      instruction: 'v1',
    });
    expect(patched.body.param_history).toHaveLength(2);
    expect(patched.body.param_history[1]).toMatchObject({
      version: 1,
      instruction: 'v1',
      categories: ['a', 'b'],
    });
    const replaced = await api.post('/v1/projects/versioned/setParams', { instruction: 'v2' });
    expect(replaced.body.param_history[2]).toMatchObject({ version: 2, instruction: 'v2' });
    expect(replaced.body.param_history[2].categories).toBeUndefined();
  });

  it('merges project defaults into tasks, the task’s own values winning', async () => {
    await api.post('/v1/projects', {
      type: 'categorization',
      name: 'defaults',
      params: {
        instruction: 'Project guidance.',
        categories: ['yes', 'no'],
        attachment_type: 'text',
      },
    });
    const task = await api.post('/v1/task/categorization', {
      project: 'defaults',
      attachment: 'hello',
      instruction: 'Task guidance.',
    });
    expect(task.status).toBe(200);
    expect(task.body.params.categories).toEqual(['yes', 'no']);
    expect(task.body.instruction).toBe('Task guidance.\n\nProject guidance.');
    expect(task.body.project).toBe('defaults');
  });

  it('runs a batch from creation through completion', async () => {
    await api.post('/v1/projects', { type: 'categorization', name: 'batched' });
    const batch = await api.post('/v1/batches', {
      project: 'batched',
      name: 'b1',
      calibration_batch: false,
      self_label_batch: false,
      callback: '',
      metadata: { week: 1 },
    });
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({
      name: 'b1',
      project: 'batched',
      status: 'in_progress',
      callback: '',
      metadata: { week: 1 },
    });

    const staged = await api.post('/v1/batches', { project: 'batched', name: 'b2', staging: true });
    expect(staged.body.status).toBe('staging');
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const task = await api.post('/v1/task/categorization', categorization({ batch: 'b2' }));
      expect(task.status).toBe(200);
      expect(task.body.project).toBe('batched');
      ids.push(task.body.task_id);
    }
    expect((await api.get('/v1/batches/b2/status')).body).toEqual({
      status: 'staging',
      pending: 2,
      completed: 0,
      canceled: 0,
      error: 0,
    });
    const finalized = await api.post('/v1/batches/b2/finalize');
    expect(finalized.body.status).toBe('in_progress');

    const done = await api.post(`/api/v1/tasks/${ids[0]}/response`, {
      response: { category: 'negative' },
    });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    await api.post(`/v1/task/${ids[1]}/cancel`);
    const status = await api.get('/v1/batches/b2/status');
    expect(status.body).toEqual({
      status: 'completed',
      pending: 0,
      completed: 1,
      canceled: 1,
      error: 0,
    });
    const late = await api.post('/v1/task/categorization', categorization({ batch: 'b2' }));
    expect(late.status).toBe(400);
    expect(late.body.field).toBe('batch');
  });

  it('lists batches with offset paging and both total spellings', async () => {
    await api.post('/v1/projects', { type: 'categorization', name: 'paged-batches' });
    for (const name of ['pb1', 'pb2', 'pb3'])
      await api.post('/v1/batches', { project: 'paged-batches', name });
    const first = await api.get('/v1/batches?project=paged-batches&limit=2&exclude_archived=False');
    expect(first.body).toMatchObject({
      totalDocs: 3,
      total: 3,
      limit: 2,
      offset: 0,
      has_more: true,
    });
    expect(first.body.docs.map((b: { name: string }) => b.name)).toEqual(['pb3', 'pb2']);
    const second = await api.get('/v1/batches?project=paged-batches&limit=2&offset=2');
    expect(second.body.has_more).toBe(false);
    expect(second.body.docs.map((b: { name: string }) => b.name)).toEqual(['pb1']);
    expect((await api.get('/v1/batches?status=sideways')).body.field).toBe('querystring.status');
  });

  it('replaces batch metadata and refuses a duplicate batch name', async () => {
    await api.post('/v1/projects', { type: 'categorization', name: 'meta' });
    await api.post('/v1/batches', { project: 'meta', name: 'm1' });
    const updated = await api.post('/v1/batches/m1/setMetadata', { new_key: 'new_value' });
    expect(updated.body.metadata).toEqual({ new_key: 'new_value' });
    expect((await api.post('/v1/batches', { project: 'meta', name: 'm1' })).status).toBe(409);
    expect((await api.post('/v1/batches', { project: 'nope', name: 'm2' })).status).toBe(404);
  });

  it('keeps test-mode data apart from live data', async () => {
    const created = await api.post('/api/v1/keys', { name: 'test key', environment: 'test' });
    const testApi = client(t.url, created.body.key);
    expect((await testApi.get('/v1/projects/reviews')).status).toBe(404);
    expect(
      (await testApi.post('/v1/projects', { type: 'categorization', name: 'reviews' })).status,
    ).toBe(200);
  });
});
