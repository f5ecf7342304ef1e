import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

describe.each(BACKENDS)('answers, consensus and quality on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  const patch = (path: string, body: unknown) => api.raw('PATCH', path, body);
  const newTask = async (project: string, text: string) =>
    (
      await api.post('/v1/task/categorization', {
        project,
        attachment: text,
        categories: ['cat', 'dog'],
      })
    ).body.task_id as string;
  const answer = (taskId: string, worker: string, category: string) =>
    api.post(`/api/v1/tasks/${taskId}/answers`, { worker, response: { category } });

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    api = client(t.url, t.key);
    await api.post('/v1/projects', { type: 'categorization', name: 'votes' });
    await api.post('/v1/projects', { type: 'categorization', name: 'reagg' });
    await api.post('/v1/projects', { type: 'textcollection', name: 'texts' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps settings with defaults, validates changes and names the field', async () => {
    expect((await api.get('/api/v1/projects/votes/settings')).body).toMatchObject({
      consensus: { min: 1, max: 1, confidence: 0 },
      aggregation: { method: 'hybrid' },
      review: { stage: false, auditRate: 0 },
      gold: { rate: 0, qualifyCount: 0 },
      leaseSeconds: 600,
      maxOpenClaims: 3,
      clearance: 0,
    });
    const changed = await patch('/api/v1/projects/votes/settings', {
      consensus: { min: 3, max: 3 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.consensus).toEqual({ min: 3, max: 3, confidence: 0 });
    const tooSmall = await patch('/api/v1/projects/votes/settings', { consensus: { max: 2 } });
    expect(tooSmall.status).toBe(400);
    expect(tooSmall.body.field).toBe('consensus.max');
    const badMethod = await patch('/api/v1/projects/votes/settings', {
      aggregation: { method: 'kos' },
    });
    expect(badMethod.status).toBe(400);
    expect(JSON.stringify(badMethod.body)).toContain('aggregation.method');
    // A huge number is refused with the field's own bound, not the safe-integer range.
    for (const [leaseSeconds, bound] of [
      [1e308, /<= ?604800$/],
      [-1e308, />= ?5$/],
    ] as const) {
      const huge = await patch('/api/v1/projects/votes/settings', { leaseSeconds });
      expect(huge.status).toBe(400);
      expect(huge.body).toMatchObject({ field: 'leaseSeconds' });
      expect(huge.body.error).toMatch(bound);
    }
    expect((await api.get('/api/v1/projects/nope/settings')).status).toBe(404);
  });

  it('completes a task with the consensus once it has its annotators, keeping every answer', async () => {
    const id = await newTask('votes', 'a picture');
    const first = await answer(id, 'w1', 'cat');
    expect(first.status).toBe(200);
    expect(first.body.answers).toBe(1);
    expect(first.body.consensus).toBeNull();
    expect(first.body.task.status).toBe('pending');
    expect((await answer(id, 'w2', 'dog')).body.task.status).toBe('pending');
    const third = await answer(id, 'w3', 'cat');
    expect(third.body.task.status).toBe('completed');
    expect(third.body.task.response).toEqual({ category: 'cat' });
    expect(third.body.consensus).toMatchObject({ method: 'hybrid', answers: 3 });
    expect(third.body.consensus.confidence).toBeGreaterThan(0.5);
    const listed = await api.get(`/api/v1/tasks/${id}/answers`);
    expect(listed.body.docs.map((a: { worker: string }) => a.worker)).toEqual(['w1', 'w2', 'w3']);
    expect(listed.body.docs[1].response).toEqual({ category: 'dog' });
    // Closed once complete; the same annotator twice is refused; both keep nothing.
    const late = await answer(id, 'w4', 'dog');
    expect(late.status).toBe(409);
    expect(late.body.error).toContain('re-aggregate');
    const id2 = await newTask('votes', 'another');
    await answer(id2, 'w1', 'cat');
    const twice = await answer(id2, 'w1', 'dog');
    expect(twice.status).toBe(409);
    expect(twice.body.field).toBe('worker');
    const blank = await answer(id2, '   ', 'cat');
    expect(blank.status).toBe(400);
    expect(JSON.stringify(blank.body)).toContain('worker');
    const bad = await answer(id2, 'w2', 'cow');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('response.category');
    expect((await api.get(`/api/v1/tasks/${id2}/answers`)).body.docs).toHaveLength(1);
    expect((await answer('000000000000000000000000', 'w1', 'cat')).status).toBe(404);
  });

  it('completes early when the consensus is confident enough, and at max otherwise', async () => {
    await patch('/api/v1/projects/votes/settings', {
      consensus: { min: 2, max: 4, confidence: 0.99 },
      aggregation: { method: 'mv' },
    });
    const agreed = await newTask('votes', 'agreed');
    await answer(agreed, 'a', 'dog');
    const done = await answer(agreed, 'b', 'dog');
    expect(done.body.task.status).toBe('completed');
    expect(done.body.consensus).toMatchObject({ method: 'mv', confidence: 1, answers: 2 });
    const disputed = await newTask('votes', 'disputed');
    await answer(disputed, 'a', 'dog');
    expect((await answer(disputed, 'b', 'cat')).body.task.status).toBe('pending');
    expect((await answer(disputed, 'c', 'cat')).body.task.status).toBe('pending');
    const last = await answer(disputed, 'd', 'cat');
    expect(last.body.task.status).toBe('completed');
    expect(last.body.task.response).toEqual({ category: 'cat' });
    expect(last.body.consensus.confidence).toBeCloseTo(0.75);
  });

  it('combines text collection answers field by field', async () => {
    await patch('/api/v1/projects/texts/settings', { consensus: { min: 3, max: 3 } });
    const created = await api.post('/v1/task/textcollection', {
      project: 'texts',
      attachments: [{ type: 'text', content: 'Say hello' }],
      fields: [{ type: 'text', field_id: 'greeting', title: 'Greeting' }],
    });
    expect(created.status).toBe(200);
    const id = created.body.task_id;
    const say = (worker: string, text: string) =>
      api.post(`/api/v1/tasks/${id}/answers`, {
        worker,
        response: { annotations: { greeting: text } },
      });
    expect((await say('a', 'hello')).status).toBe(200);
    await say('b', 'hi');
    const done = await say('c', 'hello');
    expect(done.body.task.status).toBe('completed');
    expect(done.body.task.response).toEqual({ annotations: { greeting: 'hello' } });
    expect(done.body.consensus).toMatchObject({ method: 'field-consensus', answers: 3 });
    expect(done.body.consensus.confidence).toBeCloseTo(2 / 3);
  });

  it('scores answers to evaluation tasks against the expected response, per annotator', async () => {
    await api.post('/v1/projects', { type: 'imageannotation', name: 'boxes' });
    const expected = {
      annotations: [
        { type: 'box', label: 'car', left: 0, top: 0, width: 10, height: 10 },
        { type: 'box', label: 'car', left: 50, top: 50, width: 10, height: 10 },
      ],
    };
    const created = await api.post('/v1/evaluation_tasks/imageannotation', {
      project: 'boxes',
      attachment: 'https://example.com/street.jpg',
      geometries: { box: { objects_to_annotate: ['car'] } },
      expected_response: expected,
    });
    expect(created.status).toBe(200);
    const id = created.body.id;
    const submit = (worker: string, annotations: unknown[]) =>
      api.post(`/api/v1/tasks/${id}/answers`, { worker, response: { annotations } });
    const perfect = await submit('ann', expected.annotations);
    expect(perfect.status).toBe(200);
    expect(perfect.body.score).toBe(1);
    expect(perfect.body.consensus).toBeNull();
    // One box right (IoU 0.81), one missing: precision 1, recall 1/2.
    const half = await submit('bob', [
      { type: 'box', label: 'car', left: 1, top: 1, width: 10, height: 10 },
    ]);
    expect(half.body.score).toBeCloseTo(2 / 3);
    expect((await submit('ann', [])).status).toBe(409);
    const report = await api.get('/api/v1/projects/boxes/quality');
    const byWorker = Object.fromEntries(
      report.body.workers.map((w: { worker: string }) => [w.worker, w]),
    );
    expect(byWorker.ann.gold).toEqual({ answers: 1, mean_score: 1 });
    expect(byWorker.bob.gold.mean_score).toBeCloseTo(2 / 3);
    const listed = await api.get(`/api/v1/tasks/${id}/answers`);
    expect(listed.body.docs.map((a: { score: number }) => a.score)).toEqual([
      1,
      expect.any(Number),
    ]);
  });

  it('re-aggregates a project with another method without losing answers, and reports quality', async () => {
    await patch('/api/v1/projects/reagg/settings', {
      consensus: { min: 2, max: 2 },
      aggregation: { method: 'mv' },
    });
    const truth = (i: number) => (i % 2 ? 'dog' : 'cat');
    const flip = (label: string) => (label === 'cat' ? 'dog' : 'cat');
    // w1 and w3 agree with the truth; w2 always answers the opposite.
    for (let i = 0; i < 8; i++) {
      const id = await newTask('reagg', `pair ${i}`);
      await answer(id, 'w1', truth(i));
      await answer(id, 'w3', truth(i));
    }
    for (let i = 0; i < 8; i++) {
      const id = await newTask('reagg', `split ${i}`);
      await answer(id, 'w3', truth(i));
      await answer(id, 'w2', flip(truth(i)));
    }
    // A tie: majority vote takes the first category ("cat"); a model that knows w2 says "dog".
    const tie = await newTask('reagg', 'the tie');
    await answer(tie, 'w1', 'dog');
    const tied = await answer(tie, 'w2', 'cat');
    expect(tied.body.task.response).toEqual({ category: 'cat' });

    const result = await api.post('/api/v1/projects/reagg/aggregate', { method: 'ds' });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ method: 'ds', tasks: 17 });
    expect(result.body.changedTaskIds).toContain(tie);
    expect((await api.get(`/v1/task/${tie}`)).body.response).toEqual({ category: 'dog' });
    expect((await api.get(`/api/v1/tasks/${tie}/answers`)).body.docs).toHaveLength(2);
    expect((await api.get('/api/v1/projects/reagg/settings')).body.aggregation.method).toBe('ds');
    // Back to majority vote: the tie goes back, nothing was lost on the way.
    const back = await api.post('/api/v1/projects/reagg/aggregate', { method: 'mv' });
    expect(back.body.changedTaskIds).toContain(tie);
    expect((await api.get(`/v1/task/${tie}`)).body.response).toEqual({ category: 'cat' });
    const refused = await api.post('/api/v1/projects/reagg/aggregate', { method: 'best' });
    expect(refused.status).toBe(400);

    const report = await api.get('/api/v1/projects/reagg/quality?method=ds');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ project: 'reagg', method: 'ds', tasks: 17, answers: 34 });
    expect(report.body.annotators).toBe(3);
    expect(typeof report.body.agreement.krippendorff_alpha).toBe('number');
    const byWorker = Object.fromEntries(
      report.body.workers.map((w: { worker: string }) => [w.worker, w]),
    );
    expect(byWorker.w1.agreement_with_consensus).toBe(1);
    expect(byWorker.w2.agreement_with_consensus).toBe(0);
    expect(byWorker.w2.reliability).toBeLessThan(byWorker.w3.reliability);
    expect(byWorker.w2.confusion).toEqual({ cat: { dog: 4 }, dog: { cat: 5 } });
    expect(report.body.classes.cat.cat).toBeGreaterThan(0);
    const confidences = report.body.disputed.map((d: { confidence: number }) => d.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b));
    expect((await api.get('/api/v1/projects/reagg/quality?method=kos')).status).toBe(400);
  });
});
