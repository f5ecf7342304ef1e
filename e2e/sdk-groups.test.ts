import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuorumClient, QuorumError, type ChatTurnEvent, type ScaleTask } from '@quorum/sdk';
import { BACKENDS, startTestPlatform, type TestPlatform } from '../packages/server/test/harness';
import { startFakeOpenAi, type FakeOpenAi } from '../packages/server/test/support/fake-openai';

/** The first bytes of a PNG: enough for the server to know the type. */
const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 1, 2, 3,
]);

/** A loopback site: a file to import and a callback receiver that says OK. */
async function startSite(): Promise<{ url: string; callbacks: number; close(): Promise<void> }> {
  const site = { url: '', callbacks: 0, close: async () => {} };
  const server: Server = createServer((request, response) => {
    if (request.url === '/cat.png') {
      response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      return;
    }
    site.callbacks++;
    request.resume();
    response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}

/** Asks again until `done` holds (background work: generation, judges, callbacks). */
async function until<T>(ask: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await ask();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not get there');
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe.each(BACKENDS)('every group of the TypeScript SDK against the server on %s', (backend) => {
  let t: TestPlatform;
  let fake: FakeOpenAi;
  let site: Awaited<ReturnType<typeof startSite>>;
  let sdk: QuorumClient;
  let annotator: QuorumClient;
  let annotatorId = '';
  let callbackTask = '';
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    site = await startSite();
    t = await startTestPlatform(backend, { QUORUM_EGRESS_ALLOW: '127.0.0.1' });
    sdk = new QuorumClient({ url: t.url, apiKey: t.key });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
    await site?.close();
  });

  it('projects, batches and tasks: v1 and native operations', async () => {
    await sdk.projects.create({
      type: 'categorization',
      name: 'g',
      params: { categories: ['yes'] },
    });
    await sdk.projects.setParams('g', { patch: true, categories: ['yes', 'no'] });
    expect((await sdk.projects.get('g')).param_history).toHaveLength(2);
    expect((await sdk.projects.list()).map((p) => p.name)).toContain('g');
    const settings = await sdk.projects.changeSettings('g', {
      consensus: { min: 1, max: 1 },
      aggregation: { method: 'mv' },
    });
    expect((await sdk.projects.settings('g')).consensus).toEqual(settings.consensus);

    await sdk.batches.create({ project: 'g', name: 'g-1', staging: true });
    expect((await sdk.batches.setMetadata('g-1', { owner: 'sdk' })).metadata).toEqual({
      owner: 'sdk',
    });
    expect((await sdk.batches.setQueue('g-1', { priority: 5 })).priority).toBe(5);
    const task = await sdk.tasks.create('categorization', {
      batch: 'g-1',
      attachment: 'one',
      unique_id: 'g-a',
      callback_url: `${site.url}/hook`,
    });
    callbackTask = task.task_id;
    expect((await sdk.tasks.setUniqueId(task.task_id, 'g-b')).unique_id).toBe('g-b');
    expect((await sdk.tasks.clearUniqueId(task.task_id)).unique_id).toBeUndefined();
    expect((await sdk.tasks.setMetadata(task.task_id, { n: 1 })).metadata).toEqual({ n: 1 });
    await sdk.tasks.setTags(task.task_id, ['a', 'b']);
    await sdk.tasks.addTags(task.task_id, ['c']);
    expect((await sdk.tasks.removeTags(task.task_id, ['a'])).tags).toEqual(['b', 'c']);
    async function* more() {
      for (const attachment of ['two', 'three', 'four']) yield { batch: 'g-1', attachment };
    }
    const bulk = await sdk.tasks.bulkCreate(more(), { type: 'categorization' });
    expect(bulk.created).toBe(3);
    expect((await sdk.batches.finalize('g-1')).status).toBe('in_progress');
    expect((await collect(sdk.tasks.iterate({ batch: 'g-1', limit: 2 }))).length).toBe(4);
    expect(
      (await collect(sdk.batches.iterate({ project: 'g', limit: 1 }))).map((b) => b.name),
    ).toEqual(['g-1']);

    const [second, third, fourth] = bulk.task_ids as [string, string, string];
    expect((await sdk.tasks.cancel(fourth)).status).toBe('canceled');
    const answered = await sdk.tasks.addAnswer(second, {
      worker: 'ext-1',
      response: { category: 'yes' },
    });
    expect(answered.task.status).toBe('completed');
    expect((await sdk.tasks.answers(second)).docs.map((a) => a.worker)).toEqual(['ext-1']);
    await sdk.tasks.complete(task.task_id, { category: 'no' });
    await sdk.tasks.complete(third, { category: 'no' });
    expect((await sdk.tasks.audit(third, { accepted: true })).customer_review_status).toBe(
      'accepted',
    );
    expect(await sdk.batches.status('g-1')).toMatchObject({ completed: 3, canceled: 1 });
    expect((await sdk.batches.workforce('g-1')).tasks.total).toBe(4);
    expect((await sdk.projects.quality('g')).answers).toBe(1);
    expect((await sdk.projects.aggregate('g', 'mv')).method).toBe('mv');

    const lines = await collect(sdk.projects.export('g', { format: 'jsonl', answers: true }));
    expect(lines.map((line) => line.task_id).sort()).toEqual([second, task.task_id, third].sort());
    expect(lines.find((line) => line.task_id === second)?.answers).toHaveLength(1);
    const scale: ScaleTask[] = await collect(sdk.projects.export('g', { format: 'scale' }));
    expect(scale.map((row) => row.status)).toEqual(['completed', 'completed', 'completed']);
    const download = await sdk.projects.exportStream('g', { format: 'jsonl', status: 'all' });
    expect((await new Response(download.body).text()).trim().split('\n')).toHaveLength(4);

    const gold = await sdk.tasks.createEvaluation('categorization', {
      project: 'g',
      attachment: 'gold',
      expected_response: { category: 'yes' },
    });
    expect(gold.expected_response).toEqual({ category: 'yes' });
    const practice = await sdk.tasks.createTraining('categorization', {
      project: 'g',
      attachment: 'practice',
      expected_response: { category: 'no' },
    });
    expect(practice.id).not.toBe(gold.id);
  });

  it('files: upload, import by URL, the record and the bytes', async () => {
    const uploaded = await sdk.files.upload(PNG, { filename: 'dot.png', project_name: 'g' });
    expect(uploaded).toMatchObject({ mime_type: 'image/png', size: PNG.length });
    expect((await sdk.files.get(uploaded.id)).filename).toBe('dot.png');
    const content = await sdk.files.content(uploaded.id);
    expect(content.contentType).toBe('image/png');
    expect(new Uint8Array(await new Response(content.body).arrayBuffer())).toEqual(PNG);
    const imported = await sdk.files.import({
      file_url: `${site.url}/cat.png`,
      display_name: 'cat',
    });
    expect(imported).toMatchObject({ display_name: 'cat', sha256: uploaded.sha256 });
  });

  it('callbacks: the delivery log, redelivery and the callback keys', async () => {
    const delivered = await until(
      () => sdk.deliveries.list({ task_id: callbackTask }),
      (page) => page.docs[0]?.status === 'succeeded',
    );
    const delivery = delivered.docs[0]!;
    expect((await collect(sdk.deliveries.iterate({ limit: 1 }))).map((d) => d.id)).toContain(
      delivery.id,
    );
    expect((await sdk.deliveries.get(delivery.id)).attempt_log.length).toBeGreaterThan(0);
    expect((await sdk.deliveries.redeliver(delivery.id)).status).toBe('pending');
    const keys = await sdk.callbackKeys.get();
    expect((await sdk.callbackKeys.rotate()).webhook_secret).not.toBe(keys.webhook_secret);
  });

  it('workforce and work: workers, sessions, a live chat streamed, submit, release, earnings', async () => {
    const created = await sdk.workers.create({
      email: 'sdk-annotator@example.test',
      name: 'Annotator',
      roles: ['annotator'],
      password: 'a fine first password',
    });
    annotatorId = created.id;
    annotator = new QuorumClient({ url: t.url, apiKey: created.token });
    expect((await collect(sdk.workers.iterate({ limit: 1 }))).map((w) => w.id)).toContain(
      created.id,
    );
    expect((await sdk.workers.update(created.id, { team: 'blue' })).team).toBe('blue');
    expect((await sdk.workers.get(created.id)).team).toBe('blue');
    const token = (await sdk.workers.newToken(created.id)).token;
    expect(token).not.toBe(created.token);
    const signedIn = await sdk.sessions.signIn({
      email: 'sdk-annotator@example.test',
      password: 'a fine first password',
    });
    expect(signedIn.csrfToken).toEqual(expect.any(String));
    expect((await annotator.sessions.current()).worker.id).toBe(created.id);
    expect((await annotator.me.get()).email).toBe('sdk-annotator@example.test');
    await annotator.me.changePassword({
      current: 'a fine first password',
      password: 'a better second password',
    });

    await sdk.models.create({ name: 'echo', baseUrl: fake.url, model: 'echo' });
    expect((await sdk.models.list()).docs.map((m) => m.name)).toEqual(['echo']);
    expect(
      (await sdk.models.call('echo', { messages: [{ role: 'user', content: 'hi' }] })).content,
    ).toBe('echo: hi');
    await sdk.projects.create({ type: 'chat', name: 'chatty' });
    await sdk.projects.changeSettings('chatty', { pay: { attempt: 40 } });
    for (let i = 0; i < 2; i++)
      await sdk.tasks.create('chat', { project: 'chatty', endpoint: 'echo', max_turns: 3 });

    const assignment = (await annotator.work.claim({ project: 'chatty' }))!;
    expect((await annotator.work.assignment(assignment.id)).task.type).toBe('chat');
    expect((await annotator.work.heartbeat(assignment.id)).activeSeconds).toBeGreaterThanOrEqual(0);
    expect((await annotator.work.sendTurn(assignment.id, 'Hello')).reply?.content).toBe(
      'echo: Hello',
    );
    const events: ChatTurnEvent[] = await collect(annotator.work.streamTurn(assignment.id, 'More'));
    const deltas = events.flatMap((e) => (e.type === 'delta' ? [e.content] : []));
    expect(deltas.join('')).toBe('echo: More');
    const done = events.at(-1)!;
    expect(done.type === 'done' && done.transcript.turnsLeft).toBe(1);
    expect((await annotator.work.chat(assignment.id)).messages).toHaveLength(4);
    const submitted = await annotator.work.submitAndClaim(assignment.id, {}, { project: 'chatty' });
    expect(submitted.assignment.status).toBe('submitted');
    expect(submitted.next.refused).toBeUndefined();
    const skipped = submitted.next.assignment!;
    expect(skipped.task.type).toBe('chat');
    expect(skipped.id).not.toBe(assignment.id);
    expect((await annotator.work.release(skipped.id, 'not now')).status).toBe('released');

    expect((await annotator.me.earnings()).projects[0]).toMatchObject({
      project: 'chatty',
      earned: 40,
    });
    const member = (await sdk.projects.members('chatty')).docs.find((m) => m.worker === created.id);
    expect(member).toBeDefined();
    expect((await sdk.projects.changeMember('chatty', created.id, { payRate: 50 })).payRate).toBe(
      50,
    );
    expect(await sdk.workers.payouts()).toMatch(/sdk-annotator@example\.test/);
    await annotator.sessions.signOut();
  });

  it('models, prompt sets and generations: comparisons, leaderboard, ratings, judges, export', async () => {
    await sdk.models.create({ name: 'echo-b', baseUrl: fake.url, model: 'busy' });
    await sdk.models.create({ name: 'judge', baseUrl: fake.url, model: 'judge-a' });
    async function* prompts() {
      yield { prompt: 'Capital of France?', category: 'geo' };
      yield { prompt: 'Is 91 prime?', category: 'math' };
    }
    expect((await sdk.promptSets.import('sdk-prompts', prompts())).prompts).toBe(2);
    expect((await sdk.promptSets.list()).docs.map((s) => s.name)).toEqual(['sdk-prompts']);

    const started = await sdk.generations.create({
      promptSet: 'sdk-prompts',
      models: ['echo', 'echo-b'],
    });
    await until(
      () => sdk.generations.get(started.id),
      (generation) => generation.status === 'completed',
    );
    expect((await sdk.generations.list()).docs.map((g) => g.id)).toEqual([started.id]);
    expect((await sdk.generations.resume(started.id)).succeeded).toBe(4);
    const responses = await collect(sdk.generations.iterateResponses(started.id, { limit: 1 }));
    expect(responses.map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);

    await sdk.projects.create({ type: 'comparison', name: 'duel' });
    await sdk.projects.changeSettings('duel', { consensus: { min: 1, max: 1 } });
    expect(await sdk.generations.createComparisons(started.id, { project: 'duel' })).toEqual({
      created: 2,
      skipped: 0,
    });
    for (let i = 0; i < 2; i++) {
      const claimed = (await annotator.work.claim({ project: 'duel' }))!;
      await annotator.work.submit(claimed.id, {
        preference: { winner: 0 },
        fields: { rationale: 'clearer' },
      });
    }
    const board = await sdk.generations.leaderboard(started.id, { bootstrap: 20 });
    expect(board.overall.comparisons).toBe(2);
    expect((await sdk.generations.ratings(started.id)).flags).toEqual([]);
    const battles = await collect(sdk.generations.export(started.id, { format: 'arena' }));
    expect(battles).toHaveLength(2);

    expect((await sdk.generations.startJudge(started.id, 'judge')).tasks).toBe(2);
    const report = await until(
      () => sdk.generations.judges(started.id),
      (r) => r.judges.length === 1 && r.judges[0]!.pending === 0,
    );
    expect(report.judges[0]!.verdicts).toBe(2);
    const review = await sdk.generations.reviewDisagreements(started.id, {
      judge: 'judge',
      project: 'duel',
    });
    expect(review.created).toBe(report.judges[0]!.disagreements.length);
    expect((await sdk.models.remove('echo-b')).name).toBe('echo-b');
    await expect(sdk.generations.get('nope')).rejects.toBeInstanceOf(QuorumError);
  });

  it('red teaming: a campaign attempted, reported and exported', async () => {
    expect((await sdk.redteam.taxonomy()).categories.map((c) => c.id)).toContain('ncr');
    const campaign = await sdk.redteam.createCampaign({
      name: 'sdk',
      endpoints: ['echo'],
      categories: ['ncr'],
      attemptsPerCategory: 1,
      maxTurns: 2,
      review: false,
    });
    expect(campaign.tasks.total).toBe(1);
    expect((await sdk.redteam.campaigns()).campaigns.map((c) => c.name)).toEqual(['sdk']);
    expect((await sdk.redteam.campaign('sdk')).project).toBe('redteam-sdk');

    const attempt = (await annotator.work.claim({ project: 'redteam-sdk' }))!;
    await collect(annotator.work.streamTurn(attempt.id, 'attack'));
    await annotator.work.submit(attempt.id, {
      outcome: { success: true, category: 'ncr', severity: 'high', message: 1 },
      rewrite: 'I cannot help with that.',
    });
    expect((await sdk.redteam.report(campaign.id)).overall).toMatchObject({
      attempts: 1,
      successes: 1,
    });
    const pairs = await collect(sdk.redteam.export(campaign.id, { format: 'trl' }));
    expect(pairs).toHaveLength(1);
    expect(annotatorId).not.toBe('');
  });

  it('answers errors of every group as QuorumErrors with the status, code and field', async () => {
    await expect(sdk.redteam.campaign('nope')).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    await expect(
      sdk.workers.create({ email: 'x', name: 'X', roles: ['annotator'] }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid', field: 'email' });
    await expect(annotator.redteam.campaigns()).rejects.toMatchObject({ status: 403 });
  });
});
