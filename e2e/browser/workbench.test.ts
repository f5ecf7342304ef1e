import { join } from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { client, startTestPlatform, type TestPlatform } from '../../packages/server/test/harness';
import { ARTIFACTS, buildWebApp, launchBrowser, png, watchForErrors } from '../support/browser';
import { startFakeOpenAi } from '../../packages/server/test/support/fake-openai';
import { CLAIM_PATH } from '@quorum/core';
import { createOrganization } from '../../packages/server/src/services/api-keys';

/**
 * Runs in the page: selects the document's text between two UTF-16 offsets (across the pieces
 * spans cut it into), as a mouse selection would, and lets go of the button.
 */
// Page code, typed loosely: the test program is compiled without the DOM library.
function SELECT_RANGE(root: any, [start, end]: number[]) {
  const page = globalThis as any;
  const walker = page.document.createTreeWalker(root, page.NodeFilter.SHOW_TEXT);
  const range = page.document.createRange();
  let offset = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length: number = node.textContent.length;
    if (start! >= offset && start! <= offset + length) range.setStart(node, start! - offset);
    if (end! >= offset && end! <= offset + length) range.setEnd(node, end! - offset);
    offset += length;
  }
  page.getSelection().removeAllRanges();
  page.getSelection().addRange(range);
  root.dispatchEvent(new page.MouseEvent('mouseup', { bubbles: true }));
}

const OWNER = { email: 'owner@example.test', password: 'owner password 1' };
const PASSWORD = 'annotator password';

