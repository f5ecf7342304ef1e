import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

const image = (extra: Record<string, unknown> = {}) => ({
  attachment: 'https://example.com/cows.jpg',
  attachment_type: 'image',
  geometries: {
    box: { objects_to_annotate: ['Baby Cow', 'Big Cow'], min_height: 10, min_width: 10 },
  },
  ...extra,
});

describe.each(BACKENDS)('v1 tasks on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    t = await startTestPlatform(backend, { QUORUM_BODY_LIMIT: String(64 * 1024) });
    api = client(t.url, t.key);
    await api.post('/v1/projects', { type: 'imageannotation', name: 'cows' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a task and returns the same object on get', async () => {
    const created = await api.post(
      '/v1/task/imageannotation',
      image({
        project: 'cows',
        callback_url: 'http://www.example.com/callback',
        instruction: 'Draw a box around each cow.',
        metadata: { shot: 7 },
      }),
    );
    expect(created.status).toBe(200);
    expect(created.body.task_id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.body).toMatchObject({
      type: 'imageannotation',
      status: 'pending',
      project: 'cows',
      callback_url: 'http://www.example.com/callback',
      instruction: 'Draw a box around each cow.',
      metadata: { shot: 7 },
      is_test: false,
    });
    expect(created.body.params.geometries.box.objects_to_annotate).toEqual(['Baby Cow', 'Big Cow']);
    expect(created.body).not.toHaveProperty('tags');
    expect(created.body).not.toHaveProperty('unique_id');
    const fetched = await api.get(`/v1/task/${created.body.task_id}`);
    expect(fetched.body).toEqual(created.body);
  });

  it('answers Scale’s 404 body for an unknown task', async () => {
    const missing = await api.get('/v1/task/000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status_code: 404, error: 'Task with that ID not found.' });
  });

  it('refuses invalid geometry params with a 400 naming the field and stores nothing', async () => {
    const before = (await api.get('/v1/tasks?project=cows&limit=1')).body.total;
    const bad = await api.post(
      '/v1/task/imageannotation',
      image({ project: 'cows', geometries: { box: { min_width: -5 } } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('geometries.box.min_width');
    const unknownField = await api.post(
      '/v1/task/imageannotation',
      image({ project: 'cows', colour: 'red' }),
    );
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.field).toBe('colour');
    const unknownType = await api.post('/v1/task/telepathy', { attachment: 'x' });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.field).toBe('type');
    const wrongType = await api.post(
      '/v1/task/imageannotation',
      image({ project: 'cows', metadata: 'not an object' }),
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.field).toBe('metadata');
    expect((await api.get('/v1/tasks?project=cows&limit=1')).body.total).toBe(before);
  });

  it('treats unique_id as an idempotency key: reuse answers 409 and the task is found by it', async () => {
    const first = await api.post(
      '/v1/task/imageannotation',
      image({ project: 'cows', unique_id: 'frame-001' }),
    );
    expect(first.status).toBe(200);
    const again = await api.post(
      '/v1/task/imageannotation',
      image({ project: 'cows', unique_id: 'frame-001' }),
    );
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status_code: 409, field: 'unique_id' });
    const found = await api.get('/v1/tasks?unique_id=frame-001');
    expect(found.body.docs).toHaveLength(1);
    expect(found.body.docs[0].task_id).toBe(first.body.task_id);
    const cleared = await api.delete(`/v1/task/${first.body.task_id}/unique_id`);
    expect(cleared.body).not.toHaveProperty('unique_id');
    const reused = await api.post(
      '/v1/task/imageannotation',
      image({ project: 'cows', unique_id: 'frame-001' }),
    );
    expect(reused.status).toBe(200);
    const set = await api.post(`/v1/task/${first.body.task_id}/unique_id`, {
      unique_id: 'frame-001',
    });
    expect(set.status).toBe(409);
  });

  it('pages through tasks newest first with next_token and counts them all', async () => {
    await api.post('/v1/projects', { type: 'imageannotation', name: 'paging' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await api.post('/v1/task/imageannotation', image({ project: 'paging' }))).body.task_id,
      );
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await api.get(
        `/v1/tasks?project=paging&limit=2${token ? `&next_token=${token}` : ''}&include_attachment_url=True`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ total: 5, limit: 2, offset: 0 });
      seen.push(...res.body.docs.map((d: { task_id: string }) => d.task_id));
      if (!res.body.has_more) break;
      expect(typeof res.body.next_token).toBe('string');
      token = res.body.next_token;
    }
    expect(seen).toEqual([...ids].reverse());
    const bad = await api.get('/v1/tasks?project=paging&next_token=garbage!');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('next_token');
    expect((await api.get('/v1/tasks?limit=101')).body.field).toBe('querystring.limit');
    expect((await api.get('/v1/tasks?start_time=yesterday')).body.field).toBe(
      'querystring.start_time',
    );
    const limited = await api.get('/v1/tasks?project=paging&limit=1&limited_response=true');
    expect(Object.keys(limited.body.docs[0]).sort()).toEqual([
      'metadata',
      'project',
      'status',
      'task_id',
    ]);
  });

  it('filters by time window, status and tags', async () => {
    await api.post('/v1/projects', { type: 'imageannotation', name: 'filters' });
    const a = (
      await api.post(
        '/v1/task/imageannotation',
        image({ project: 'filters', tags: ['red', 'big'] }),
      )
    ).body;
    await api.post('/v1/task/imageannotation', image({ project: 'filters', tags: ['red'] }));
    expect((await api.get('/v1/tasks?project=filters&tags=red')).body.total).toBe(2);
    expect(
      (await api.get('/v1/tasks?project=filters&tags=red&tags=big')).body.docs[0].task_id,
    ).toBe(a.task_id);
    const future = new Date(Date.now() + 60_000).toISOString().replace('Z', '');
    expect((await api.get(`/v1/tasks?project=filters&start_time=${future}`)).body.docs).toEqual([]);
    expect((await api.get('/v1/tasks?project=filters&status=completed')).body.total).toBe(0);
  });

  it('cancels pending tasks, idempotently, and refuses to cancel completed ones', async () => {
    const task = (
      await api.post('/v1/task/imageannotation', image({ project: 'cows', unique_id: 'to-cancel' }))
    ).body;
    const canceled = await api.post(`/v1/task/${task.task_id}/cancel?clear_unique_id=true`);
    expect(canceled.body.status).toBe('canceled');
    expect(canceled.body).not.toHaveProperty('unique_id');
    expect((await api.post(`/v1/task/${task.task_id}/cancel`)).status).toBe(200);
    const done = (await api.post('/v1/task/imageannotation', image({ project: 'cows' }))).body;
    const response = {
      annotations: [{ type: 'box', label: 'Big Cow', left: 1, top: 2, width: 30, height: 40 }],
    };
    expect((await api.post(`/api/v1/tasks/${done.task_id}/response`, { response })).status).toBe(
      200,
    );
    expect((await api.post(`/v1/task/${done.task_id}/cancel`)).status).toBe(400);
  });

  it('validates responses against the task and audits completed tasks', async () => {
    const task = (await api.post('/v1/task/imageannotation', image({ project: 'cows' }))).body;
    const wrongLabel = await api.post(`/api/v1/tasks/${task.task_id}/response`, {
      response: {
        annotations: [{ type: 'box', label: 'Horse', left: 1, top: 2, width: 3, height: 4 }],
      },
    });
    expect(wrongLabel.status).toBe(400);
    expect(wrongLabel.body.field).toMatch(/^response\.annotations\.0\.label/);
    expect((await api.post(`/v1/task/${task.task_id}/audit`, { accepted: true })).status).toBe(400);
    const response = {
      annotations: [{ type: 'box', label: 'Baby Cow', left: 10, top: 20, width: 30, height: 40 }],
    };
    const completed = await api.post(`/api/v1/tasks/${task.task_id}/response`, { response });
    expect(completed.body.response.annotations[0]).toMatchObject(response.annotations[0]!);
    expect((await api.post(`/api/v1/tasks/${task.task_id}/response`, { response })).status).toBe(
      409,
    );
    const audited = await api.post(`/v1/task/${task.task_id}/audit`, {
      accepted: false,
      comments: 'missed a cow',
    });
    expect(audited.status).toBe(200);
    expect(audited.body.customer_review_status).toBe('rejected');
    expect(audited.body.audits[0]).toMatchObject({
      audit_result: 'rejected',
      audit_source: 'customer',
    });
    expect(
      (await api.get('/v1/tasks?project=cows&customer_review_status=accepted,rejected')).body.total,
    ).toBe(1);
  });

  it('replaces metadata and sets, adds and removes tags as Scale’s client sends them', async () => {
    const task = (await api.post('/v1/task/imageannotation', image({ project: 'cows' }))).body;
    const md = await api.post(`/v1/task/${task.task_id}/setMetadata`, { new: 'value' });
    expect(md.body.metadata).toEqual({ new: 'value' });
    expect(
      (
        await api.raw('POST', `/v1/task/${task.task_id}/setMetadata`, '', {
          'content-type': 'application/json',
        })
      ).body.metadata,
    ).toEqual({});
    expect((await api.raw('POST', `/v1/task/${task.task_id}/tags`, ['tag1'])).body.tags).toEqual([
      'tag1',
    ]);
    expect(
      (await api.raw('PUT', `/v1/task/${task.task_id}/tags`, ['tag2', 'tag3'])).body.tags,
    ).toEqual(['tag1', 'tag2', 'tag3']);
    expect(
      (await api.raw('DELETE', `/v1/task/${task.task_id}/tags`, ['tag1', 'tag2', 'nope'])).body
        .tags,
    ).toEqual(['tag3']);
    const cleared = await api.raw('POST', `/v1/task/${task.task_id}/tags`, '', {
      'content-type': 'application/json',
    });
    expect(cleared.body).not.toHaveProperty('tags');
    expect((await api.raw('POST', `/v1/task/${task.task_id}/tags`, { not: 'a list' })).status).toBe(
      400,
    );
  });

  it('answers 413 for a body over the limit and 415 for an unsupported content type', async () => {
    const huge = await api.post(
      '/v1/task/imageannotation',
      image({ project: 'cows', metadata: { blob: 'x'.repeat(100_000) } }),
    );
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ status_code: 413, code: 'payload_too_large' });
    const xml = await api.raw('POST', '/v1/task/imageannotation', '<task/>', {
      'content-type': 'application/xml',
    });
    expect(xml.status).toBe(415);
  });

  it('stores evaluation and training tasks apart from work tasks', async () => {
    const response = {
      annotations: [{ type: 'box', label: 'Big Cow', left: 1, top: 1, width: 20, height: 20 }],
    };
    const evaluation = await api.post(
      '/v1/evaluation_tasks/imageannotation',
      image({ project: 'cows', expected_response: response }),
    );
    expect(evaluation.status).toBe(200);
    expect(evaluation.body.id).toMatch(/^[0-9a-f]{24}$/);
    expect(evaluation.body.expected_response.annotations[0].label).toBe('Big Cow');
    const training = await api.post(
      '/v1/training_tasks/imageannotation',
      image({ project: 'cows', expected_response: response }),
    );
    expect(training.status).toBe(200);
    const missing = await api.post(
      '/v1/evaluation_tasks/imageannotation',
      image({ project: 'cows' }),
    );
    expect(missing.body.field).toBe('expected_response');
    // Quality tasks are never delivered, so no batch waits for them.
    const batched = await api.post(
      '/v1/training_tasks/imageannotation',
      image({ project: 'cows', batch: 'any', expected_response: response }),
    );
    expect(batched.status).toBe(400);
    expect(batched.body.field).toBe('batch');
    const badExpected = await api.post(
      '/v1/training_tasks/imageannotation',
      image({
        project: 'cows',
        expected_response: {
          annotations: [{ type: 'box', label: 'Horse', left: 1, top: 1, width: 2, height: 2 }],
        },
      }),
    );
    expect(badExpected.body.field).toMatch(/^expected_response\.annotations\.0\.label/);
    expect((await api.get(`/v1/task/${evaluation.body.id}`)).status).toBe(404);
  });

  it('completes test-mode tasks at once with the pre-labels', async () => {
    const key = (await api.post('/api/v1/keys', { name: 'sandbox', environment: 'test' })).body.key;
    const sandbox = client(t.url, key);
    const hypothesis = {
      annotations: [{ type: 'box', label: 'Big Cow', left: 5, top: 5, width: 10, height: 10 }],
    };
    const task = await sandbox.post('/v1/task/imageannotation', image({ hypothesis }));
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({ status: 'completed', is_test: true });
    expect(task.body.response.annotations[0]).toMatchObject(hypothesis.annotations[0]!);
    expect((await api.get(`/v1/task/${task.body.task_id}`)).status).toBe(404);
  });
});
