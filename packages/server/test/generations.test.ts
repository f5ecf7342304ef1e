import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai';

describe.each(BACKENDS)('prompt sets and generation on %s', (backend) => {
  let t: TestPlatform;
  let fake: FakeOpenAi;
  let api: ReturnType<typeof client>;
  let duel = '';
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    t = await startTestPlatform(backend, { QUORUM_EGRESS_ALLOW: '127.0.0.1' });
    api = client(t.url, t.key);
    for (const [name, model] of [
      ['echo-a', 'echo'],
      ['flaky', 'flaky-429'],
      ['junk', 'garbage'],
      ['judge', 'judge-a'],
      ['babbler', 'judge-babble'],
    ])
      expect(
        (await api.post('/api/v1/models', { name, baseUrl: fake.url, model, maxRetries: 2 }))
          .status,
      ).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const ndjson = (name: string, lines: Array<string | object>, skip = false) =>
    api.raw(
      'POST',
      `/api/v1/prompt-sets?name=${name}${skip ? '&skipBadLines=true' : ''}`,
      lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n'),
      { 'content-type': 'application/x-ndjson' },
    );

  async function finished(id: string) {
    for (let i = 0; i < 200; i++) {
      const view = await api.get(`/api/v1/generations/${id}`);
      if (view.body.status === 'completed') return view.body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the generation did not finish');
  }

  it('refuses a set with a bad line by its number and imports nothing, unless asked to skip', async () => {
    const lines = [
      { prompt: 'One' },
      '{"prompt": }',
      { messages: [{ role: 'assistant', content: 'x' }] },
    ];
    const refused = await ndjson('broken', lines);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/^line 2: not valid JSON/);
    expect((await api.get('/api/v1/prompt-sets')).body.docs).toEqual([]);
    const skipped = await ndjson('broken', lines, true);
    expect(skipped.status).toBe(201);
    expect(skipped.body).toMatchObject({
      prompts: 1,
      skipped: 2,
      problems: [
        { line: 2, reason: 'not valid JSON' },
        { line: 3, reason: expect.stringMatching(/last message must be the user/) },
      ],
    });
  });

  it('generates from each model for each prompt, storing content, latency and tokens or the failure', async () => {
    const imported = await ndjson('capitals', [
      { prompt: 'Capital of France?', category: 'geo' },
      { system: 'Be brief', prompt: 'Capital of Peru?' },
      {
        messages: [
          { role: 'user', content: 'Name a prime.' },
          { role: 'assistant', content: '7' },
          { role: 'user', content: 'Another one?' },
        ],
      },
    ]);
    expect(imported.status).toBe(201);
    const started = await api.post('/api/v1/generations', {
      promptSet: 'capitals',
      models: ['echo-a', 'flaky', 'junk'],
      parameters: { temperature: 0 },
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'running', total: 9 });
    const done = await finished(started.body.id);
    expect(done).toMatchObject({ total: 9, succeeded: 6, failed: 3, pending: 0 });

    const responses = (await api.get(`/api/v1/generations/${started.body.id}/responses?limit=100`))
      .body.docs;
    expect(responses).toHaveLength(9);
    const echo = responses.filter((r: { model: string }) => r.model === 'echo');
    expect(echo.map((r: { content: string }) => r.content).sort()).toEqual([
      'echo: Another one?',
      'echo: Capital of France?',
      'echo: Capital of Peru?',
    ]);
    for (const response of echo) {
      expect(response.status).toBe('succeeded');
      expect(response.latencyMs).toBeGreaterThan(0);
      expect(response.usage.completionTokens).toBeGreaterThan(0);
      expect(response.parameters).toMatchObject({ temperature: 0 });
    }
    const flaky = responses.filter((r: { model: string }) => r.model === 'flaky-429');
    expect(flaky.every((r: { status: string }) => r.status === 'succeeded')).toBe(true);
    const junk = responses.filter((r: { model: string }) => r.model === 'garbage');
    for (const response of junk) {
      expect(response.status).toBe('failed');
      expect(response.content).toBeNull();
      expect(response.error).toMatch(/not a completion/);
    }
    // The multi-turn prompt went out whole.
    const sent = fake.requests.find(
      (r) => r.model === 'echo' && JSON.stringify(r.body).includes('Another one?'),
    )!;
    expect((sent.body.messages as unknown[]).length).toBe(3);

    const resumed = await api.post(`/api/v1/generations/${started.body.id}/resume`, {
      retryFailed: true,
    });
    expect(resumed.status).toBe(200);
    const again = await finished(started.body.id);
    expect(again).toMatchObject({ succeeded: 6, failed: 3 });
    const retried = (
      await api.get(`/api/v1/generations/${started.body.id}/responses?limit=100`)
    ).body.docs.filter((r: { model: string }) => r.model === 'garbage');
    expect(retried.every((r: { attempts: number }) => r.attempts === 2)).toBe(true);
  });

  it('turns a generation into preference tasks, a leaderboard and DPO data', async () => {
    expect((await api.post('/v1/projects', { type: 'comparison', name: 'duel' })).status).toBe(200);
    expect(
      (await api.raw('PATCH', '/api/v1/projects/duel/settings', { consensus: { min: 1, max: 1 } }))
        .status,
    ).toBe(200);
    await ndjson('duel-prompts', [
      { prompt: 'Write a haiku about rain.', category: 'writing' },
      { prompt: 'Write a limerick about a cat.', category: 'writing' },
      { prompt: 'What is 17 * 23?', category: 'math' },
      { prompt: 'Is 91 prime?', category: 'math' },
    ]);
    const generation = await api.post('/api/v1/generations', {
      promptSet: 'duel-prompts',
      models: ['echo-a', 'flaky'],
    });
    duel = generation.body.id;
    await finished(generation.body.id);
    const made = await api.post(`/api/v1/generations/${generation.body.id}/comparisons`, {
      project: 'duel',
      strength: ['slightly', 'much'],
    });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({ created: 4, skipped: 0 });

    // Two annotators: the first prefers the echo model three times and ties once.
    const { token } = (
      await api.post('/api/v1/workers', {
        email: 'rater1@example.test',
        name: 'R1',
        roles: ['annotator'],
      })
    ).body;
    const rater = client(t.url, token);
    for (let i = 0; i < 4; i++) {
      const claimed = await rater.post('/api/v1/work/claim', { project: 'duel' });
      expect(claimed.status).toBe(200);
      const task = claimed.body.assignment.task;
      expect(task.params.context).toMatch(/^USER: /);
      const models = (await api.get(`/v1/task/${task.id}`)).body.metadata.models as string[];
      // Annotators are not told which model wrote which response.
      expect(JSON.stringify(claimed.body)).not.toMatch(/echo-a|flaky/);
      const echoSide = models.indexOf('echo');
      const preference = i === 3 ? { winner: 'tie' } : { winner: echoSide, strength: 'much' };
      const submitted = await rater.post(
        `/api/v1/assignments/${claimed.body.assignment.id}/submit`,
        {
          response: { preference, fields: { rationale: 'clearer' } },
        },
      );
      expect(submitted.status).toBe(200);
    }

    const board = await api.get(
      `/api/v1/generations/${generation.body.id}/leaderboard?bootstrap=200`,
    );
    expect(board.status).toBe(200);
    expect(board.body.overall.comparisons).toBe(4);
    expect(board.body.overall.rows[0].model).toBe('echo');
    expect(board.body.overall.rows[0].rating).toBeGreaterThan(board.body.overall.rows[1].rating);
    expect(board.body.overall.rows[0].battles).toBe(4);
    expect(Object.keys(board.body.categories).sort()).toEqual(['math', 'writing']);
    const winRates = board.body.overall.winRates;
    const echo = board.body.overall.models.indexOf('echo');
    expect(winRates[echo][1 - echo]).toBeCloseTo(3.5 / 4, 9);

    const exported = async (format: string) => {
      const response = await fetch(
        `${t.url}/api/v1/generations/${generation.body.id}/export?format=${format}`,
        {
          headers: { authorization: `Bearer ${t.key}` },
        },
      );
      expect(response.headers.get('content-type')).toMatch(/ndjson/);
      return (await response.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
    };
    const trl = await exported('trl');
    expect(trl).toHaveLength(3);
    for (const row of trl) {
      expect(Object.keys(row)).toEqual(['prompt', 'chosen', 'rejected']);
      expect(row.prompt).toMatch(/^USER: /);
      expect(row.chosen).toMatch(/^echo: /);
    }
    const conversational = await exported('trl-conversational');
    expect(conversational[0].prompt[0]).toMatchObject({ role: 'user' });
    expect(conversational[0].chosen).toEqual([
      { role: 'assistant', content: expect.stringMatching(/^echo: /) },
    ]);
    const kto = await exported('kto');
    expect(kto).toHaveLength(6);
    expect(
      kto.filter((row) => row.label === true).every((row) => /^echo: /.test(row.completion)),
    ).toBe(true);
    const reward = await exported('reward&raters=true');
    expect(reward.map((row) => row.margin)).toEqual([2, 2, 2]);
    expect(reward[0]).toMatchObject({ rater: expect.any(String) });
    const sft = await exported('sft');
    expect(sft).toHaveLength(3);
    expect(sft[0].messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: expect.stringMatching(/^echo: /),
    });
    const hh = await exported('hh-rlhf');
    expect(hh[0].chosen).toMatch(/^\n\nHuman: .+\n\nAssistant: echo: /s);
    expect(board.body.overall.elo.echo).toBeGreaterThan(board.body.overall.elo['flaky-429']);
    const arena = await exported('arena');
    expect(arena).toHaveLength(4);
    expect(arena.filter((row) => row.winner === 'tie')).toHaveLength(1);
    expect(arena[0]).toMatchObject({ judge: expect.any(String), category: expect.any(String) });
    expect((await api.get('/api/v1/generations/nope/export?format=trl')).status).toBe(404);
  });

  it('has a judge model rate the comparisons and reports its agreement with the humans', async () => {
    const started = await api.post(`/api/v1/generations/${duel}/judges`, { model: 'judge' });
    expect(started.status).toBe(201);
    expect(started.body).toEqual({ judge: 'judge', model: 'judge-a', tasks: 4 });
    expect(
      (await api.post(`/api/v1/generations/${duel}/judges`, { model: 'babbler' })).status,
    ).toBe(201);
    let report: any;
    for (let i = 0; i < 100; i++) {
      report = (await api.get(`/api/v1/generations/${duel}/judges`)).body;
      if (
        report.judges.length === 2 &&
        report.judges.every((j: { pending: number }) => j.pending === 0)
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const judge = report.judges.find((j: { judge: string }) => j.judge === 'judge');
    expect(judge).toMatchObject({ verdicts: 4, failed: 0, pending: 0 });
    // The humans preferred the echo model three times and tied once; the judge always says A.
    const humansForA = await Promise.all(
      (await api.get('/v1/tasks?project=duel')).body.docs.map(async (task: { task_id: string }) => {
        const answers = (await api.get(`/api/v1/tasks/${task.task_id}/answers`)).body;
        return answers.docs?.[0]?.response?.preference?.winner === 0;
      }),
    );
    expect(judge.agreement.items).toBe(4);
    expect(judge.agreement.observed).toBeCloseTo(humansForA.filter(Boolean).length / 4, 9);
    expect(judge.disagreements).toHaveLength(4 - humansForA.filter(Boolean).length);
    expect(Object.keys(judge.categories).sort()).toEqual(['math', 'writing']);
    const babbler = report.judges.find((j: { judge: string }) => j.judge === 'babbler');
    expect(babbler).toMatchObject({ verdicts: 0, failed: 4 });
    expect(babbler.errors[0]).toMatch(/names no verdict/);
    expect(babbler.agreement.items).toBe(0);
    // The disagreements go back to people; the reviewers here side with the judge (A).
    expect(
      (await api.post('/v1/projects', { type: 'comparison', name: 'duel-review' })).status,
    ).toBe(200);
    await api.raw('PATCH', '/api/v1/projects/duel-review/settings', {
      consensus: { min: 1, max: 1 },
    });
    const routed = await api.post(`/api/v1/generations/${duel}/judges/review`, {
      judge: 'judge',
      project: 'duel-review',
    });
    expect(routed.status).toBe(201);
    expect(routed.body).toEqual({ created: judge.disagreements.length, alreadySent: 0 });
    expect(judge.disagreements.length).toBeGreaterThan(0);
    const { token } = (
      await api.post('/api/v1/workers', {
        email: 'second-look@example.test',
        name: 'S',
        roles: ['annotator'],
      })
    ).body;
    const second = client(t.url, token);
    for (let i = 0; i < judge.disagreements.length; i++) {
      const claimed = await second.post('/api/v1/work/claim', { project: 'duel-review' });
      expect(claimed.status).toBe(200);
      await second.post(`/api/v1/assignments/${claimed.body.assignment.id}/submit`, {
        response: { preference: { winner: 0, strength: 'slightly' } },
      });
    }
    const after = (await api.get(`/api/v1/generations/${duel}/judges`)).body.judges.find(
      (j: { judge: string }) => j.judge === 'judge',
    );
    expect(after.reviews).toEqual({
      reviewed: judge.disagreements.length,
      withJudge: judge.disagreements.length,
      withHumans: 0,
      neither: 0,
    });
    const again = await api.post(`/api/v1/generations/${duel}/judges/review`, {
      judge: 'judge',
      project: 'duel-review',
    });
    expect(again.body).toEqual({ created: 0, alreadySent: judge.disagreements.length });
    // Reviews are a second look, not more votes: the leaderboard still counts the 4 first ones.
    expect(
      (await api.get(`/api/v1/generations/${duel}/leaderboard?bootstrap=0`)).body.overall
        .comparisons,
    ).toBe(4);
    // Judging again finds nothing new.
    expect((await api.post(`/api/v1/generations/${duel}/judges`, { model: 'judge' })).status).toBe(
      409,
    );
  });

  it('refuses unknown models and prompt sets by name', async () => {
    const unknownModel = await api.post('/api/v1/generations', {
      promptSet: 'capitals',
      models: ['nope'],
    });
    expect(unknownModel.status).toBe(404);
    expect(unknownModel.body.error).toMatch(/Model endpoint "nope"/);
    const unknownSet = await api.post('/api/v1/generations', {
      promptSet: 'nope',
      models: ['echo-a'],
    });
    expect(unknownSet.status).toBe(404);
  });
});
