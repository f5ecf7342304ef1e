import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertValidCoco,
  fromLabelStudioTask,
  fromSpacyDoc,
  labelStudioConfigXml,
  parseCsv,
  parseLabelStudioConfig,
  parseVocXml,
  parseYoloClasses,
  parseYoloDataYaml,
  parseYoloLabels,
  readConll,
} from '@quorum/formats';
import { createOrganization } from '../src/services/api-keys';
import { startExport } from '../src/services/export-formats';
import { openExport } from '../src/services/exports';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

/** A PNG header (signature and IHDR) of a 64 × 48 image: all an export reads of it. */
const PNG_64x48 = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.from([0, 0, 0, 64, 0, 0, 0, 48, 8, 2, 0, 0, 0]),
  Buffer.alloc(64),
]);

const box = (label: string, left: number, top: number, width: number, height: number) => ({
  type: 'box' as const,
  label,
  left,
  top,
  width,
  height,
});

describe.each(BACKENDS)('project exports on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  const ids: string[] = [];
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    api = client(t.url, t.key);
    expect((await api.post('/v1/projects', { type: 'categorization', name: 'moods' })).status).toBe(
      200,
    );
    await api.raw('PATCH', '/api/v1/projects/moods/settings', {
      consensus: { min: 2, max: 2 },
    });
    for (let i = 0; i < 7; i++) {
      const created = await api.post('/v1/task/categorization', {
        project: 'moods',
        attachment: `Sentence ${i}: =cmd|' /C calc'!A0`,
        attachment_type: 'text',
        categories: ['happy', 'sad'],
        unique_id: `s-${i}`,
      });
      expect(created.status).toBe(200);
      ids.push(created.body.task_id);
    }
    // Five tasks get two answers each and complete; two stay pending.
    for (const id of ids.slice(0, 5))
      for (const worker of ['ann', 'bob'])
        expect(
          (
            await api.post(`/api/v1/tasks/${id}/answers`, {
              worker,
              response: { category: 'happy' },
            })
          ).status,
        ).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const lines = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  it('streams completed tasks as JSON lines with response, confidence and, on request, answers', async () => {
    const plain = await api.get('/api/v1/projects/moods/export?format=jsonl');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/ndjson/);
    expect(plain.headers.get('content-disposition')).toMatch(/moods-jsonl\.jsonl/);
    const rows = lines(plain.body);
    expect(rows.map((row) => row.task_id)).toEqual(ids.slice(0, 5));
    expect(rows[0]).toMatchObject({
      type: 'categorization',
      status: 'completed',
      unique_id: 's-0',
      response: { category: 'happy' },
      consensus: { method: expect.any(String), confidence: expect.any(Number) },
    });
    expect(rows[0].answers).toBeUndefined();

    const withAnswers = lines(
      (await api.get('/api/v1/projects/moods/export?format=jsonl&answers=true')).body,
    );
    expect(withAnswers[0].answers.map((a: { worker: string }) => a.worker).sort()).toEqual([
      'ann',
      'bob',
    ]);
    const all = lines(
      (await api.get('/api/v1/projects/moods/export?format=jsonl&status=all')).body,
    );
    expect(all).toHaveLength(7);
    expect(all.at(-1)).toMatchObject({ status: 'pending', response: null });
  });

  it('gives Scale JSON exactly as the task endpoint shows each task', async () => {
    const exported = await api.get('/api/v1/projects/moods/export?format=scale&status=all');
    expect(exported.status).toBe(200);
    const tasks = exported.body as Array<{ task_id: string }>;
    expect(tasks).toHaveLength(7);
    for (const task of tasks)
      expect(task).toEqual((await api.get(`/v1/task/${task.task_id}`)).body);
  });

  it('names what is wrong with the request and keeps other organizations out', async () => {
    const format = await api.get('/api/v1/projects/moods/export?format=docx');
    expect(format.status).toBe(400);
    expect(format.body.field).toMatch(/format/);
    expect((await api.get('/api/v1/projects/nope/export?format=jsonl')).status).toBe(404);
    const batch = await api.get('/api/v1/projects/moods/export?format=jsonl&batch=nope');
    expect(batch.status).toBe(404);
    expect(batch.body.field).toBe('batch');
    const acme = await t.testDatabase.database.db
      .transaction()
      .execute((tx) => createOrganization(tx, 'acme'));
    const other = client(t.url, acme.key);
    expect((await other.get('/api/v1/projects/moods/export?format=jsonl')).status).toBe(404);
  });
});

