import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';
import { LS_IMAGE_CONFIG, LS_TASKS, postBody, tasksOf } from './support/import-fixtures';

const CSV = 'text/csv';
const NDJSON = 'application/x-ndjson';

const jsonLine = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ attachment: `text ${i}`, unique_id: `j${i}`, ...extra });

describe.each(BACKENDS)('importing task files on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  const count = async (project: string) =>
    (await api.get(`/v1/tasks?project=${project}&limit=1`)).body.total as number;
  const importFile = (project: string, query: string, body: string, type: string) =>
    postBody(t, `/api/v1/projects/${project}/import?${query}`, body, type);

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    api = client(t.url, t.key);
    for (const name of ['cats', 'rows', 'big'])
      await api.post('/v1/projects', {
        type: 'categorization',
        name,
        params: { attachment_type: 'text', categories: ['a', 'b'] },
      });
    await api.post('/v1/batches', { project: 'rows', name: 'rows-1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a task per CSV row, columns naming the fields, in the project and batch given', async () => {
    const csv =
      'attachment,unique_id,metadata.source,priority:number,tags:list\r\n' +
      '"a text, with a comma",c1,web,10,x|y\r\n' +
      '"a ""quoted"" text\non two lines",c2,,20,\r\n';
    const res = await importFile('rows', 'format=csv&batch=rows-1', csv, CSV);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ created: 2, skipped: 0, problems: [] });
    const [first, second] = await tasksOf(t, 'rows');
    expect(first).toMatchObject({
      type: 'categorization',
      batch: 'rows-1',
      unique_id: 'c1',
      priority: 10,
      tags: ['x', 'y'],
      metadata: { source: 'web' },
      params: { attachment: 'a text, with a comma', categories: ['a', 'b'] },
    });
    expect(second.params.attachment).toBe('a "quoted" text\non two lines');
    expect(second.metadata).toEqual({});
  });

  it('refuses a CSV with a NUL byte or broken quoting whole, naming the line', async () => {
    const before = await count('cats');
    const nul = await importFile('cats', 'format=csv', 'attachment\nfine\nbad\0text\n', CSV);
    expect(nul.status).toBe(400);
    expect(nul.body.error).toBe('line 3: contains a NUL character');
    const quotes = await importFile(
      'cats',
      'format=csv',
      'attachment,unique_id\nfine,q1\n"never closed,q2\nmore,q3\n',
      CSV,
    );
    expect(quotes.status).toBe(400);
    expect(quotes.body.error).toMatch(/^line 3: the quoted field opened on line 3 is never closed/);
    const stray = await importFile('cats', 'format=csv', 'attachment\nfine\nsay "hi"\n', CSV);
    expect(stray.body.error).toMatch(/^line 3: a quote inside an unquoted field/);
    // Even when asked to skip bad rows: a file that cannot be read cannot be resynchronised.
    const skipping = await importFile(
      'cats',
      'format=csv&skipBadRows=true',
      'attachment\nx\0\n',
      CSV,
    );
    expect(skipping.status).toBe(400);
    expect(await count('cats')).toBe(before);
  });

  it('keeps nothing when one CSV row is bad, or the good rows with skipBadRows', async () => {
    const csv =
      'attachment,unique_id,priority:number\nok,s1,10\nok,s2,lots\nok,s3,30\nwide,s4,30,4\n';
    const before = await count('cats');
    const refused = await importFile('cats', 'format=csv', csv, CSV);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('line 3: column "priority:number" "lots" is not a number');
    expect(await count('cats')).toBe(before);
    const skipped = await importFile('cats', 'format=csv&skipBadRows=true', csv, CSV);
    expect(skipped.status).toBe(200);
    expect(skipped.body).toEqual({
      created: 2,
      skipped: 2,
      problems: [
        { line: 3, reason: 'column "priority:number" "lots" is not a number' },
        { line: 5, reason: 'has 4 fields but the header has 3 columns' },
      ],
    });
    expect(await count('cats')).toBe(before + 2);
  });

  it('imports nothing of a 50,000-line JSON Lines file whose last line is bad', async () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => jsonLine(i));
    lines[4_999] = '{"attachment": "cut off';
    const res = await importFile('big', 'format=jsonl', `${lines.join('\n')}\n`, NDJSON);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^line 5000: is not valid JSON/);
    expect(await count('big')).toBe(0);
    // 49,000 rows are inserted, a thousand at a time, before the last line fails.
    lines.length = 50_000;
    for (let i = 4_999; i < 50_000; i++) lines[i] = jsonLine(i);
    lines[49_999] = jsonLine(49_999, { categories: 'not a list' });
    const invalid = await importFile('big', 'format=jsonl', lines.join('\n'), NDJSON);
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatch(/^line 50000: categories/);
    expect(invalid.body.field).toBe('line 50000: categories');
    expect(await count('big')).toBe(0);
  });

  it('skips bad JSON lines, bodies and unique_ids on request and lists them', async () => {
    await importFile('cats', 'format=jsonl', jsonLine(1), NDJSON);
    const body = [
      jsonLine(2),
      'nope',
      jsonLine(3, { categories: 7 }),
      '[1]',
      jsonLine(1),
      jsonLine(4),
      jsonLine(4),
      jsonLine(5, { type: 'imageannotation' }),
      jsonLine(6, { project: 'rows' }),
    ].join('\n');
    const res = await importFile('cats', 'format=jsonl&skipBadRows=true', body, NDJSON);
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2);
    expect(res.body.skipped).toBe(7);
    expect(res.body.problems.map((problem: { line: number }) => problem.line)).toEqual([
      2, 3, 4, 7, 8, 9, 5,
    ]);
    expect(res.body.problems[0].reason).toMatch(/^is not valid JSON/);
    expect(res.body.problems[6].reason).toBe('A task with unique_id "j1" already exists');
    const refused = await importFile('cats', 'format=jsonl', jsonLine(1), NDJSON);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('line 1: A task with unique_id "j1" already exists');
  });

  it('asks for a body of the format’s media type and a project that exists', async () => {
    expect((await importFile('cats', 'format=csv', 'attachment\nx\n', NDJSON)).status).toBe(415);
    expect((await importFile('cats', 'format=jsonl', '{}', 'application/xml')).status).toBe(415);
    expect((await importFile('nowhere', 'format=jsonl', jsonLine(9), NDJSON)).status).toBe(404);
    expect((await importFile('cats', 'format=xls', 'x', CSV)).status).toBe(400);
    const anonymous = await fetch(`${t.url}/api/v1/projects/cats/import?format=csv`, {
      method: 'POST',
      headers: { 'content-type': CSV },
      body: 'attachment\nx\n',
    });
    expect(anonymous.status).toBe(401);
    // A batch that cannot take the rows is the request's fault, whether bad rows are skipped or not.
    const noBatch = await importFile(
      'cats',
      'format=csv&skipBadRows=true&batch=nope',
      'attachment\nx\n',
      CSV,
    );
    expect(noBatch.status).toBe(404);
    expect(noBatch.body.field).toBe('batch');
    const otherBatch = await importFile('cats', 'format=csv&batch=rows-1', 'attachment\nx\n', CSV);
    expect(otherBatch.status).toBe(400);
    expect(otherBatch.body.error).toBe('batch: batch "rows-1" belongs to another project');
    const empty = await importFile('cats', 'format=csv', 'attachment\n', CSV);
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe('body: the file has no tasks');
  });

  describe('Label Studio', () => {
    const lsImport = (project: string, query: string, tasks: unknown) =>
      importFile(
        project,
        `format=labelstudio&${query}`,
        JSON.stringify(tasks, null, 2),
        'application/json',
      );

    it('makes a project of a labeling config, keeping its control names', async () => {
      const res = await api.post('/api/v1/projects/from-labelstudio-config', {
        name: 'street',
        config: LS_IMAGE_CONFIG,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'street', type: 'imageannotation' });
      expect(res.body.param_history[0]).toMatchObject({
        geometries: {
          box: { objects_to_annotate: ['car', 'person'], can_rotate: true },
          polygon: { objects_to_annotate: ['road'] },
          point: { objects_to_annotate: ['nose'] },
        },
        annotation_attributes: {
          occluded: { type: 'category', choices: ['yes', 'no'], allow_multiple: false },
        },
      });
      const text = await api.post('/api/v1/projects/from-labelstudio-config', {
        name: 'review-text',
        config:
          '<View><Text name="t" value="$text"/><Choices name="sentiment" toName="t">' +
          '<Choice value="pos"/><Choice value="neg"/></Choices></View>',
      });
      expect(text.body).toMatchObject({ type: 'categorization' });
    });

    it('refuses unsupported tags by name and line, and DTDs', async () => {
      const audio = await api.post('/api/v1/projects/from-labelstudio-config', {
        name: 'audio',
        config:
          '<View>\n  <Audio name="a" value="$audio"/>\n  <Choices name="c" toName="a"><Choice value="x"/></Choices>\n</View>',
      });
      expect(audio.status).toBe(400);
      expect(audio.body.field).toBe('config');
      expect(audio.body.error).toMatch(/^config: unsupported Label Studio tags: Audio \(line 2\)/);
      const dtd = await api.post('/api/v1/projects/from-labelstudio-config', {
        name: 'dtd',
        config:
          '<?xml version="1.0"?>\n<!DOCTYPE View [<!ENTITY boom "boom">]>\n<View><Image name="i" value="$i"/></View>',
      });
      expect(dtd.status).toBe(400);
      expect(dtd.body.error).toMatch(/DOCTYPE/);
      expect((await api.get('/v1/projects/dtd')).status).toBe(404);
      expect((await api.get('/v1/projects/audio')).status).toBe(404);
    });

    it('imports tasks with their predictions as pre-labels and the image size in metadata', async () => {
      const res = await lsImport('street', '', LS_TASKS);
      expect(res.body).toEqual({ created: 2, skipped: 0, problems: [] });
      const [street, park] = await tasksOf(t, 'street');
      expect(street.params.attachment).toBe('https://cdn.example.com/street.jpg');
      expect(street.metadata).toEqual({
        camera: 'front',
        label_studio_id: 101,
        image_width: 1000,
        image_height: 500,
      });
      expect(street.params.hypothesis.annotations).toEqual([
        {
          type: 'box',
          uuid: 'r1',
          label: 'car',
          left: 125,
          top: 50,
          width: 200,
          height: 151.25,
          attributes: { occluded: 'no' },
        },
        {
          type: 'polygon',
          uuid: 'p1',
          label: 'road',
          vertices: [
            { x: 0, y: 0 },
            { x: 500, y: 0 },
            { x: 500, y: 252.5 },
          ],
        },
        { type: 'point', uuid: 'k1', label: 'nose', x: 15, y: 12.5 },
      ]);
      // The project's own params stay the task's: the config's are not copied over them.
      expect(street.params.geometries.box.can_rotate).toBe(true);
      expect(park.params.hypothesis).toBeUndefined();
      expect(park.metadata).toEqual({ label_studio_id: 102 });
    });

    it('gives the same tasks and regions back through the Label Studio export', async () => {
      const exported = await api.get(
        '/api/v1/projects/street/export?format=labelstudio&status=all',
      );
      expect(exported.status).toBe(200);
      const [street, park] = exported.body as Array<Record<string, any>>;
      expect(street!.data.photo).toBe(LS_TASKS[0]!.data.photo);
      expect(street!.predictions[0].result).toEqual(LS_TASKS[0]!.predictions![0]!.result);
      expect(park!.data.photo).toBe(LS_TASKS[1]!.data.photo);
      expect(park!.predictions ?? []).toEqual([]);
    });

    it('reads Label Studio JSON Lines, and names the line of a bad task', async () => {
      const lines = LS_TASKS.map((task) => JSON.stringify({ ...task, id: undefined })).join('\n');
      const ok = await importFile('street', 'format=labelstudio', lines, NDJSON);
      expect(ok.body.created).toBe(2);
      const before = await count('street');
      const bad = structuredClone(LS_TASKS);
      bad[0]!.predictions![0]!.result[0]!.value.rectanglelabels = ['truck'];
      const refused = await lsImport('street', '', bad);
      expect(refused.status).toBe(400);
      // The array is pretty-printed: the first task starts on line 2.
      expect(refused.body.error).toMatch(/^line 2: hypothesis\.annotations\.0\.label/);
      const unknown = await lsImport('street', '', [{ data: { image: 'x.jpg' } }]);
      expect(unknown.body.error).toBe('line 2: data.photo must hold the image URL');
      expect(await count('street')).toBe(before);
    });

    it('keeps results as responses when asked, and refuses pre-labels a type cannot hold', async () => {
      const tasks = [
        {
          data: { text: 'good film' },
          annotations: [
            {
              result: [
                {
                  from_name: 'sentiment',
                  to_name: 't',
                  type: 'choices',
                  value: { choices: ['pos'] },
                },
              ],
            },
          ],
        },
      ];
      const prelabels = await lsImport('review-text', 'labels=annotations', tasks);
      expect(prelabels.status).toBe(400);
      expect(prelabels.body.error).toMatch(
        /categorization tasks take no pre-labels; import with as=responses/,
      );
      const responses = await lsImport('review-text', 'labels=annotations&as=responses', tasks);
      expect(responses.body.created).toBe(1);
      const [task] = await tasksOf(t, 'review-text');
      expect(task).toMatchObject({ status: 'completed', response: { category: 'pos' } });
      const none = await lsImport('review-text', 'labels=none', tasks);
      expect(none.body.created).toBe(1);
    });

    it('reads a project made without a config under the names Quorum writes', async () => {
      await api.post('/v1/projects', {
        type: 'imageannotation',
        name: 'plain-boxes',
        params: { geometries: { box: { objects_to_annotate: ['car'] } } },
      });
      const task = {
        data: { image: 'https://cdn.example.com/a.jpg' },
        predictions: [
          {
            result: [
              {
                from_name: 'box',
                to_name: 'image',
                type: 'rectanglelabels',
                original_width: 1000,
                original_height: 500,
                value: { x: 1, y: 2, width: 3, height: 4, rectanglelabels: ['car'] },
              },
            ],
          },
        ],
      };
      const res = await lsImport('plain-boxes', '', task);
      expect(res.body.created).toBe(1);
      const [stored] = await tasksOf(t, 'plain-boxes');
      expect(stored.params.hypothesis.annotations[0]).toMatchObject({ left: 10, top: 10 });
    });
  });
});
