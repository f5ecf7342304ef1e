/**
 * `npm run bench -- editor`: the web app in headless Chromium.
 *
 * - Load: submit → next task interactive, with prefetch and, as the reference, without.
 * - Image: frame times while zooming and panning an image with 2,000 boxes, against the same image
 *   with none; then selecting and dragging a box.
 * - Text: a 50,000-character document with 1,000 spans against the same document with none:
 *   load time and frame times while scrolling.
 *
 * Frames are timed with requestAnimationFrame in the page (what the annotator sees).
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { createBenchDatabase } from './databases';
import { buildWebApp, launchBrowser, png } from '../e2e/support/browser';
import { freePort, serve, stop } from '../e2e/support/queue-run';

const KEY = `live_bench_editor_${process.pid}_key000000`;
const PASSWORD = 'bench password 1';

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** A seeded generator, so both sides of a comparison get the same data. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function client(url: string) {
  const authorization = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : null,
    });
    const json = (await response.json().catch(() => undefined)) as Record<string, any>;
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** Starts recording frame intervals in the page. */
const startFrames = (page: Page) =>
  page.evaluate(`(() => {
    const w = window;
    w.__frames = [];
    w.__recording = true;
    let last = performance.now();
    const tick = (now) => {
      w.__frames.push(now - last);
      last = now;
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);

const stopFrames = (page: Page) =>
  page.evaluate(
    `(() => { window.__recording = false; return window.__frames.slice(1); })()`,
  ) as Promise<number[]>;

function frameSummary(frames: number[]) {
  return {
    p50: quantile(frames, 0.5),
    p95: quantile(frames, 0.95),
    max: Math.max(...frames),
    count: frames.length,
  };
}

export async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      cycles: { type: 'string', default: '40' },
      boxes: { type: 'string', default: '2000' },
      spans: { type: 'string', default: '1000' },
      chars: { type: 'string', default: '50000' },
    },
  });
  const cycles = Number(values.cycles);
  const boxCount = Number(values.boxes);
  const spanCount = Number(values.spans);
  const chars = Number(values.chars);

  const webDir = buildWebApp();
  const database = await createBenchDatabase('editor');
  const port = await freePort();
  const server = await serve({
    port,
    key: KEY,
    databaseUrl: database.url,
    env: { QUORUM_WEB_DIR: webDir, QUORUM_LOG_LEVEL: 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  const api = client(url);
  const browser = await launchBrowser();
  try {
    await api('POST', '/api/v1/workers', {
      email: 'bench@example.test',
      name: 'Bench',
      roles: ['annotator'],
      password: PASSWORD,
    });
    const project = async (name: string, type: string) => {
      await api('POST', '/v1/projects', { type, name });
      await api('PATCH', `/api/v1/projects/${name}/settings`, {
        consensus: { min: 1, max: 1 },
        maxOpenClaims: 3,
      });
    };
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole('textbox', { name: 'Email' }).fill('bench@example.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    const open = async (name: string, prefetch = true) => {
      await page.goto(`${url}/?project=${name}&prefetch=${prefetch ? 1 : 0}`);
      await page.getByRole('button', { name: 'Start labeling' }).click();
      await page.locator('[data-assignment]').waitFor();
      // Start clicked → the task interactive, timed in the page.
      return (await page.evaluate(`(() => {
        const start = performance.getEntriesByName('quorum:start').at(-1).startTime;
        return performance.getEntriesByName('quorum:interactive').at(-1).startTime - start;
      })()`)) as number;
    };

    // ---- Load: submit → next task interactive.
    const load: Record<string, number[]> = {};
    for (const prefetch of [true, false]) {
      const name = `load-${prefetch ? 'prefetch' : 'direct'}`;
      await project(name, 'categorization');
      for (let i = 0; i < cycles + 3; i++)
        await api('POST', '/v1/task/categorization', {
          project: name,
          attachment: `Item ${i}: is this a cat or a dog?`,
          attachment_type: 'text',
          categories: ['cat', 'dog'],
        });
      await open(name, prefetch);
      const times: number[] = [];
      for (let i = 0; i < cycles; i++) {
        const before = await page.locator('[data-assignment]').getAttribute('data-assignment');
        await page.keyboard.press('1');
        await page.getByRole('button', { name: /^Submit/ }).click();
        await page.locator(`[data-assignment]:not([data-assignment="${before}"])`).waitFor();
        const took = (await page.evaluate(`(() => {
          const submit = performance.getEntriesByName('quorum:submit').at(-1).startTime;
          const ready = performance.getEntriesByName('quorum:interactive').at(-1).startTime;
          return ready - submit;
        })()`)) as number;
        if (i >= 3) times.push(took);
      }
      load[prefetch ? 'prefetch' : 'direct'] = times;
    }

    // ---- Image: 2,000 boxes against none.
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array(png(2000, 1500))], { type: 'image/png' }),
      'large.png',
    );
    const uploaded = (await fetch(`${url}/v1/files/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: form,
    }).then((r) => r.json())) as { attachment_url: string };
    const next = random(7);
    const boxes = Array.from({ length: boxCount }, () => {
      const width = 10 + next() * 60;
      const height = 10 + next() * 60;
      return {
        type: 'box',
        label: 'car',
        left: Math.round(next() * (2000 - width)),
        top: Math.round(next() * (1500 - height)),
        width: Math.round(width),
        height: Math.round(height),
      };
    });
    const image: Record<string, ReturnType<typeof frameSummary>> = {};
    let selectDrag: ReturnType<typeof frameSummary> | undefined;
    let selectMs = NaN;
    let selectWorkMs = NaN;
    for (const withBoxes of [false, true]) {
      const name = withBoxes ? 'image-boxes' : 'image-empty';
      await project(name, 'imageannotation');
      await api('POST', '/v1/task/imageannotation', {
        project: name,
        attachment: uploaded.attachment_url,
        geometries: { box: { objects_to_annotate: ['car'] } },
        ...(withBoxes ? { hypothesis: { annotations: boxes } } : {}),
      });
      await open(name);
      const stage = page.getByTestId('image-stage');
      await page.locator('[data-image-size]').waitFor();
      await page.waitForTimeout(300);
      const box = (await stage.boundingBox())!;
      const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      await page.mouse.move(centre.x, centre.y);
      await startFrames(page);
      for (let i = 0; i < 12; i++) {
        await page.mouse.wheel(0, -120);
        await page.waitForTimeout(16);
      }
      await page.mouse.down({ button: 'middle' });
      for (let i = 0; i < 40; i++) await page.mouse.move(centre.x + 8 * i, centre.y + 4 * i);
      await page.mouse.up({ button: 'middle' });
      for (let i = 0; i < 12; i++) {
        await page.mouse.wheel(0, 120);
        await page.waitForTimeout(16);
      }
      image[name] = frameSummary(await stopFrames(page));

      if (withBoxes) {
        // Select the topmost box at its centre and drag it.
        await page.keyboard.press('Control+0');
        await page.keyboard.press('v');
        await page.waitForTimeout(200);
        const [scale, vx, vy] = (await stage.getAttribute('data-view'))!.split(' ').map(Number) as [
          number,
          number,
          number,
        ];
        const target = boxes[boxes.length - 1]!;
        const at = {
          x: box.x + vx + (target.left + target.width / 2) * scale,
          y: box.y + vy + (target.top + target.height / 2) * scale,
        };
        await page.mouse.move(at.x, at.y);
        await startFrames(page);
        // Timed in the page: mouse down → the selection drawn (the frame after the DOM shows it).
        await page.evaluate(`(() => {
          const w = window;
          w.__downAt = undefined;
          w.__selectedAt = undefined;
          addEventListener('mousedown', () => { w.__downAt ??= performance.now(); }, { capture: true, once: true });
          const list = document.querySelector('[aria-label="Objects"]');
          const observer = new MutationObserver(() => {
            if (!list.querySelector('li[aria-selected="true"]')) return;
            observer.disconnect();
            w.__committedAt = performance.now();
            requestAnimationFrame(() => { w.__selectedAt = performance.now(); });
          });
          observer.observe(list, { subtree: true, attributes: true, attributeFilter: ['aria-selected'] });
        })()`);
        await page.mouse.down();
        await page.waitForFunction('window.__selectedAt !== undefined');
        selectMs = (await page.evaluate('window.__selectedAt - window.__downAt')) as number;
        selectWorkMs = (await page.evaluate('window.__committedAt - window.__downAt')) as number;
        await page.mouse.up();
        await page.mouse.down();
        for (let i = 1; i <= 30; i++) await page.mouse.move(at.x + i * 3, at.y + i * 2);
        await page.mouse.up();
        selectDrag = frameSummary(await stopFrames(page));
      }
    }

    // ---- Text: 50,000 characters with 1,000 spans against none.
    const words = [
      'data',
      'engine',
      'Zoë',
      'naïve',
      '😀',
      'القاهرة',
      'Paris',
      'model',
      'label',
      'truth',
    ];
    const pick = random(11);
    let text = '';
    while (text.length < chars) text += `${words[Math.floor(pick() * words.length)]} `;
    text = text.slice(0, chars);
    const points = Array.from(text);
    const starts: number[] = [];
    for (let i = 0; i < points.length; i++) if (i === 0 || points[i - 1] === ' ') starts.push(i);
    const step = Math.floor(starts.length / spanCount);
    const spans = Array.from({ length: spanCount }, (_, i) => {
      const start = starts[i * step]!;
      let end = start;
      while (end < points.length && points[end] !== ' ') end++;
      return { start, end, label: i % 2 ? 'PER' : 'LOC' };
    });
    const textFigures: Record<string, { load: number; scroll: ReturnType<typeof frameSummary> }> =
      {};
    for (const withSpans of [false, true]) {
      const name = withSpans ? 'text-spans' : 'text-plain';
      await project(name, 'namedentityrecognition');
      await api('POST', '/v1/task/namedentityrecognition', {
        project: name,
        text,
        labels: [{ name: 'PER' }, { name: 'LOC' }],
        ...(withSpans ? { hypothesis: { annotations: spans } } : {}),
      });
      const loadMs = await open(name);
      const documentBox = (await page.getByRole('document', { name: 'Document' }).boundingBox())!;
      await page.mouse.move(
        documentBox.x + documentBox.width / 2,
        documentBox.y + documentBox.height / 2,
      );
      await startFrames(page);
      for (let i = 0; i < 40; i++) {
        await page.mouse.wheel(0, 600);
        await page.waitForTimeout(16);
      }
      textFigures[name] = { load: loadMs, scroll: frameSummary(await stopFrames(page)) };
    }

    // ---- Report.
    const withPrefetch = load.prefetch!;
    const direct = load.direct!;
    console.log(`Editor benchmark (headless Chromium, server on PostgreSQL, ${cycles} cycles)\n`);
    console.log('Load: submit → next task interactive');
    console.log(
      `  with prefetch    median ${ms(quantile(withPrefetch, 0.5))}  p95 ${ms(quantile(withPrefetch, 0.95))}  (target median < 150 ms)`,
    );
    console.log(
      `  without prefetch median ${ms(quantile(direct, 0.5))}  p95 ${ms(quantile(direct, 0.95))}  (reference)`,
    );
    console.log(
      `  ratio            median ${(quantile(withPrefetch, 0.5) / quantile(direct, 0.5)).toFixed(2)}×\n`,
    );
    const empty = image['image-empty']!;
    const full = image['image-boxes']!;
    console.log(`Image ${boxCount} boxes, zoom and pan: frame p50 / p95 / max`);
    console.log(
      `  no boxes    ${ms(empty.p50)} / ${ms(empty.p95)} / ${ms(empty.max)}  (${empty.count} frames, reference)`,
    );
    console.log(
      `  ${boxCount} boxes ${ms(full.p50)} / ${ms(full.p95)} / ${ms(full.max)}  (${full.count} frames)`,
    );
    console.log(`  ratio p95   ${(full.p95 / empty.p95).toFixed(2)}×  (target ≤ 2×)`);
    console.log(
      `  select a box: ${ms(selectWorkMs)} of work from mouse down to the selection committed (one frame = ${ms(empty.p50)}), ${ms(selectMs)} to the next frame drawn; select+drag frames p50 / p95 / max ${ms(selectDrag!.p50)} / ${ms(selectDrag!.p95)} / ${ms(selectDrag!.max)} (one frame = ${ms(empty.p50)})\n`,
    );
    const plain = textFigures['text-plain']!;
    const rich = textFigures['text-spans']!;
    console.log(`Text ${chars} characters: load (click → interactive) and scroll frame p95`);
    console.log(
      `  no spans    load ${ms(plain.load)}  scroll p95 ${ms(plain.scroll.p95)}  (reference)`,
    );
    console.log(`  ${spanCount} spans  load ${ms(rich.load)}  scroll p95 ${ms(rich.scroll.p95)}`);
    console.log(
      `  ratio       load ${(rich.load / plain.load).toFixed(2)}×  scroll p95 ${(rich.scroll.p95 / plain.scroll.p95).toFixed(2)}×  (target ≤ 2×)`,
    );
  } finally {
    await browser.close();
    await stop(server);
    await database.drop();
    rmSync(webDir, { recursive: true, force: true });
  }
}