describe.each(BACKENDS)('project exports in the field’s formats on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  const image: Record<string, string> = {};
  const ner: Record<string, string> = {};
  const text = {
    unicode: 'Zoë Saldaña flew to 東京 🗼 with Émile.\nThen 😀 Ана went home.',
    nested: 'New York City is big.',
  };

  /** The export's bytes, headers and trailers, read with node:http (fetch drops trailers). */
  function download(path: string) {
    return new Promise<{
      status: number;
      headers: Record<string, string | string[] | undefined>;
      bytes: Buffer;
      trailers: Record<string, string | undefined>;
    }>((resolve, reject) => {
      const authorization = `Basic ${Buffer.from(`${t.key}:`).toString('base64')}`;
      request(`${t.url}${path}`, { headers: { authorization } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            bytes: Buffer.concat(chunks),
            trailers: response.trailers,
          }),
        );
        response.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
  }
  const exported = async (project: string, query: string) => {
    const answer = await download(`/api/v1/projects/${project}/export?${query}`);
    expect(answer.status, answer.bytes.toString()).toBe(200);
    return answer;
  };
  const complete = async (id: string, response: unknown) => {
    const done = await api.post(`/api/v1/tasks/${id}/response`, { response });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  };
  // The export's service, called directly where a test must act between its chunks.
  const db = () => t.testDatabase.database.db;
  const scope = () => ({ organizationId: t.platform.bootstrap.organizationId, livemode: true });
  const stored = () => ({ assets: t.platform.ctx.assets, publicUrl: t.url });

  const street = [
    box('car', 10, 20, 100, 50.5),
    { ...box('person', 300, 100, 40, 80), attributes: { occluded: 'yes' } },
    {
      type: 'polygon' as const,
      label: 'road',
      vertices: [
        { x: 0, y: 400 },
        { x: 640, y: 400 },
        { x: 640, y: 480 },
        { x: 0, y: 470 },
      ],
    },
    { type: 'point' as const, label: 'nose', x: 320.5, y: 110 },
    {
      type: 'line' as const,
      label: 'lane',
      vertices: [
        { x: 0, y: 300 },
        { x: 640, y: 310 },
      ],
    },
  ];

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    api = client(t.url, t.key);
    const geometries = {
      box: { objects_to_annotate: ['car', 'person'] },
      polygon: { objects_to_annotate: ['road'] },
      point: { objects_to_annotate: ['nose'] },
      line: { objects_to_annotate: ['lane'] },
    };
    expect(
      (
        await api.post('/v1/projects', {
          type: 'imageannotation',
          name: 'scenes',
          params: {
            geometries,
            annotation_attributes: { occluded: { type: 'category', choices: ['yes', 'no'] } },
          },
        })
      ).status,
    ).toBe(200);
    const form = new FormData();
    form.append('file', new Blob([PNG_64x48]), 'photo.png');
    const uploaded = (await (
      await fetch(`${t.url}/v1/files/upload`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${t.key}:`).toString('base64')}` },
        body: form,
      })
    ).json()) as { attachment_url: string };
    const create = async (name: string, attachment: string, metadata?: object) => {
      const created = await api.post('/v1/task/imageannotation', {
        project: 'scenes',
        attachment,
        ...(metadata ? { metadata } : {}),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      image[name] = created.body.task_id;
    };
    const size = { image_width: 640, image_height: 480 };
    await create('street', 'https://img.example/a/street.jpg', size);
    await create('twin', 'https://img.example/b/street.jpg', size);
    await create('unsized', 'https://img.example/c/unsized.jpg');
    await create('uploaded', uploaded.attachment_url);
    await create('pending', 'https://img.example/d/pending.jpg', size);
    await complete(image.street!, { annotations: street });
    await complete(image.twin!, { annotations: [box('car', 1.25, 2.5, 30, 40)] });
    await complete(image.unsized!, { annotations: [box('car', 1, 2, 3, 4)] });
    await complete(image.uploaded!, {
      annotations: [box('person', 8, 4, 16, 32), { type: 'point', label: 'nose', x: 9, y: 9 }],
    });

    expect(
      (await api.post('/v1/projects', { type: 'namedentityrecognition', name: 'people' })).status,
    ).toBe(200);
    const labels = [{ name: 'PER' }, { name: 'LOC' }, { name: 'CITY' }];
    for (const [name, body] of Object.entries(text)) {
      const created = await api.post('/v1/task/namedentityrecognition', {
        project: 'people',
        text: body,
        labels,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      ner[name] = created.body.task_id;
    }
    // Offsets count code points: 東京 is 20–22, 🗼 one character, Ана 45–48.
    await complete(ner.unicode!, {
      annotations: [
        { start: 0, end: 11, label: 'PER' },
        { start: 20, end: 22, label: 'LOC' },
        { start: 30, end: 35, label: 'PER' },
        { start: 44, end: 47, label: 'PER' },
      ],
    });
    await complete(ner.nested!, {
      annotations: [
        { start: 0, end: 13, label: 'LOC' },
        { start: 0, end: 8, label: 'CITY' },
      ],
    });

    expect(
      (await api.post('/v1/projects', { type: 'categorization', name: 'sheets' })).status,
    ).toBe(200);
    const formula = await api.post('/v1/task/categorization', {
      project: 'sheets',
      attachment: '=HYPERLINK("http://evil.example")',
      categories: ['=SUM(A1:A9)', 'plain', 'a|b'],
      allow_multiple: true,
    });
    const taxonomy = await api.post('/v1/task/categorization', {
      project: 'sheets',
      attachment: 'https://img.example/sky.jpg',
      attachment_type: 'image',
      taxonomies: {
        weather: { choices: ['sun', 'rain'] },
        '@time': { choices: ['day', 'night'], allow_multiple: true },
      },
    });
    await complete(formula.body.task_id, { category: ['=SUM(A1:A9)', 'a|b'] });
    await complete(taxonomy.body.task_id, {
      taxonomies: { weather: ['sun'], '@time': ['day', 'night'] },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes COCO in one pass: boxes, polygons, keypoints, sizes from metadata or the stored file', async () => {
    const answer = await exported('scenes', 'format=coco');
    expect(answer.headers['content-type']).toMatch(/application\/json/);
    expect(answer.headers['content-disposition']).toMatch(/scenes-coco\.json/);
    const coco = JSON.parse(answer.bytes.toString());
    assertValidCoco(coco);
    expect(
      coco.images.map((entry: Record<string, unknown>) => [
        entry.quorum_task_id,
        entry.file_name,
        entry.width,
        entry.height,
      ]),
    ).toEqual([
      [image.street, 'street.jpg', 640, 480],
      [image.twin, `street-${image.twin}.jpg`, 640, 480],
      [image.uploaded, 'photo.png', 64, 48],
    ]);
    const names = new Map<number, string>(
      coco.categories.map((category: { id: number; name: string }) => [category.id, category.name]),
    );
    expect([...names.values()]).toEqual(['car', 'person', 'road', 'lane', 'nose']);
    const of = (imageId: number) =>
      coco.annotations
        .filter((annotation: { image_id: number }) => annotation.image_id === imageId)
        .map((annotation: { category_id: number }) => ({
          ...annotation,
          category: names.get(annotation.category_id),
        }));
    expect(of(1)).toEqual([
      expect.objectContaining({ category: 'car', bbox: [10, 20, 100, 50.5], area: 5050 }),
      expect.objectContaining({ category: 'person', attributes: { occluded: 'yes' } }),
      expect.objectContaining({
        category: 'road',
        segmentation: [[0, 400, 640, 400, 640, 480, 0, 470]],
      }),
      expect.objectContaining({ category: 'nose', keypoints: [320.5, 110, 2], num_keypoints: 1 }),
    ]);
    expect(of(2)).toEqual([expect.objectContaining({ bbox: [1.25, 2.5, 30, 40] })]);
    expect(of(3)).toHaveLength(2);
    // The unsized task and the line are not lost silently.
    expect(coco.info.skipped).toMatchObject({
      total: 2,
      counts: { 'task without image size': 1, line: 1 },
      examples: [
        { task_id: image.street, skipped: 'line', count: 1 },
        { task_id: image.unsized, skipped: 'task without image size', count: 1 },
      ],
    });
    expect(JSON.parse(answer.trailers['x-quorum-skipped']!)).toEqual({
      total: 2,
      counts: { 'task without image size': 1, line: 1 },
    });

    const all = JSON.parse((await exported('scenes', 'format=coco&status=all')).bytes.toString());
    assertValidCoco(all);
    expect(all.images.map((entry: { quorum_status: string }) => entry.quorum_status)).toEqual([
      'completed',
      'completed',
      'completed',
      'pending',
    ]);
  });

  it('zips YOLO label files whose boxes and polygons read back, with classes and data.yaml', async () => {
    const answer = await exported('scenes', 'format=yolo');
    expect(answer.headers['content-type']).toBe('application/zip');
    expect(answer.headers['content-disposition']).toMatch(/scenes-yolo\.zip/);
    const files = unzipSync(answer.bytes);
    const read = (name: string) => new TextDecoder().decode(files[name]);
    expect(Object.keys(files).sort()).toEqual([
      'classes.txt',
      'data.yaml',
      'labels/photo.txt',
      `labels/street-${image.twin}.txt`,
      'labels/street.txt',
      'skipped.json',
    ]);
    const classes = parseYoloClasses(read('classes.txt'));
    expect(classes).toEqual(['car', 'person', 'road', 'lane', 'nose']);
    expect(parseYoloDataYaml(read('data.yaml')).names).toEqual(classes);
    const back = parseYoloLabels(read('labels/street.txt'), { width: 640, height: 480, classes });
    expect(back.annotations).toHaveLength(3);
    const [car, person, road] = back.annotations as Array<Record<string, any>>;
    expect(car).toMatchObject({ type: 'box', label: 'car' });
    for (const key of ['left', 'top', 'width', 'height'])
      expect(car![key]).toBeCloseTo((street[0] as Record<string, unknown>)[key] as number, 2);
    expect(person).toMatchObject({ label: 'person' });
    expect(road).toMatchObject({ type: 'polygon', label: 'road' });
    expect(road!.vertices[3].y).toBeCloseTo(470, 2);
    const uploaded = parseYoloLabels(read('labels/photo.txt'), { width: 64, height: 48, classes });
    // Six decimals of a fraction of 48 px: within a ten-thousandth of a pixel.
    expect(uploaded.annotations).toEqual([
      expect.objectContaining({
        label: 'person',
        left: expect.closeTo(8, 4),
        top: expect.closeTo(4, 4),
        width: expect.closeTo(16, 4),
        height: expect.closeTo(32, 4),
      }),
    ]);
    expect(JSON.parse(read('skipped.json')).counts).toEqual({
      'task without image size': 1,
      point: 2,
      line: 1,
    });
  });

  it('zips Pascal VOC annotation files whose boxes read back exactly', async () => {
    const answer = await exported('scenes', 'format=voc');
    expect(answer.headers['content-type']).toBe('application/zip');
    const files = unzipSync(answer.bytes);
    const voc = parseVocXml(new TextDecoder().decode(files['Annotations/street.xml']));
    expect(voc).toMatchObject({ fileName: 'street.jpg', width: 640, height: 480 });
    expect(voc.hypothesis.annotations).toEqual([
      street[0],
      { ...street[1], attributes: { occluded: 'yes' } },
    ]);
    const twin = parseVocXml(
      new TextDecoder().decode(files[`Annotations/street-${image.twin}.xml`]),
    );
    expect(twin.fileName).toBe(`street-${image.twin}.jpg`);
    expect(twin.hypothesis.annotations).toEqual([box('car', 1.25, 2.5, 30, 40)]);
    expect(JSON.parse(new TextDecoder().decode(files['skipped.json'])).counts).toEqual({
      'task without image size': 1,
      polygon: 1,
      point: 2,
      line: 1,
    });
  });

  it('writes CoNLL-2003 whose entities read back with their Unicode text', async () => {
    const answer = await exported('people', 'format=conll');
    expect(answer.headers['content-type']).toMatch(/text\/plain/);
    const documents = [...readConll(answer.bytes.toString())];
    expect(documents).toHaveLength(2);
    expect(
      documents[0]!.annotations.map(({ text: surface, label }) => [
        surface.replace(/ /g, ''),
        label,
      ]),
    ).toEqual([
      ['ZoëSaldaña', 'PER'],
      ['東京', 'LOC'],
      ['Émile', 'PER'],
      ['Ана', 'PER'],
    ]);
    expect(documents[0]!.text.split('\n')).toHaveLength(2);
    // New York City (LOC) is kept; the nested New York (CITY) cannot be, and is counted.
    expect(documents[1]!.annotations).toEqual([
      expect.objectContaining({ text: 'New York City', label: 'LOC' }),
    ]);
    expect(JSON.parse(answer.trailers['x-quorum-skipped']!).counts).toEqual({
      'overlapping span': 1,
    });
  });

  it('writes spaCy documents with code-point offsets, every overlapping span kept under spans', async () => {
    const answer = await exported('people', 'format=spacy&status=all');
    const lines = answer.bytes
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const first = fromSpacyDoc(lines[0]);
    expect(first.text).toBe(text.unicode);
    expect(first.annotations.map((span) => span.text)).toEqual([
      'Zoë Saldaña',
      '東京',
      'Émile',
      'Ана',
    ]);
    expect(lines[0]._).toEqual({ task_id: ner.unicode, status: 'completed' });
    expect(lines[1].ents).toEqual([{ start: 0, end: 13, label: 'LOC' }]);
    expect(lines[1].spans.sc).toEqual([
      { start: 0, end: 13, label: 'LOC', kb_id: '' },
      { start: 0, end: 8, label: 'CITY', kb_id: '' },
    ]);
  });

  it('writes the classification CSV with formulas neutralised and a column per question', async () => {
    const answer = await exported('sheets', 'format=csv&status=all');
    expect(answer.headers['content-type']).toMatch(/text\/csv/);
    const rows = parseCsv(answer.bytes.toString());
    expect(rows[0]).toEqual([
      'task_id',
      'attachment',
      'label',
      'confidence',
      'taxonomies.weather',
      'taxonomies.@time',
      'status',
    ]);
    // A category holds `|`, so several labels are joined with `;`.
    expect(rows[1]!.slice(1, 3)).toEqual([
      `'=HYPERLINK("http://evil.example")`,
      `'=SUM(A1:A9);a|b`,
    ]);
    expect(rows[2]!.slice(4)).toEqual(['sun', 'day;night', 'completed']);
    expect(rows.slice(1).every((row) => row.every((cell) => !/^[=+\-@]/.test(cell)))).toBe(true);
  });

  it('writes Label Studio tasks that import back as the same annotations', async () => {
    const answer = await exported('scenes', 'format=labelstudio');
    const tasks = JSON.parse(answer.bytes.toString()) as Array<Record<string, any>>;
    expect(tasks).toHaveLength(4);
    const config = parseLabelStudioConfig(
      labelStudioConfigXml('imageannotation', {
        geometries: {
          box: { objects_to_annotate: ['car', 'person'] },
          polygon: { objects_to_annotate: ['road'] },
          point: { objects_to_annotate: ['nose'] },
        },
        annotation_attributes: { occluded: { type: 'category', choices: ['yes', 'no'] } },
      }).xml,
    );
    const first = fromLabelStudioTask(tasks[0], config, { source: 'annotations' });
    expect(first.body.metadata).toEqual({ quorum_task_id: image.street });
    expect(first.response!.annotations).toEqual([
      expect.objectContaining({ type: 'box', label: 'car', left: 10, top: 20, width: 100 }),
      expect.objectContaining({
        type: 'box',
        label: 'person',
        left: 300,
        attributes: { occluded: 'yes' },
      }),
      expect.objectContaining({ type: 'polygon', label: 'road' }),
      expect.objectContaining({ type: 'point', label: 'nose', x: 320.5, y: 110 }),
    ]);
    expect(tasks[0]!.meta.quorum_skipped).toEqual([expect.stringMatching(/line/)]);
    expect(tasks[2]).toMatchObject({
      data: { quorum_task_id: image.unsized },
      meta: { quorum_skipped: [expect.stringMatching(/image size/)] },
    });
    expect(tasks[2]!.annotations).toBeUndefined();

    const ner = JSON.parse((await exported('people', 'format=labelstudio')).bytes.toString());
    const nerConfig = parseLabelStudioConfig(
      labelStudioConfigXml('namedentityrecognition', {
        labels: [{ name: 'PER' }, { name: 'LOC' }, { name: 'CITY' }],
      }).xml,
    );
    const back = fromLabelStudioTask(ner[0], nerConfig, { source: 'annotations' });
    expect(back.body.text).toBe(text.unicode);
    expect(
      (back.response!.annotations as Array<{ text: string }>).map((span) => span.text),
    ).toEqual(['Zoë Saldaña', '東京', 'Émile', 'Ана']);
  });

  it('refuses a format the project’s type has no form in before streaming', async () => {
    for (const [project, format] of [
      ['scenes', 'conll'],
      ['people', 'coco'],
      ['sheets', 'yolo'],
      ['scenes', 'csv'],
    ]) {
      const refused = await api.get(`/api/v1/projects/${project}/export?format=${format}`);
      expect(refused.status).toBe(400);
      expect(refused.body.field).toBe('format');
      expect(refused.body.error).toMatch(/project/);
    }
  });

  it('removes the file it holds the COCO annotations in, when done and when the reader stops', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'quorum-export-test-'));
    const before = process.env.TMPDIR;
    // os.tmpdir() reads TMPDIR each time: the export's file goes where this test can see it.
    process.env.TMPDIR = scratch;
    try {
      const opened = await openExport(db(), scope(), {
        project: 'scenes',
        completedOnly: true,
        answers: false,
      });
      const whole = await startExport(db(), scope(), stored(), opened, 'coco', new Date());
      let text = '';
      for await (const chunk of whole.body) {
        text += chunk;
        if (text.includes('"annotations":[')) expect(readdirSync(scratch)).toHaveLength(1);
      }
      assertValidCoco(JSON.parse(text));
      expect(readdirSync(scratch)).toEqual([]);

      const stopped = await startExport(db(), scope(), stored(), opened, 'coco', new Date());
      const reader = stopped.body[Symbol.asyncIterator]();
      expect((await reader.next()).done).toBe(false);
      expect(readdirSync(scratch)).toHaveLength(1);
      // What the HTTP stream does when the client goes away.
      await reader.return?.(undefined);
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  // Last: it completes the pending task the other tests expect to be pending.
  it('writes a task completed during a COCO export wholly or not at all, its ids consistent', async () => {
    const size = { image_width: 640, image_height: 480 };
    const late = await api.post('/v1/task/imageannotation', {
      project: 'scenes',
      attachment: 'https://img.example/e/late.jpg',
      metadata: size,
    });
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    const shapes = new Map([
      [image.street!, 4], // the line has no COCO form
      [image.twin!, 1],
      [image.uploaded!, 2],
      [image.pending!, 1],
      [late.body.task_id as string, 2],
    ]);
    /** Each image's task and how many annotations point at it; every image_id must be an image. */
    const annotationsPerTask = (coco: {
      images: Array<{ id: number; quorum_task_id: string }>;
      annotations: Array<{ image_id: number }>;
    }) => {
      assertValidCoco(coco);
      const counts = new Map(coco.images.map((entry) => [entry.quorum_task_id, 0]));
      const taskOf = new Map(coco.images.map((entry) => [entry.id, entry.quorum_task_id]));
      for (const annotation of coco.annotations) {
        const task = taskOf.get(annotation.image_id)!;
        counts.set(task, counts.get(task)! + 1);
      }
      return counts;
    };
    const opened = await openExport(db(), scope(), {
      project: 'scenes',
      completedOnly: true,
      answers: false,
    });
    const run = async (during: (text: string) => Promise<boolean>) => {
      const { body } = await startExport(db(), scope(), stored(), opened, 'coco', new Date());
      let text = '';
      let acted = false;
      for await (const chunk of body) {
        text += chunk;
        if (!acted) acted = await during(text);
      }
      expect(acted).toBe(true);
      return annotationsPerTask(JSON.parse(text));
    };

    // Completed once its page has been read: not in this export at all.
    const out = await run(async (text) => {
      if (!text.includes('"annotations":[')) return false;
      await complete(image.pending!, { annotations: [box('car', 5, 5, 5, 5)] });
      return true;
    });
    expect([...out.keys()]).toEqual([image.street, image.twin, image.uploaded]);
    for (const [task, count] of out) expect(count).toBe(shapes.get(task));

    // Completed after the export started but before its page was read: in it, whole.
    const within = await run(async () => {
      await complete(late.body.task_id, {
        annotations: [box('car', 1, 1, 2, 2), box('person', 3, 3, 4, 4)],
      });
      return true;
    });
    expect([...within.keys()]).toEqual([
      image.street,
      image.twin,
      image.uploaded,
      image.pending,
      late.body.task_id,
    ]);
    for (const [task, count] of within) expect(count).toBe(shapes.get(task));
  });
});
