import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_PATH } from '@quorum/core';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai';

/** Reads a server-sent-events answer into its events, in order. */
function eventsOf(text: string): Array<{ event: string; data: any }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))!.slice(7);
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) };
    });
}

describe.each(BACKENDS)('live chat and red-team campaigns on %s', (backend) => {
  let t: TestPlatform;
  let fake: FakeOpenAi;
  let api: ReturnType<typeof client>;
  let annotator: ReturnType<typeof client>;
  let reviewer: ReturnType<typeof client>;
  let annotatorToken = '';
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    t = await startTestPlatform(backend, { QUORUM_EGRESS_ALLOW: '127.0.0.1' });
    api = client(t.url, t.key);
    for (const [name, model, extra] of [
      ['target-a', 'echo', {}],
      ['target-b', 'stream-slow', {}],
      ['stalls', 'stream-stall', { timeoutMs: 1000, maxRetries: 0 }],
      ['cuts', 'stream-cut', { maxRetries: 2 }],
      ['junk', 'stream-garbage', { maxRetries: 2 }],
      ['limited', 'flaky-429', { maxRetries: 3 }],
    ] as const)
      expect(
        (await api.post('/api/v1/models', { name, baseUrl: fake.url, model, ...extra })).status,
      ).toBe(201);
    annotatorToken = (
      await api.post('/api/v1/workers', {
        email: 'red@example.test',
        name: 'Red',
        roles: ['annotator'],
      })
    ).body.token;
    annotator = client(t.url, annotatorToken);
    reviewer = client(
      t.url,
      (
        await api.post('/api/v1/workers', {
          email: 'blue@example.test',
          name: 'Blue',
          roles: ['reviewer'],
        })
      ).body.token,
    );
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const chat = (id: string, content: string, stream = false) =>
    annotator.post(
      `/api/v1/assignments/${id}/chat`,
      { content },
      stream ? { accept: 'text/event-stream' } : {},
    );

  async function liveTask(project: string, endpoint: string, extra: Record<string, unknown> = {}) {
    const created = await api.post('/v1/task/chat', {
      project,
      endpoint,
      max_turns: 2,
      flags: ['ncr'],
      ...extra,
    });
    expect(created.status).toBe(200);
    const claimed = await annotator.post(CLAIM_PATH, { project });
    expect(claimed.status).toBe(200);
    return claimed.body.assignment;
  }

  it('records a live chat turn by turn, streamed or not, and fills the submitted conversation', async () => {
    expect((await api.post('/v1/projects', { type: 'chat', name: 'chats' })).status).toBe(200);
    const unknown = await api.post('/v1/task/chat', { project: 'chats', endpoint: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('endpoint');

    const assignment = await liveTask('chats', 'target-a', {
      messages: [{ role: 'system', content: 'Be kind.' }],
    });
    // The endpoint is stored as its id, never shown by name.
    expect(assignment.task.params.endpoint).not.toBe('target-a');

    const early = await annotator.post(`/api/v1/assignments/${assignment.id}/submit`, {
      response: { flags: [] },
    });
    expect(early.status).toBe(422);
    expect(early.body.field).toBe('response.messages');

    const first = await chat(assignment.id, 'Hello there');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      turnsLeft: 1,
      reply: { content: 'echo: Hello there', finishReason: 'stop' },
    });
    expect(fake.requests.at(-1)!.body).toMatchObject({
      stream: true,
      messages: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hello there' },
      ],
    });

    const streamed = await chat(assignment.id, 'Tell me more', true);
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = eventsOf(streamed.body);
    expect(events.filter((e) => e.event === 'delta').length).toBeGreaterThan(1);
    expect(
      events
        .filter((e) => e.event === 'delta')
        .map((e) => e.data.content)
        .join(''),
    ).toBe('echo: Tell me more');
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.turnsLeft).toBe(0);
    expect(done.data.messages).toHaveLength(5);

    const spent = await chat(assignment.id, 'One more?');
    expect(spent.status).toBe(409);
    expect(spent.body.error).toMatch(/No turns left/);

    const transcript = await annotator.get(`/api/v1/assignments/${assignment.id}/chat`);
    expect(transcript.body.messages.map((m: { content: string }) => m.content)).toEqual([
      'Be kind.',
      'Hello there',
      'echo: Hello there',
      'Tell me more',
      'echo: Tell me more',
    ]);

    const forged = await annotator.post(`/api/v1/assignments/${assignment.id}/submit`, {
      response: {
        messages: [...transcript.body.messages.slice(0, 4), { role: 'assistant', content: 'evil' }],
        flags: [],
      },
    });
    expect(forged.status).toBe(422);
    expect(forged.body.field).toBe('response.messages');
    const flaggedUser = await annotator.post(`/api/v1/assignments/${assignment.id}/submit`, {
      response: { flags: [{ message: 1, category: 'ncr' }] },
    });
    expect(flaggedUser.status).toBe(422);
    expect(flaggedUser.body.field).toBe('response.flags.0.message');

    const submitted = await annotator.post(`/api/v1/assignments/${assignment.id}/submit`, {
      response: { flags: [{ message: 4, category: 'ncr', note: 'too eager' }] },
    });
    expect(submitted.status).toBe(200);
    const taskId = (await api.get(`/api/v1/assignments/${assignment.id}`)).body.assignment.task.id;
    const task = (await api.get(`/v1/task/${taskId}`)).body;
    expect(task.status).toBe('completed');
    expect(task.response.messages).toEqual(transcript.body.messages);
    expect(task.response.flags).toEqual([{ message: 4, category: 'ncr', note: 'too eager' }]);

    // Someone else's assignment is not found; a finished one cannot be continued.
    const stranger = client(
      t.url,
      (
        await api.post('/api/v1/workers', {
          email: 'other@example.test',
          name: 'Other',
          roles: ['annotator'],
        })
      ).body.token,
    );
    expect(
      (await stranger.post(`/api/v1/assignments/${assignment.id}/chat`, { content: 'hi' })).status,
    ).toBe(404);
  });

  it('retries a rate-limited model, and records nothing when the model fails', async () => {
    const limited = await liveTask('chats', 'limited');
    const reply = await chat(limited.id, 'retry me please');
    expect(reply.status).toBe(200);
    expect(reply.body.reply.content).toBe('echo: retry me please');
    await annotator.post(`/api/v1/assignments/${limited.id}/release`, { reason: 'done testing' });

    for (const [endpoint, problem] of [
      ['stalls', /broke off|time/i],
      ['cuts', /ended before the completion/],
      ['junk', /not a completion.*not JSON/],
    ] as const) {
      const assignment = await liveTask('chats', endpoint);
      const before = fake.requests.length;
      const failed = await chat(assignment.id, 'anything');
      // A stream that broke off after text reached the client is final; garbage is never retried.
      expect(failed.status).toBe(503);
      expect(failed.body.error).toMatch(problem);
      expect(fake.requests.length - before).toBe(1);
      const streamed = await chat(assignment.id, 'anything', true);
      if (endpoint === 'junk') {
        expect(streamed.status).toBe(503);
      } else {
        const last = eventsOf(streamed.body).at(-1)!;
        expect(last.event).toBe('error');
        expect(last.data.error).toMatch(problem);
      }
      const transcript = await annotator.get(`/api/v1/assignments/${assignment.id}/chat`);
      expect(transcript.body).toEqual({ messages: [], turnsLeft: 2 });
      await annotator.post(`/api/v1/assignments/${assignment.id}/release`, {
        reason: 'model broken',
      });
    }
  });

  it('runs a campaign: attempts routed, reviewed, reported with intervals and exported as pairs', async () => {
    const taxonomy = (await api.get('/api/v1/redteam/taxonomy')).body;
    expect(taxonomy.categories.map((c: { id: string }) => c.id)).toContain('cse');
    expect(taxonomy.categories).toHaveLength(12);

    const refused = await api.post('/api/v1/redteam/campaigns', {
      name: 'bad',
      endpoints: ['target-a'],
      categories: ['vcr', 'nope'],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('categories.1');
    const tooMany = await api.post('/api/v1/redteam/campaigns', {
      name: 'bad',
      endpoints: ['target-a'],
      attemptsPerCategory: 1000,
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.field).toBe('attemptsPerCategory');
    expect((await api.get('/v1/projects/redteam-bad')).status).toBe(404);

    const created = await api.post('/api/v1/redteam/campaigns', {
      name: 'spring',
      endpoints: ['target-a', 'target-b'],
      categories: ['ncr', 'hte'],
      attemptsPerCategory: 2,
      maxTurns: 3,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'spring',
      project: 'redteam-spring',
      categories: ['ncr', 'hte'],
      severities: ['low', 'moderate', 'high', 'severe'],
      tasks: { total: 8, completed: 0 },
    });
    expect(created.body.endpoints.map((e: { name: string }) => e.name)).toEqual([
      'target-a',
      'target-b',
    ]);
    const settings = (await api.get('/api/v1/projects/redteam-spring/settings')).body;
    expect(settings.consensus).toMatchObject({ min: 1, max: 1 });
    expect(settings.review.stage).toBe(true);
    expect(
      (
        await api.post('/api/v1/redteam/campaigns', {
          name: 'spring',
          endpoints: ['target-a'],
        })
      ).status,
    ).toBe(409);

    // Attempts: the annotator breaks target-b on every ncr attempt, never target-a.
    const endpointIds = Object.fromEntries(
      created.body.endpoints.map((e: { id: string; name: string }) => [e.id, e.name]),
    );
    for (let i = 0; i < 8; i++) {
      const claimed = await annotator.post(CLAIM_PATH, { project: 'redteam-spring' });
      expect(claimed.status).toBe(200);
      const { id, task } = claimed.body.assignment;
      expect(JSON.stringify(task.params)).not.toMatch(/target-a|target-b/);
      const category = task.params.redteam.category as string;
      const model = endpointIds[task.params.endpoint];
      const turn = await chat(id, `attack ${i}`, true);
      expect(eventsOf(turn.body).at(-1)!.event).toBe('done');
      const broken = model === 'target-b' && category === 'ncr';
      const response = broken
        ? {
            outcome: { success: true, category, severity: 'high', message: 1 },
            rewrite: 'I can’t help with that, but here is how to stay safe.',
          }
        : { outcome: { success: false, category } };
      const submitted = await annotator.post(`/api/v1/assignments/${id}/submit`, { response });
      expect(submitted.status).toBe(200);
    }
    expect((await annotator.post(CLAIM_PATH, { project: 'redteam-spring' })).status).toBe(204);
    // Nothing counts before review.
    expect((await api.get('/api/v1/redteam/campaigns/spring/report')).body.completed).toBe(0);

    // The reviewer sees the recorded conversation and accepts every attempt but one, which they
    // judge a success the annotator missed.
    let corrected = false;
    for (let i = 0; i < 8; i++) {
      const claimed = await reviewer.post(CLAIM_PATH, { project: 'redteam-spring' });
      expect(claimed.status).toBe(200);
      expect(claimed.body.assignment.stage).toBe('review');
      const { id, task } = claimed.body.assignment;
      const attempt = claimed.body.assignment.review.consensus.response;
      expect(attempt.messages).toHaveLength(2);
      let response: Record<string, unknown> = {
        outcome: attempt.outcome,
        ...(attempt.rewrite ? { rewrite: attempt.rewrite } : {}),
      };
      const model = endpointIds[task.params.endpoint];
      if (!corrected && model === 'target-a' && task.params.redteam.category === 'hte') {
        corrected = true;
        response = {
          outcome: { success: true, category: 'hte', severity: 'low', message: 1 },
          rewrite: 'A respectful answer.',
        };
      }
      const reviewed = await reviewer.post(`/api/v1/assignments/${id}/submit`, { response });
      expect(reviewed.status).toBe(200);
    }
    expect(corrected).toBe(true);

    const report = (await api.get(`/api/v1/redteam/campaigns/${created.body.id}/report`)).body;
    expect(report.completed).toBe(8);
    expect(report.overall).toMatchObject({ attempts: 8, successes: 3 });
    const byModel = Object.fromEntries(
      report.byModel.map((row: { model: string }) => [row.model, row]),
    );
    expect(byModel['target-b']).toMatchObject({ attempts: 4, successes: 2, rate: 0.5 });
    expect(byModel['target-a']).toMatchObject({ attempts: 4, successes: 1 });
    expect(byModel['target-b'].lower).toBeGreaterThan(0);
    expect(byModel['target-b'].upper).toBeLessThan(1);
    const ncr = report.byCategory.find((row: { category: string }) => row.category === 'ncr');
    expect(ncr).toMatchObject({ name: 'Non-violent crimes', attempts: 4, successes: 2 });
    expect(report.cells).toHaveLength(4);
    expect(report.severities).toEqual(
      expect.arrayContaining([
        { model: 'target-b', severity: 'high', count: 2 },
        { model: 'target-a', severity: 'low', count: 1 },
      ]),
    );
    expect(report.pairs).toBe(3);
    const campaign = (await api.get('/api/v1/redteam/campaigns/spring')).body;
    expect(campaign.tasks).toEqual({ total: 8, completed: 8 });

    const exported = await api.get(
      '/api/v1/redteam/campaigns/spring/export?format=trl-conversational',
    );
    expect(exported.headers.get('content-type')).toMatch(/ndjson/);
    const pairs = String(exported.body)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(pairs).toHaveLength(3);
    for (const pair of pairs) {
      expect(pair.prompt).toEqual([{ role: 'user', content: expect.stringMatching(/^attack /) }]);
      expect(pair.rejected[0].content).toMatch(/^echo: attack /);
      expect(pair.chosen[0].role).toBe('assistant');
    }
    const flat = await api.get('/api/v1/redteam/campaigns/spring/export?format=trl');
    expect(String(flat.body).split('\n')[0]).toContain('"prompt":"USER: attack');
    expect((await api.get('/api/v1/redteam/campaigns/nope/report')).status).toBe(404);
    expect((await annotator.get('/api/v1/redteam/campaigns')).status).toBe(403);
  });
});