describe('the web app in Chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let webDir: string;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    webDir = buildWebApp();
    t = await startTestPlatform('postgres', {
      QUORUM_WEB_DIR: webDir,
      QUORUM_OWNER_EMAIL: OWNER.email,
      QUORUM_OWNER_PASSWORD: OWNER.password,
      // The chat-completions server the RLHF test starts runs on loopback.
      QUORUM_EGRESS_ALLOW: '127.0.0.1',
    });
    api = client(t.url, t.key);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  async function worker(email: string, roles: string[] = ['annotator']) {
    const created = await api.post('/api/v1/workers', {
      email,
      name: email.split('@')[0],
      roles,
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; token: string };
  }

  async function project(name: string, type: string, settings: Record<string, unknown> = {}) {
    expect((await api.post('/v1/projects', { type, name })).status).toBe(200);
    const patched = await api.raw('PATCH', `/api/v1/projects/${name}/settings`, {
      consensus: { min: 1, max: 1 },
      ...settings,
    });
    expect(patched.status).toBe(200);
  }

  async function signIn(
    email: string,
    password = PASSWORD,
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const problems = watchForErrors(page);
    await page.goto(t.url);
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return { page, problems };
  }

  async function startLabeling(page: Page, projectName: string) {
    await page.getByRole('link', { name: 'Labeling' }).click();
    await page.getByRole('textbox', { name: 'Project (optional)' }).fill(projectName);
    await page.getByRole('button', { name: 'Start labeling' }).click();
  }

  async function submitAndWait(page: Page, taskId: string) {
    await page.getByRole('button', { name: /^Submit/ }).click();
    await expect
      .poll(async () => (await api.get(`/v1/task/${taskId}`)).body.status, { timeout: 15_000 })
      .toBe('completed');
    return (await api.get(`/v1/task/${taskId}`)).body.response as Record<string, any>;
  }

  it('draws a box at a zoom other than 100% and stores exact image pixels', async () => {
    await project('boxes', 'imageannotation');
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array(png(400, 300))], { type: 'image/png' }),
      'street.png',
    );
    const uploaded = await fetch(`${t.url}/v1/files/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}` },
      body: form,
    }).then((r) => r.json() as Promise<{ attachment_url: string }>);
    const task = await api.post('/v1/task/imageannotation', {
      project: 'boxes',
      attachment: uploaded.attachment_url,
      geometries: { box: { objects_to_annotate: ['car'] } },
      instruction: '# Cars\nDraw a **tight** box around each car. <script>alert(1)</script>',
    });
    expect(task.status).toBe(200);
    await worker('boxer@example.test');
    const { page, problems } = await signIn('boxer@example.test');
    await startLabeling(page, 'boxes');
    const stage = page.getByTestId('image-stage');
    await expect.poll(() => stage.getAttribute('data-image-size')).toBe('400 300');
    // The only geometry and class are active from the start.
    expect(await page.getByRole('button', { name: 'Box' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(await page.getByRole('radio', { name: /car/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const [scale, x, y] = (await stage.getAttribute('data-view'))!.split(' ').map(Number) as [
      number,
      number,
      number,
    ];
    expect(Math.abs(scale - 1)).toBeGreaterThan(0.1);
    const origin = (await stage.boundingBox())!;
    // Whole CSS pixels, as a mouse reports them.
    const from = {
      x: Math.round(origin.x + origin.width / 2 - 120),
      y: Math.round(origin.y + origin.height / 2 - 70),
    };
    const to = { x: from.x + 173, y: from.y + 101 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 50, from.y + 40, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await page.mouse.up();
    await expect
      .poll(() => page.getByRole('list', { name: 'Objects' }).getByRole('listitem').count())
      .toBe(1);
    await page.keyboard.press('i');
    await page.getByRole('heading', { name: 'Cars' }).waitFor();
    expect(await page.getByLabel('Instructions').textContent()).toContain(
      '<script>alert(1)</script>',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'image-editor.png') });
    const response = await submitAndWait(page, task.body.task_id);
    const box = response.annotations[0];
    const image = (p: { x: number; y: number }) => ({
      x: (p.x - origin.x - x) / scale,
      y: (p.y - origin.y - y) / scale,
    });
    const a = image(from);
    const b = image(to);
    expect(box.type).toBe('box');
    expect(box.label).toBe('car');
    expect(Math.abs(box.left - a.x)).toBeLessThanOrEqual(0.0051);
    expect(Math.abs(box.top - a.y)).toBeLessThanOrEqual(0.0051);
    expect(Math.abs(box.left + box.width - b.x)).toBeLessThanOrEqual(0.011);
    expect(Math.abs(box.top + box.height - b.y)).toBeLessThanOrEqual(0.011);
    expect(problems).toEqual([]);
  });

  it('draws a polygon, a point, a polyline and an ellipse, and resizes a pre-labelled box', async () => {
    await project('shapes', 'imageannotation');
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array(png(400, 300))], { type: 'image/png' }),
      'yard.png',
    );
    const uploaded = await fetch(`${t.url}/v1/files/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}` },
      body: form,
    }).then((r) => r.json() as Promise<{ attachment_url: string }>);
    const task = await api.post('/v1/task/imageannotation', {
      project: 'shapes',
      attachment: uploaded.attachment_url,
      geometries: {
        box: { objects_to_annotate: [{ choice: 'vehicle', subchoices: ['car', 'van'] }] },
        polygon: { objects_to_annotate: ['building'] },
        point: { objects_to_annotate: ['tree'] },
        line: { objects_to_annotate: ['lane'] },
        ellipse: { objects_to_annotate: ['ball'] },
      },
      hypothesis: {
        annotations: [{ type: 'box', label: 'van', left: 100, top: 80, width: 60, height: 40 }],
      },
    });
    expect(task.status).toBe(200);
    await worker('shaper@example.test');
    const { page, problems } = await signIn('shaper@example.test');
    await startLabeling(page, 'shapes');
    const stage = page.getByTestId('image-stage');
    await expect.poll(() => stage.getAttribute('data-image-size')).toBe('400 300');
    const objects = page.getByRole('list', { name: 'Objects' }).getByRole('listitem');
    expect(await objects.count()).toBe(1);
    const [scale, x, y] = (await stage.getAttribute('data-view'))!.split(' ').map(Number) as [
      number,
      number,
      number,
    ];
    const origin = (await stage.boundingBox())!;
    const screen = (p: { x: number; y: number }) => ({
      x: Math.round(origin.x + x + p.x * scale),
      y: Math.round(origin.y + y + p.y * scale),
    });
    const image = (p: { x: number; y: number }) => ({
      x: (p.x - origin.x - x) / scale,
      y: (p.y - origin.y - y) / scale,
    });

    await page.keyboard.press('p');
    expect(await page.getByRole('radio', { name: /building/ }).isChecked()).toBe(true);
    const corners = [
      screen({ x: 220, y: 40 }),
      screen({ x: 340, y: 60 }),
      screen({ x: 300, y: 160 }),
    ];
    for (const corner of corners) await page.mouse.click(corner.x, corner.y);
    await page.keyboard.press('Enter');
    await page.keyboard.press('k');
    const tree = screen({ x: 50, y: 250 });
    await page.mouse.click(tree.x, tree.y);
    await page.keyboard.press('l');
    const lane = [screen({ x: 20, y: 290 }), screen({ x: 380, y: 200 })];
    for (const corner of lane) await page.mouse.click(corner.x, corner.y);
    await page.keyboard.press('Enter');
    await page.keyboard.press('e');
    const ball = [screen({ x: 300, y: 220 }), screen({ x: 360, y: 260 })];
    await page.mouse.move(ball[0]!.x, ball[0]!.y);
    await page.mouse.down();
    await page.mouse.move(ball[1]!.x, ball[1]!.y, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => objects.count()).toBe(5);

    // Select the van and pull its bottom-right handle 30 screen pixels right and 20 down.
    await page.keyboard.press('v');
    const inside = screen({ x: 130, y: 100 });
    await page.mouse.click(inside.x, inside.y);
    await expect
      .poll(() =>
        page
          .getByRole('list', { name: 'Objects' })
          .locator('li[aria-selected="true"]')
          .textContent(),
      )
      .toContain('van');
    const corner = { x: origin.x + x + 160 * scale, y: origin.y + y + 120 * scale };
    await page.mouse.move(corner.x, corner.y);
    await page.mouse.down();
    await page.mouse.move(corner.x + 15, corner.y + 10, { steps: 3 });
    await page.mouse.move(corner.x + 30, corner.y + 20, { steps: 3 });
    await page.mouse.up();
    // Nested classes show under their parent.
    expect(await page.locator('.class-group').first().textContent()).toBe('vehicle');
    await page.screenshot({ path: join(ARTIFACTS, 'image-shapes.png') });

    const response = await submitAndWait(page, task.body.task_id);
    const byType = (type: string) =>
      response.annotations.find((a: { type: string }) => a.type === type);
    const polygon = byType('polygon');
    expect(polygon.label).toBe('building');
    polygon.vertices.forEach((vertex: { x: number; y: number }, index: number) => {
      const expected = image(corners[index]!);
      expect(Math.abs(vertex.x - expected.x)).toBeLessThanOrEqual(0.0051);
      expect(Math.abs(vertex.y - expected.y)).toBeLessThanOrEqual(0.0051);
    });
    const point = byType('point');
    expect(point.label).toBe('tree');
    expect(Math.abs(point.x - image(tree).x)).toBeLessThanOrEqual(0.0051);
    const line = byType('line');
    expect(line.label).toBe('lane');
    expect(line.vertices).toHaveLength(2);
    const ellipse = byType('ellipse');
    expect(ellipse.label).toBe('ball');
    const [top, right, bottom, left] = ellipse.vertices;
    const [a, b] = [image(ball[0]!), image(ball[1]!)];
    expect(top.y).toBeCloseTo(a.y, 1);
    expect(bottom.y).toBeCloseTo(b.y, 1);
    expect(left.x).toBeCloseTo(a.x, 1);
    expect(right.x).toBeCloseTo(b.x, 1);
    const van = byType('box');
    expect(van).toMatchObject({ label: 'van', left: 100, top: 80 });
    expect(van.width).toBeCloseTo(60 + 30 / scale, 1);
    expect(van.height).toBeCloseTo(40 + 20 / scale, 1);
    expect(problems).toEqual([]);
  });

  it('labels entity spans in text with emoji, combining marks and right-to-left script by code point', async () => {
    await project('entities', 'namedentityrecognition');
    const text = 'Hi 👋 Jose\u0301 😀 flew to القاهرة today';
    const task = await api.post('/v1/task/namedentityrecognition', {
      project: 'entities',
      text,
      labels: [{ name: 'PER' }, { name: 'LOC' }],
    });
    expect(task.status).toBe(200);
    await worker('tagger@example.test');
    const { page, problems } = await signIn('tagger@example.test');
    await startLabeling(page, 'entities');
    const documentBox = page.getByRole('document', { name: 'Document' });
    await documentBox.waitFor();
    // Select by UTF-16 offsets in the page, as a mouse selection would; end mid-grapheme for "José".
    const select = (from: number, to: number) => documentBox.evaluate(SELECT_RANGE, [from, to]);
    const jose = text.indexOf('Jose');
    await select(jose, jose + 4);
    // Deselect the new span, then make LOC the active label for the next selection.
    await page.keyboard.press('Escape');
    await page.keyboard.press('2');
    expect(await page.getByRole('radio', { name: /LOC/ }).getAttribute('aria-checked')).toBe(
      'true',
    );
    await select(text.indexOf('القاهرة'), text.indexOf('القاهرة') + 'القاهرة'.length);
    await expect
      .poll(() => page.getByRole('list', { name: 'Spans' }).getByRole('listitem').count())
      .toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'text-editor.png') });
    const response = await submitAndWait(page, task.body.task_id);
    const points = Array.from(text);
    const at = (needle: string) => Array.from(text.slice(0, text.indexOf(needle))).length;
    expect(response.annotations).toEqual([
      { start: at('Jose'), end: at('Jose') + 5, label: 'PER', text: 'Jose\u0301' },
      { start: at('القاهرة'), end: at('القاهرة') + 7, label: 'LOC', text: 'القاهرة' },
    ]);
    expect(points.slice(response.annotations[0].start, response.annotations[0].end).join('')).toBe(
      'Jose\u0301',
    );
    expect(problems).toEqual([]);
  });

  it('compares two responses: a tie with a rationale', async () => {
    await project('compare', 'comparison');
    const task = await api.post('/v1/task/comparison', {
      project: 'compare',
      attachment_type: 'text',
      attachments: [
        'The capital of France is Paris.',
        'Paris is the capital city of France. <b>bold?</b>',
      ],
      choices: ['A is better', 'Tie', 'B is better'],
      fields: { rationale: 'Why?' },
    });
    expect(task.status).toBe(200);
    await worker('judge@example.test');
    const { page, problems } = await signIn('judge@example.test');
    await startLabeling(page, 'compare');
    await page
      .getByRole('region', { name: 'Response B' })
      .getByText('<b>bold?</b>', { exact: false })
      .waitFor();
    await page.getByRole('radio', { name: /Tie/ }).check();
    await page.getByRole('textbox', { name: 'Why?' }).fill('Both are correct and equally clear.');
    await page.screenshot({ path: join(ARTIFACTS, 'comparison-editor.png') });
    const response = await submitAndWait(page, task.body.task_id);
    expect(response).toEqual({
      choice: 'Tie',
      fields: { rationale: 'Both are correct and equally clear.' },
    });
    expect(problems).toEqual([]);
  });

  it('states a preference with its strength and rates each response on a rubric', async () => {
    await project('prefer', 'comparison');
    const task = await api.post('/v1/task/comparison', {
      project: 'prefer',
      attachment_type: 'text',
      attachments: ['Water boils at 100 °C at sea level.', 'Water boils at 90 °C.'],
      preference: { strength: ['slightly', 'clearly', 'much'] },
      criteria: [
        { id: 'correct', description: 'Correctness', min: 1, max: 5 },
        { id: 'clear', description: 'Clarity', min: 1, max: 5 },
      ],
      fields: { rationale: 'Rationale' },
    });
    expect(task.status).toBe(200);
    await worker('rater@example.test');
    const { page, problems } = await signIn('rater@example.test');
    await startLabeling(page, 'prefer');
    await page.getByRole('region', { name: 'Response A' }).waitFor();
    await page.keyboard.press('1');
    await page
      .getByRole('radiogroup', { name: 'By how much' })
      .getByRole('radio', { name: 'much' })
      .check();
    for (const [name, value] of [
      ['Correctness of response A', '5'],
      ['Correctness of response B', '1'],
      ['Clarity of response A', '4'],
      ['Clarity of response B', '4'],
    ] as const)
      await page.getByRole('combobox', { name }).selectOption(value);
    await page.getByRole('textbox', { name: 'Rationale' }).fill('B has the wrong temperature.');
    await page.screenshot({ path: join(ARTIFACTS, 'preference-editor.png') });
    const response = await submitAndWait(page, task.body.task_id);
    expect(response).toEqual({
      preference: { winner: 0, strength: 'much' },
      ratings: { correct: [5, 1], clear: [4, 4] },
      fields: { rationale: 'B has the wrong temperature.' },
    });
    expect(problems).toEqual([]);
  });

  it('fills a text collection form, with untrusted markup shown as text', async () => {
    await project('forms', 'textcollection');
    const task = await api.post('/v1/task/textcollection', {
      project: 'forms',
      attachments: [
        { type: 'text', content: '## Receipt\nTotal **11.79** <img src=x onerror="alert(1)">' },
      ],
      fields: [
        { type: 'text', field_id: 'store', title: 'Store name', required: true },
        { type: 'number', field_id: 'total', title: 'Total', min: 0 },
        {
          type: 'category',
          field_id: 'payment',
          title: 'Payment',
          choices: [
            { label: 'Card', value: 'card' },
            { label: 'Cash', value: 'cash' },
          ],
        },
        { type: 'boolean', field_id: 'legible', title: 'Legible' },
      ],
    });
    expect(task.status).toBe(200);
    await worker('clerk@example.test');
    const { page, problems } = await signIn('clerk@example.test');
    await startLabeling(page, 'forms');
    const attachment = page.getByRole('document', { name: 'Attachment 1' });
    await attachment.getByRole('heading', { name: 'Receipt' }).waitFor();
    expect(await attachment.locator('img').count()).toBe(0);
    expect(await attachment.textContent()).toContain('<img src=x onerror="alert(1)">');
    await page.getByRole('textbox', { name: /Store name/ }).fill('Café Zoë');
    await page.getByRole('spinbutton', { name: 'Total' }).fill('11.79');
    await page.getByRole('radio', { name: 'Cash' }).check();
    await page.getByRole('checkbox', { name: 'Legible' }).check();
    await page.screenshot({ path: join(ARTIFACTS, 'textcollection-editor.png') });
    const response = await submitAndWait(page, task.body.task_id);
    expect(response).toEqual({
      annotations: { store: 'Café Zoë', total: 11.79, payment: ['cash'], legible: true },
    });
    expect(problems).toEqual([]);
  });

  it('works through a project task after task, each submission claiming the one after next', async () => {
    await project('loop', 'categorization', { leaseSeconds: 600 });
    const ids: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const created = await api.post('/v1/task/categorization', {
        project: 'loop',
        attachment: `Item ${i}`,
        attachment_type: 'text',
        categories: ['cat', 'dog'],
      });
      ids.push(created.body.task_id);
    }
    const me = await worker('looper@example.test');
    const { page, problems } = await signIn('looper@example.test');
    const claims: string[] = [];
    const submissions: Array<Record<string, unknown>> = [];
    page.on('request', (request) => {
      if (request.url().endsWith(CLAIM_PATH)) claims.push(request.url());
      if (/\/submit$/.test(request.url())) submissions.push(request.postDataJSON());
    });
    await startLabeling(page, 'loop');
    const shown: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const workbench = page.locator(`section.workbench:has-text("Item ${i}")`);
      await workbench.waitFor();
      shown.push((await workbench.getAttribute('data-assignment'))!);
      await page.getByRole('radio', { name: /cat/ }).check();
      await page.getByRole('button', { name: /^Submit/ }).click();
    }
    await page.getByRole('status').filter({ hasText: 'Nothing to label right now' }).waitFor();
    expect(new Set(shown).size).toBe(4);
    // Claims for the first task and the prefetched second; the submissions claimed the third and
    // fourth, and the fourth, shown with nothing held behind it, prefetched (and found nothing).
    expect(claims).toHaveLength(3);
    expect(submissions).toHaveLength(4);
    for (const body of submissions) expect(body).toMatchObject({ next: { project: 'loop' } });
    for (const id of ids) expect((await api.get(`/v1/task/${id}`)).body.status).toBe('completed');
    const open = await t.platform.ctx.database.db
      .selectFrom('assignments')
      .select('id')
      .where('worker_id', '=', me.id)
      .where('status', '=', 'active')
      .execute();
    expect(open).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('keeps a short lease alive, holds shortcuts behind a dialog and goes on past a lost task', async () => {
    await project('brief', 'categorization', { leaseSeconds: 5 });
    for (let i = 1; i <= 3; i++)
      await api.post('/v1/task/categorization', {
        project: 'brief',
        attachment: `Brief ${i}`,
        attachment_type: 'text',
        categories: ['cat', 'dog'],
      });
    await worker('brief@example.test');
    const { page, problems } = await signIn('brief@example.test');
    await startLabeling(page, 'brief');
    const first = page.locator('section.workbench:has-text("Brief 1")');
    await first.waitFor();
    const id = (await first.getAttribute('data-assignment'))!;
    const row = () =>
      t.platform.ctx.database.db
        .selectFrom('assignments')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    // Twice the lease later the claim is still held: heartbeats follow the lease's length.
    await page.waitForTimeout(10_000);
    expect((await row()).status).toBe('active');
    expect((await row()).lease_expires_at.getTime()).toBeGreaterThan(Date.now());

    // The Skip dialog has the keyboard: a label's key does nothing behind it; Escape closes it.
    await page.getByRole('button', { name: 'Skip' }).click();
    const dialog = page.getByRole('dialog', { name: 'Skip this task' });
    await dialog.waitFor();
    await page.keyboard.press('1');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByRole('radio', { name: /cat/ }).isChecked()).toBe(false);

    // The task is taken back meanwhile: the submission's 409 is shown, and the next task with it.
    await t.platform.ctx.database.db
      .updateTable('assignments')
      .set({ status: 'released', release_reason: 'taken back by a manager' })
      .where('id', '=', id)
      .execute();
    await page.getByRole('radio', { name: /cat/ }).check();
    await page.getByRole('button', { name: /^Submit/ }).click();
    await page.locator('section.workbench:has-text("Brief 2")').waitFor();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Last task: This assignment was released: taken back by a manager' })
      .waitFor();
    // The notice goes with the next task.
    await page.getByRole('radio', { name: /cat/ }).check();
    await page.getByRole('button', { name: /^Submit/ }).click();
    await page.locator('section.workbench:has-text("Brief 3")').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    // The browser reports the 409 it was answered; nothing else went wrong.
    expect(problems.filter((problem) => !problem.includes('409 (Conflict)'))).toEqual([]);
  });

  it('trains a paused annotator back: training only, the score and expected answer, then work', async () => {
    // An organization of its own, so that no other test's work is open to the annotator.
    const org = await t.testDatabase.database.db
      .transaction()
      .execute((tx) => createOrganization(tx, 'practice-org'));
    const operator = client(t.url, org.key);
    expect(
      (await operator.post('/v1/projects', { type: 'categorization', name: 'practice' })).status,
    ).toBe(200);
    await operator.raw('PATCH', '/api/v1/projects/practice/settings', {
      consensus: { min: 1, max: 1 },
      leaseSeconds: 600,
    });
    const lesson = await operator.post('/v1/training_tasks/categorization', {
      project: 'practice',
      attachment: 'Lesson: a purring animal',
      attachment_type: 'text',
      categories: ['cat', 'dog'],
      expected_response: { category: 'cat' },
    });
    expect(lesson.status).toBe(200);
    await operator.post('/v1/task/categorization', {
      project: 'practice',
      attachment: 'Real work',
      attachment_type: 'text',
      categories: ['cat', 'dog'],
    });
    const created = await operator.post('/api/v1/workers', {
      email: 'practising@example.test',
      name: 'practising',
      roles: ['annotator'],
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    const me = created.body as { id: string; token: string };
    // A lesson taken and given back, then a pause.
    const own = client(t.url, me.token);
    const taken = (await own.post(CLAIM_PATH, { project: 'practice' })).body.assignment;
    expect(taken.stage).toBe('training');
    await own.post(`/api/v1/assignments/${taken.id}/release`, { reason: 'later' });
    await operator.raw('PATCH', `/api/v1/projects/practice/workers/${me.id}`, {
      status: 'paused',
      reason: 'careless',
    });
    const { page, problems } = await signIn('practising@example.test');
    // With no project named, the page says where the worker is held back.
    await startLabeling(page, '');
    await page
      .getByRole('alert')
      .filter({ hasText: 'You are paused on project "practice".' })
      .waitFor();
    await page.getByRole('textbox', { name: 'Project (optional)' }).fill('practice');
    await page.getByRole('button', { name: 'Start labeling' }).click();
    await page.getByRole('alert').filter({ hasText: 'paused on project "practice"' }).waitFor();
    expect(await page.getByRole('status').count()).toBe(0);
    await page.getByRole('checkbox', { name: /Training only/ }).check();
    await page.getByRole('button', { name: 'Start labeling' }).click();
    await page.locator('section.workbench:has-text("Lesson: a purring animal")').waitFor();
    await page.getByRole('radio', { name: /dog/ }).check();
    await page.getByRole('button', { name: /^Submit/ }).click();
    const feedback = page.getByRole('region', { name: 'Training feedback' });
    await feedback.getByText('Your score: 0%').waitFor();
    expect(await feedback.locator('pre').textContent()).toContain('"cat"');
    // Training done: no lesson left, and the annotator is back at work.
    await page.getByRole('button', { name: 'Next task' }).click();
    await page.getByRole('status').filter({ hasText: 'Nothing to label right now' }).waitFor();
    await page.getByRole('checkbox', { name: /Training only/ }).uncheck();
    await page.getByRole('button', { name: 'Start labeling' }).click();
    await page.locator('section.workbench:has-text("Real work")').waitFor();
    expect(problems.filter((problem) => !problem.includes('403 (Forbidden)'))).toEqual([]);
  });

  it('lets a reviewer see the disagreeing attempts and correct the consensus', async () => {
    await project('reviewed', 'categorization', {
      consensus: { min: 2, max: 2 },
      review: { stage: true },
    });
    const task = await api.post('/v1/task/categorization', {
      project: 'reviewed',
      attachment: 'A small animal that purrs',
      attachment_type: 'text',
      categories: ['cat', 'dog', 'bird'],
    });
    for (const [email, category] of [
      ['first@example.test', 'dog'],
      ['second@example.test', 'bird'],
    ] as const) {
      const { token } = await worker(email);
      const as = client(t.url, token);
      const claimed = await as.post(CLAIM_PATH, { project: 'reviewed' });
      expect(claimed.status).toBe(200);
      expect(
        (
          await as.post(`/api/v1/assignments/${claimed.body.assignment.id}/submit`, {
            response: { category },
          })
        ).status,
      ).toBe(200);
    }
    await worker('reviewer@example.test', ['reviewer']);
    const { page, problems } = await signIn('reviewer@example.test');
    await startLabeling(page, 'reviewed');
    const attempts = page.getByRole('list', { name: 'Attempts' });
    await attempts.waitFor();
    expect(await attempts.getByText(/differs from the consensus/).count()).toBeGreaterThanOrEqual(
      1,
    );
    await page.getByRole('radio', { name: /cat/ }).check();
    await page.screenshot({ path: join(ARTIFACTS, 'review.png') });
    const response = await submitAndWait(page, task.body.task_id);
    expect(response.category).toBe('cat');
    expect(problems).toEqual([]);
  });

  it('overlays the attempts on an image under review and names what differs', async () => {
    await project('image-review', 'imageannotation', {
      consensus: { min: 2, max: 2 },
      review: { stage: true },
    });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png(400, 300))], { type: 'image/png' }), 'r.png');
    const uploaded = await fetch(`${t.url}/v1/files/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}` },
      body: form,
    }).then((r) => r.json() as Promise<{ attachment_url: string }>);
    const task = await api.post('/v1/task/imageannotation', {
      project: 'image-review',
      attachment: uploaded.attachment_url,
      geometries: { box: { objects_to_annotate: ['car', 'van'] } },
    });
    const box = (label: string, left: number) => ({
      type: 'box',
      label,
      left,
      top: 100,
      width: 80,
      height: 50,
    });
    const answers = [
      { annotations: [box('car', 40), box('van', 250)] },
      { annotations: [box('car', 42)] },
    ];
    for (const [index, response] of answers.entries()) {
      const { token } = await worker(`boxer${index}@example.test`);
      const as = client(t.url, token);
      const claimed = await as.post(CLAIM_PATH, { project: 'image-review' });
      expect(claimed.status).toBe(200);
      const submitted = await as.post(`/api/v1/assignments/${claimed.body.assignment.id}/submit`, {
        response,
      });
      expect(submitted.status).toBe(200);
    }
    await worker('image-reviewer@example.test', ['reviewer']);
    const { page, problems } = await signIn('image-reviewer@example.test');
    await startLabeling(page, 'image-review');
    await page.getByRole('checkbox', { name: 'Show Attempt 1' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Show Attempt 2' }).isChecked()).toBe(true);
    const attempts = page.getByRole('list', { name: 'Attempts' });
    expect(await attempts.textContent()).toMatch(/consensus objects matched/);
    await page.screenshot({ path: join(ARTIFACTS, 'image-review.png') });
    await page.getByRole('checkbox', { name: 'Show Attempt 1' }).uncheck();
    const response = await submitAndWait(page, task.body.task_id);
    expect(Array.isArray(response.annotations)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('underlines in the document what the attempts disagree on, for a text review', async () => {
    await project('ner-review', 'namedentityrecognition', {
      consensus: { min: 2, max: 2 },
      review: { stage: true },
    });
    const text = 'Ada Lovelace met Charles Babbage in London.';
    const span = (needle: string, label: string) => ({
      start: text.indexOf(needle),
      end: text.indexOf(needle) + needle.length,
      label,
    });
    const task = await api.post('/v1/task/namedentityrecognition', {
      project: 'ner-review',
      text,
      labels: [{ name: 'PER' }, { name: 'LOC' }],
    });
    const answers = [
      { annotations: [span('Ada Lovelace', 'PER'), span('London', 'LOC')] },
      { annotations: [span('Ada Lovelace', 'PER'), span('Charles Babbage', 'PER')] },
    ];
    for (const [index, response] of answers.entries()) {
      const { token } = await worker(`tagger${index}@example.test`);
      const as = client(t.url, token);
      const claimed = await as.post(CLAIM_PATH, { project: 'ner-review' });
      expect(claimed.status).toBe(200);
      const submitted = await as.post(`/api/v1/assignments/${claimed.body.assignment.id}/submit`, {
        response,
      });
      expect(submitted.status).toBe(200);
    }
    await worker('text-reviewer@example.test', ['reviewer']);
    const { page, problems } = await signIn('text-reviewer@example.test');
    await startLabeling(page, 'ner-review');
    const documentBox = page.getByRole('document', { name: 'Document' });
    await documentBox.waitFor();
    const marked = documentBox.locator('.attempt-only, mark.disputed');
    expect(await marked.count()).toBeGreaterThan(0);
    expect(await documentBox.textContent()).toBe(text);
    const attemptsList = await page.getByRole('list', { name: 'Attempts' }).textContent();
    expect(attemptsList).toContain('spans not in the consensus: LOC [36, 42)');
    expect(attemptsList).not.toContain('spans missed');
    await page.screenshot({ path: join(ARTIFACTS, 'text-review.png') });
    const response = await submitAndWait(page, task.body.task_id);
    expect(Array.isArray(response.annotations)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('takes prompts through two models to preferences in the browser, a leaderboard and DPO data', async () => {
    const fake = await startFakeOpenAi();
    try {
      for (const [name, model] of [
        ['model-a', 'echo'],
        ['model-b', 'busy'],
      ])
        expect((await api.post('/api/v1/models', { name, baseUrl: fake.url, model })).status).toBe(
          201,
        );
      const imported = await api.raw(
        'POST',
        '/api/v1/prompt-sets?name=arena-prompts',
        [
          { prompt: 'Explain rain to a child.', category: 'explain' },
          { prompt: 'Name three prime numbers.', category: 'math' },
        ]
          .map((line) => JSON.stringify(line))
          .join('\n'),
        { 'content-type': 'application/x-ndjson' },
      );
      expect(imported.status).toBe(201);
      const generation = await api.post('/api/v1/generations', {
        promptSet: 'arena-prompts',
        models: ['model-a', 'model-b'],
      });
      await expect
        .poll(
          async () => (await api.get(`/api/v1/generations/${generation.body.id}`)).body.status,
          { timeout: 20_000 },
        )
        .toBe('completed');
      await project('arena', 'comparison');
      const made = await api.post(`/api/v1/generations/${generation.body.id}/comparisons`, {
        project: 'arena',
        strength: ['slightly', 'much'],
      });
      expect(made.body).toEqual({ created: 2, skipped: 0 });

      await worker('arena-rater@example.test');
      const { page, problems } = await signIn('arena-rater@example.test');
      await startLabeling(page, 'arena');
      for (let i = 0; i < 2; i++) {
        const prompt = page.getByRole('document', { name: 'Prompt' });
        await prompt.waitFor();
        expect(await prompt.textContent()).toMatch(/^USER: /);
        const before = await page.locator('[data-assignment]').getAttribute('data-assignment');
        await page.keyboard.press('1');
        await page
          .getByRole('radiogroup', { name: 'By how much' })
          .getByRole('radio', { name: 'much' })
          .check();
        if (i === 0) await page.screenshot({ path: join(ARTIFACTS, 'arena-comparison.png') });
        await page.getByRole('button', { name: /^Submit/ }).click();
        if (i === 0)
          await page.locator(`[data-assignment]:not([data-assignment="${before}"])`).waitFor();
      }
      await page.getByRole('status').filter({ hasText: 'Nothing to label' }).waitFor();
      expect(problems).toEqual([]);

      expect(
        (await api.post('/api/v1/models', { name: 'judge', baseUrl: fake.url, model: 'judge-a' }))
          .status,
      ).toBe(201);
      expect(
        (await api.post(`/api/v1/generations/${generation.body.id}/judges`, { model: 'judge' }))
          .status,
      ).toBe(201);
      await expect
        .poll(
          async () =>
            (await api.get(`/api/v1/generations/${generation.body.id}/judges`)).body.judges[0]
              ?.verdicts,
          {
            timeout: 20_000,
          },
        )
        .toBe(2);
      const owner = await signIn(OWNER.email, OWNER.password);
      await owner.page.getByRole('link', { name: 'Generations' }).click();
      await owner.page.getByRole('link', { name: generation.body.id }).click();
      await owner.page.getByRole('heading', { name: /All prompts \(2 comparisons\)/ }).waitFor();
      await owner.page
        .getByRole('img', { name: 'Ratings with 95% intervals, All prompts' })
        .waitFor();
      await owner.page.getByRole('heading', { name: 'Judges' }).waitFor();
      await owner.page.getByRole('row', { name: /^judge/ }).waitFor();
      await owner.page.screenshot({
        path: join(ARTIFACTS, 'console-leaderboard.png'),
        fullPage: true,
      });
      const href = await owner.page
        .getByRole('link', { name: 'TRL preference (prompt, chosen, rejected)' })
        .getAttribute('href');
      const exported = (await owner.page.evaluate(
        `fetch(${JSON.stringify(href)}).then((r) => r.text())`,
      )) as string;
      const rows = exported
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, string>);
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(Object.keys(row)).toEqual(['prompt', 'chosen', 'rejected']);
      expect(owner.problems).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('runs the operator console: projects, quality, workforce, with no console errors', async () => {
    const { page, problems } = await signIn(OWNER.email, OWNER.password);
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('from-the-console');
    await page.getByRole('combobox', { name: 'Task type' }).selectOption('categorization');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'from-the-console' }).click();
    await page
      .getByRole('textbox', { name: /Tasks, one JSON object per line \(categorization/ })
      .fill(
        [
          '{"attachment": "a purring animal", "attachment_type": "text", "categories": ["cat", "dog"]}',
          '{"attachment": "a barking animal", "attachment_type": "text", "categories": ["cat", "dog"]}',
        ].join('\n'),
      );
    await page.getByRole('button', { name: 'Create tasks' }).click();
    await page.getByRole('status').filter({ hasText: '2 tasks created' }).waitFor();
    const listed = await api.get('/v1/tasks?project=from-the-console');
    expect(listed.body.docs).toHaveLength(2);
    // A skip's reason shows on the project's page, as text.
    const skipper = client(t.url, (await worker('skipper@example.test')).token);
    const skipped = await skipper.post(CLAIM_PATH, { project: 'from-the-console' });
    const reason = '<b>blurry</b> & cut off';
    expect(
      (
        await skipper.post(`/api/v1/assignments/${skipped.body.assignment.id}/release`, {
          reason,
        })
      ).status,
    ).toBe(200);
    await page.reload();
    const releases = page.getByRole('region', { name: 'Skipped and given back' });
    await releases
      .getByRole('row', { name: /skipper@example.test/ })
      .getByText(reason)
      .waitFor();
    expect(await releases.locator('b').count()).toBe(0);
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('link', { name: 'reviewed' }).click();
    await page.getByRole('heading', { name: 'Quality' }).waitFor();
    await page.getByRole('heading', { name: 'Annotators', exact: true }).waitFor();
    await page.getByRole('spinbutton', { name: 'Lease seconds' }).fill('600');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    expect((await api.get('/api/v1/projects/reviewed/settings')).body.leaseSeconds).toBe(600);
    await page.screenshot({ path: join(ARTIFACTS, 'console-project.png'), fullPage: true });
    await page.getByRole('heading', { name: 'Annotators on this project' }).waitFor();
    await page.getByRole('img', { name: 'Agreement with the consensus per annotator' }).waitFor();
    // Pausing a member asks for the reason they will be told; reinstating undoes it.
    const pauseButton = page.getByRole('button', { name: /^Pause / }).first();
    const pausedEmail = (await pauseButton.getAttribute('aria-label'))!.replace(/^Pause /, '');
    await pauseButton.click();
    const pausing = page.getByRole('dialog', { name: `Pause ${pausedEmail}` });
    await pausing.getByRole('textbox', { name: 'Reason' }).fill('checking their boxes');
    await pausing.getByRole('button', { name: 'Pause' }).click();
    await page
      .getByRole('row', { name: new RegExp(`${pausedEmail}.*checking their boxes`) })
      .waitFor();
    const standing = (await api.get('/api/v1/projects/reviewed/workers')).body.docs as Array<{
      email: string;
      worker: string;
    }>;
    expect(standing.find((member) => member.email === pausedEmail)).toMatchObject({
      status: 'paused',
      reason: 'checking their boxes',
    });
    await page.getByRole('button', { name: `Reinstate ${pausedEmail}` }).click();
    await page.getByRole('button', { name: `Pause ${pausedEmail}` }).waitFor();
    // A member sent back to training is let work by a button that says it skips training.
    const member = standing.find((person) => person.email === pausedEmail)!;
    const sentBack = await api.raw('PATCH', `/api/v1/projects/reviewed/workers/${member.worker}`, {
      status: 'training',
    });
    expect(sentBack.status).toBe(200);
    await page.reload();
    await page.getByRole('button', { name: `Skip training for ${pausedEmail}` }).click();
    await page.getByRole('button', { name: `Pause ${pausedEmail}` }).waitFor();
    expect(
      (
        (await api.get('/api/v1/projects/reviewed/workers')).body.docs as Array<{
          email: string;
          status: string;
        }>
      ).find((person) => person.email === pausedEmail)?.status,
    ).toBe('active');
    await page.getByRole('link', { name: 'Workforce' }).click();
    await page.getByRole('row', { name: /boxer@example.test/ }).waitFor();
    // Editing a person: roles, skills, languages and clearance, and the API's word on bad input.
    await page.getByRole('button', { name: 'Edit boxer@example.test' }).click();
    const editing = page.getByRole('dialog', { name: 'Edit boxer@example.test' });
    await editing.getByRole('checkbox', { name: 'reviewer' }).check();
    await editing.getByRole('textbox', { name: /Skills/ }).fill('medical:3, french');
    await editing.getByRole('textbox', { name: /Languages/ }).fill('en, fr-CA');
    await editing.getByRole('spinbutton', { name: 'Clearance' }).fill('2');
    await editing.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved boxer@example.test' }).waitFor();
    const people = (await api.get('/api/v1/workers?limit=500')).body.docs as Array<{
      email: string;
    }>;
    expect(people.find((person) => person.email === 'boxer@example.test')).toMatchObject({
      roles: ['annotator', 'reviewer'],
      skills: { medical: 3, french: 1 },
      languages: ['en', 'fr-CA'],
      clearance: 2,
    });
    await page.getByRole('row', { name: /french:1, medical:3/ }).waitFor();
    await page.getByRole('button', { name: 'Edit boxer@example.test' }).click();
    await editing.getByRole('textbox', { name: /Languages/ }).fill('english!');
    const seen = problems.length;
    await editing.getByRole('button', { name: 'Save' }).click();
    await editing.getByRole('alert').filter({ hasText: 'languages' }).waitFor();
    // The refusal the browser logs is this one, expected.
    expect(problems.splice(seen)).toEqual([
      expect.stringMatching(/status of 400 .*\/api\/v1\/workers\//),
    ]);
    await page.keyboard.press('Escape');
    await editing.waitFor({ state: 'detached' });
    // Payouts for whole UTC days: the link asks for what the API gives for that window.
    const payouts = page.getByRole('region', { name: 'Payouts' });
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await payouts.getByLabel('From', { exact: true }).fill(day(-1));
    await payouts.getByLabel('Through', { exact: true }).fill(day(1));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      payouts.getByRole('link', { name: 'Download payouts CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const expected = await api.get(
      `/api/v1/payouts.csv?from=${day(-1)}T00:00:00Z&to=${day(2)}T00:00:00.000Z`,
    );
    expect(csv).toMatch(/^worker_id,email,name,pool,currency/);
    expect(csv).toBe(expected.body);

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('textbox', { name: 'Key name' }).fill('pipeline');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page
      .getByRole('status')
      .filter({ hasText: 'shown this once' })
      .locator('code')
      .textContent();
    expect((await client(t.url, secret!).get('/v1/projects')).status).toBe(200);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke pipeline' }).click();
    await expect
      .poll(async () => (await client(t.url, secret!).get('/v1/projects')).status)
      .toBe(401);

    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { name: 'Callback deliveries' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'console-keys-deliveries.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
