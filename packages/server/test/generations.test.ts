import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_PATH } from '@quorum/core';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai';

describe.each(BACKENDS)('prompt sets and generation on %s', (backend) => {
  let t: TestPlatform;
  let fake: FakeOpenAi;
  let api: ReturnType<typeof client>;
  /** The task behind an assignment, as operators see it (workers see their own name for it). */
  const taskOf = async (assignment: string) => {
    const followed = await api.get(`/api/v1/assignments/${assignment}`);
    return (await api.get(`/v1/task/${followed.body.assignment.task.id}`)).body;
  };
  let duel = '';
  let tri = '';
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
      ['rater', 'judge-rate'],
      ['rater-junk', 'judge-rate-junk'],
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
      const claimed = await rater.post(CLAIM_PATH, { project: 'duel' });
      expect(claimed.status).toBe(200);
      const task = claimed.body.assignment.task;
      expect(task.params.context).toMatch(/^USER: /);
      const models = (await taskOf(claimed.body.assignment.id)).metadata.models as string[];
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
    expect(board.body.overall).not.toHaveProperty('styleControl');
    // Both models echo the prompt, so style never differs: style control changes no rating.
    const styled = await api.get(
      `/api/v1/generations/${generation.body.id}/leaderboard?bootstrap=200&style_control=true`,
    );
    expect(styled.status).toBe(200);
    const { rows, coefficients } = styled.body.overall.styleControl;
    expect(rows.map((row: { model: string }) => row.model)).toEqual(['echo', 'flaky-429']);
    rows.forEach((row: { rating: number }, i: number) =>
      expect(row.rating).toBeCloseTo(board.body.overall.rows[i].rating, 6),
    );
    expect(
      coefficients.map((c: { covariate: string; points: number }) => [c.covariate, c.points]),
    ).toEqual([
      ['length', 0],
      ['headers', 0],
      ['lists', 0],
      ['bold', 0],
    ]);
    expect(Object.keys(styled.body.categories).sort()).toEqual(['math', 'writing']);
    expect(styled.body.categories.math.styleControl.rows).toHaveLength(2);

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
      const claimed = await second.post(CLAIM_PATH, { project: 'duel-review' });
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

  it('holds style equal on request: measures the compared responses and says what style is worth', async () => {
    // `echo` repeats the prompt, so markdown in a prompt is markdown in its answer; `judge-a`
    // always gives the same short plain line. The rater always prefers the long markdown answer.
    await ndjson('styled-prompts', [
      { prompt: 'List two fruits:\n- apple\n- **pear**' },
      { prompt: 'Steps:\n1. boil the water\n2. add **salt** and __pasta__\n3. wait' },
      { prompt: 'Notes\n## Heading\n- one more item with several words in it' },
    ]);
    const generation = await api.post('/api/v1/generations', {
      promptSet: 'styled-prompts',
      models: ['echo-a', 'judge'],
    });
    await finished(generation.body.id);
    expect((await api.post('/v1/projects', { type: 'comparison', name: 'styled' })).status).toBe(
      200,
    );
    await api.raw('PATCH', '/api/v1/projects/styled/settings', { consensus: { min: 1, max: 1 } });
    const made = await api.post(`/api/v1/generations/${generation.body.id}/comparisons`, {
      project: 'styled',
    });
    expect(made.body).toEqual({ created: 3, skipped: 0 });
    const { token } = (
      await api.post('/api/v1/workers', {
        email: 'style-rater@example.test',
        name: 'S',
        roles: ['annotator'],
      })
    ).body;
    const rater = client(t.url, token);
    for (let i = 0; i < 3; i++) {
      const claimed = await rater.post(CLAIM_PATH, { project: 'styled' });
      const task = claimed.body.assignment.task;
      const models = (await taskOf(claimed.body.assignment.id)).metadata.models as string[];
      await rater.post(`/api/v1/assignments/${claimed.body.assignment.id}/submit`, {
        response: { preference: { winner: models.indexOf('echo') } },
      });
    }
    const path = `/api/v1/generations/${generation.body.id}/leaderboard?bootstrap=100`;
    const plain = (await api.get(path)).body.overall;
    expect(plain).not.toHaveProperty('styleControl');
    const styled = (await api.get(`${path}&style_control=true`)).body.overall;
    expect(styled.rows).toEqual(plain.rows);
    const gap = (rows: Array<{ model: string; rating: number }>) =>
      rows.find((row) => row.model === 'echo')!.rating -
      rows.find((row) => row.model === 'judge-a')!.rating;
    // Every win went to the longer answer with the lists and bold: style takes part of the credit.
    expect(gap(styled.styleControl.rows)).toBeGreaterThan(0);
    expect(gap(styled.styleControl.rows)).toBeLessThan(gap(plain.rows));
    const worth = Object.fromEntries(
      styled.styleControl.coefficients.map((c: { covariate: string; points: number }) => [
        c.covariate,
        c.points,
      ]),
    );
    expect(worth.length).toBeGreaterThan(0);
    expect(worth.lists).toBeGreaterThan(0);
    expect(worth.bold).toBeGreaterThan(0);
    // Only the third answer has a header (a header in the prompt's first line would follow "echo: ").
    expect(worth.headers).toBeGreaterThan(0);
    for (const coefficient of styled.styleControl.coefficients)
      expect(coefficient.sd).toBeGreaterThan(0);
    expect((await api.get(`${path}&style_control=yes`)).status).toBe(400);
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<string, { get: { parameters: Array<{ name: string }> } }>;
    };
    const documented = doc.paths['/api/v1/generations/{id}/leaderboard']!.get;
    expect(documented.parameters.map((parameter) => parameter.name)).toContain('style_control');
    expect(JSON.stringify(documented)).toMatch(/"styleControl".*"coefficients"/);
  });

  it('ranks, rates, flags and rewrites responses: rankings enter the board as pairs, ratings get intervals, rewrites become demonstrations', async () => {
    for (const [name, type] of [
      ['ranks', 'comparison'],
      ['rates', 'chat'],
    ])
      expect((await api.post('/v1/projects', { type, name })).status).toBe(200);
    await ndjson('tri-prompts', [
      { prompt: 'Name a colour.', category: 'easy' },
      { prompt: 'Name a planet.', category: 'easy' },
    ]);
    const generation = await api.post('/api/v1/generations', {
      promptSet: 'tri-prompts',
      models: ['echo-a', 'flaky', 'judge'],
    });
    await finished(generation.body.id);
    const id = generation.body.id as string;
    tri = id;
    const noCriteria = await api.post(`/api/v1/generations/${id}/comparisons`, {
      project: 'rates',
      mode: 'ratings',
    });
    expect(noCriteria.status).toBe(400);
    expect(noCriteria.body.field).toBe('criteria');
    const rankings = await api.post(`/api/v1/generations/${id}/comparisons`, {
      project: 'ranks',
      mode: 'ranking',
      flags: ['hte'],
      rewrite: true,
      rationale: false,
    });
    expect(rankings.body).toEqual({ created: 2, skipped: 0 });
    const ratings = await api.post(`/api/v1/generations/${id}/comparisons`, {
      project: 'rates',
      mode: 'ratings',
      criteria: [{ id: 'helpful', min: 1, max: 5 }],
      flags: ['hte'],
      rewrite: true,
    });
    expect(ratings.body).toEqual({ created: 6, skipped: 0 });

    const worker = async (email: string) =>
      client(
        t.url,
        (await api.post('/api/v1/workers', { email, name: email, roles: ['annotator'] })).body
          .token,
      );
    // The generation names each response by its endpoint's model.
    const order = ['judge-a', 'echo', 'flaky-429'];
    const ranker = await worker('ranker@example.test');
    for (let i = 0; i < 2; i++) {
      const claimed = await ranker.post(CLAIM_PATH, { project: 'ranks' });
      const { task } = claimed.body.assignment;
      expect(task.params).toMatchObject({ ranking: true, flags: ['hte'] });
      expect(task.params.attachments).toHaveLength(3);
      const models = (await taskOf(claimed.body.assignment.id)).metadata.models as string[];
      const ranking = order.map((model) => models.indexOf(model));
      const response = {
        ranking,
        flags: [{ attachment: models.indexOf('flaky-429'), category: 'hte' }],
        ...(i === 0 ? { rewrite: 'Blue.' } : {}),
      };
      expect(
        (
          await ranker.post(`/api/v1/assignments/${claimed.body.assignment.id}/submit`, {
            response,
          })
        ).status,
      ).toBe(200);
    }
    const rater = await worker('likert@example.test');
    for (let i = 0; i < 6; i++) {
      const claimed = await rater.post(CLAIM_PATH, { project: 'rates' });
      const { task } = claimed.body.assignment;
      expect(task.type).toBe('chat');
      expect(task.params.responses).toHaveLength(1);
      const [model] = (await taskOf(claimed.body.assignment.id)).metadata.models as string[];
      const response = {
        ratings: { helpful: [{ 'judge-a': 5, echo: 3, 'flaky-429': 1 }[model!]!] },
        flags: model === 'flaky-429' ? [{ response: 0, category: 'hte' }] : [],
        ...(model === 'flaky-429' ? { rewrite: 'Mars.' } : {}),
      };
      expect(
        (await rater.post(`/api/v1/assignments/${claimed.body.assignment.id}/submit`, { response }))
          .status,
      ).toBe(200);
    }

    const board = (await api.get(`/api/v1/generations/${id}/leaderboard?bootstrap=50`)).body;
    expect(board.overall.rows.map((row: { model: string }) => row.model)).toEqual(order);
    expect(board.overall.rows.map((row: { battles: number }) => row.battles)).toEqual([4, 4, 4]);
    expect(board.overall.comparisons).toBe(6);

    const summary = await api.get(`/api/v1/generations/${id}/ratings`);
    expect(summary.status).toBe(200);
    const helpful = summary.body.criteria.find(
      (c: { criterion: string }) => c.criterion === 'helpful',
    );
    expect(
      helpful.models.map((m: { model: string; mean: number; count: number }) => [
        m.model,
        m.mean,
        m.count,
      ]),
    ).toEqual([
      ['echo', 3, 2],
      ['flaky-429', 1, 2],
      ['judge-a', 5, 2],
    ]);
    expect(summary.body.flags).toEqual([
      { model: 'flaky-429', category: 'hte', count: 4, shown: 4 },
    ]);
    expect(summary.body.rewrites).toEqual([{ model: 'flaky-429', count: 2 }]);

    const sft = String((await api.get(`/api/v1/generations/${id}/export?format=sft`)).body)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const taught = sft.map((row) => row.messages.at(-1).content);
    expect(taught).toEqual(expect.arrayContaining(['Blue.', 'Mars.']));
    expect(sft.find((row) => row.messages.at(-1).content === 'Blue.').messages[0]).toEqual({
      role: 'user',
      content: expect.stringMatching(/^Name a /),
    });
  });

  it('has a judge model rate responses beside people: weighted kappa per criterion, the gaps sent back', async () => {
    const started = await api.post(`/api/v1/generations/${tri}/judges`, { model: 'rater' });
    expect(started.status).toBe(201);
    // The pairwise rankings are not judged; the six rating tasks are.
    expect(started.body.tasks).toBe(6);
    await api.post(`/api/v1/generations/${tri}/judges`, { model: 'rater-junk' });
    let report: any;
    for (let i = 0; i < 200; i++) {
      report = (await api.get(`/api/v1/generations/${tri}/judges`)).body;
      if (report.judges.every((judge: { pending: number }) => judge.pending === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const junk = report.judges.find((judge: { judge: string }) => judge.judge === 'rater-junk');
    expect(junk).toMatchObject({ verdicts: 0, failed: 6 });
    expect(junk.errors[0]).toMatch(/not valid JSON/);
    const rater = report.judges.find((judge: { judge: string }) => judge.judge === 'rater');
    expect(rater.verdicts).toBe(6);
    // People gave judge-a 5, echo 3 and flaky 1; this judge gives 5 to "[[A]]…" answers, else 3.
    expect(rater.ratings.helpful.items).toBe(6);
    expect(rater.ratings.helpful.meanAbsoluteDifference).toBeCloseTo(4 / 6);
    expect(rater.ratings.helpful.kappa).toBeGreaterThan(0);
    expect(rater.ratings.helpful.kappa).toBeLessThan(1);
    expect(rater.disagreements).toHaveLength(2);

    // The two gaps go back to people as rating tasks; the second look sides with the first people.
    expect((await api.post('/v1/projects', { type: 'chat', name: 'rates-review' })).status).toBe(
      200,
    );
    const routed = await api.post(`/api/v1/generations/${tri}/judges/review`, {
      judge: 'rater',
      project: 'rates-review',
    });
    expect(routed.body).toMatchObject({ created: 2 });
    const second = client(
      t.url,
      (
        await api.post('/api/v1/workers', {
          email: 'second-rater@example.test',
          name: 'second',
          roles: ['annotator'],
        })
      ).body.token,
    );
    for (let i = 0; i < 2; i++) {
      const claimed = await second.post(CLAIM_PATH, { project: 'rates-review' });
      expect(claimed.body.assignment.task.type).toBe('chat');
      await second.post(`/api/v1/assignments/${claimed.body.assignment.id}/submit`, {
        response: { ratings: { helpful: [1] }, flags: [] },
      });
    }
    const after = (await api.get(`/api/v1/generations/${tri}/judges`)).body.judges.find(
      (judge: { judge: string }) => judge.judge === 'rater',
    );
    expect(after.reviews).toEqual({ reviewed: 2, withJudge: 0, withHumans: 2, neither: 0 });
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
