import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetStore } from '../src/assets/store';
import { createLocalAssetStore } from '../src/assets';
import { importArchive } from '../src/services/archive-import';
import type { Effects } from '../src/services/effects';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';
import { jpeg, png, postBody, storedFileCount, tasksOf, utf8 } from './support/import-fixtures';

const ZIP = 'application/zip';
/** Small, so the size cap can be tried without sending hundreds of megabytes. */
const ARCHIVE_LIMIT = 2 * 1024 * 1024;

const GEOMETRIES = {
  box: { objects_to_annotate: ['car', 'person'] },
  polygon: { objects_to_annotate: ['road'] },
  point: { objects_to_annotate: ['nose', 'eye'] },
};

/** A COCO file for two of three images: a box, a polygon and a two-point keypoint object. */
const COCO = {
  images: [
    { id: 1, file_name: 'street.jpg', width: 640, height: 480 },
    { id: 2, file_name: 'park.png', width: 320, height: 240 },
  ],
  categories: [
    { id: 1, name: 'car', supercategory: 'vehicle' },
    { id: 2, name: 'road', supercategory: 'surface' },
    {
      id: 3,
      name: 'face',
      supercategory: 'person',
      keypoints: ['nose', 'eye'],
      skeleton: [[1, 2]],
    },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [10, 20, 100.5, 50], area: 5025, iscrowd: 0 },
    {
      id: 2,
      image_id: 1,
      category_id: 2,
      segmentation: [[0, 300, 640, 300, 640, 480.25, 0, 480]],
      bbox: [0, 300, 640, 180.25],
      area: 115280,
      iscrowd: 0,
    },
    {
      id: 3,
      image_id: 2,
      category_id: 3,
      keypoints: [30, 40, 2, 35.5, 41, 2],
      num_keypoints: 2,
      bbox: [30, 40, 5.5, 1],
      area: 5.5,
      iscrowd: 0,
    },
  ],
};

/** Each annotation as what it says, independent of ids and order. */
function shapesOf(coco: {
  images: Array<{ id: number; file_name: string }>;
  categories: Array<{ id: number; name: string }>;
  annotations: Array<Record<string, unknown>>;
}): string[] {
  const files = new Map(coco.images.map((image) => [image.id, image.file_name.split('/').pop()]));
  const names = new Map(coco.categories.map((category) => [category.id, category.name]));
  return coco.annotations
    .map((annotation) =>
      JSON.stringify({
        file: files.get(annotation.image_id as number),
        category: names.get(annotation.category_id as number),
        bbox: annotation.bbox,
        segmentation: annotation.segmentation ?? [],
        keypoints: annotation.keypoints ?? [],
      }),
    )
    .sort();
}

describe.each(BACKENDS)('importing image archives on %s', (backend) => {
  let t: TestPlatform;
  let api: ReturnType<typeof client>;
  const importZip = (project: string, body: Uint8Array, query = '') =>
    postBody(t, `/api/v1/projects/${project}/import-archive${query}`, body, ZIP);
  const count = async (project: string) =>
    (await api.get(`/v1/tasks?project=${project}&limit=1`)).body.total as number;
  /** Refused whole: the error names the entry, and no task or stored byte is left. */
  const expectRefused = async (archive: Uint8Array, error: string | RegExp, status = 400) => {
    const [tasks, files] = [await count('shapes'), storedFileCount(t)];
    const res = await importZip('shapes', archive);
    expect(res.status).toBe(status);
    if (typeof error === 'string') expect(res.body.error).toBe(error);
    else expect(res.body.error).toMatch(error);
    expect(await count('shapes')).toBe(tasks);
    expect(storedFileCount(t)).toBe(files);
  };

  beforeAll(async () => {
    t = await startTestPlatform(backend, { QUORUM_ARCHIVE_LIMIT: String(ARCHIVE_LIMIT) });
    api = client(t.url, t.key);
    for (const name of ['coco', 'yolo', 'shapes'])
      await api.post('/v1/projects', {
        type: 'imageannotation',
        name,
        params: { geometries: GEOMETRIES },
      });
    await api.post('/v1/projects', {
      type: 'categorization',
      name: 'texts',
      params: { attachment_type: 'text', categories: ['a'] },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('turns a COCO archive into a task per image with pre-labels, sizes and stored images', async () => {
    const archive = zipSync({
      'images/street.jpg': jpeg(640, 480),
      'images/park.png': png(320, 240),
      'images/unlabelled.png': png(100, 50, 1),
      'annotations/instances.json': utf8(JSON.stringify(COCO)),
      'README.md': utf8('# a dataset'),
    });
    const res = await importZip('coco', archive);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      created: 3,
      prelabeled: 2,
      formats: ['coco'],
      ignored: ['README.md'],
    });
    const [street, park, unlabelled] = await tasksOf(t, 'coco');
    expect(street.metadata).toEqual({
      file_name: 'images/street.jpg',
      image_width: 640,
      image_height: 480,
    });
    expect(street.params.hypothesis.annotations).toEqual([
      { type: 'box', label: 'car', left: 10, top: 20, width: 100.5, height: 50 },
      {
        type: 'polygon',
        label: 'road',
        vertices: [
          { x: 0, y: 300 },
          { x: 640, y: 300 },
          { x: 640, y: 480.25 },
          { x: 0, y: 480 },
        ],
      },
    ]);
    expect(park.params.hypothesis.annotations).toEqual([
      { type: 'point', label: 'nose', x: 30, y: 40 },
      { type: 'point', label: 'eye', x: 35.5, y: 41 },
    ]);
    // Not in the COCO file: a task to label from scratch, its size read from its header.
    expect(unlabelled.params.hypothesis).toBeUndefined();
    expect(unlabelled.metadata).toMatchObject({ image_width: 100, image_height: 50 });
    // The image is stored like an upload: served from its scaledata:// reference.
    const fileId = /^scaledata:\/\/[^/]+\/(\w+)$/.exec(street.params.attachment)![1];
    const file = await api.get(`/v1/files/${fileId}`);
    expect(file.body).toMatchObject({ mime_type: 'image/jpeg', filename: 'street.jpg' });
    const content = await fetch(`${t.url}/v1/files/${fileId}/content`, {
      headers: { authorization: `Basic ${Buffer.from(`${t.key}:`).toString('base64')}` },
    });
    expect(new Uint8Array(await content.arrayBuffer())).toEqual(jpeg(640, 480));
  });

  it('gives COCO back with every box, polygon, keypoint and label once the pre-labels are accepted', async () => {
    for (const task of await tasksOf(t, 'coco')) {
      const res = await api.post(`/api/v1/tasks/${task.task_id}/response`, {
        response: { annotations: task.params.hypothesis?.annotations ?? [] },
      });
      expect(res.status).toBe(200);
    }
    const exported = await api.get('/api/v1/projects/coco/export?format=coco');
    expect(exported.status).toBe(200);
    // Points come back one annotation each (no keypoint schema): compared point by point.
    const original = shapesOf({
      ...COCO,
      annotations: COCO.annotations.filter((annotation) => !annotation.keypoints),
    });
    const back = exported.body as typeof COCO;
    expect(
      shapesOf({ ...back, annotations: back.annotations.filter((a) => !a.keypoints) }),
    ).toEqual(original);
    const pointsBack = back.annotations
      .filter((annotation) => annotation.keypoints)
      .map((annotation) => ({
        file: back.images.find((image) => image.id === annotation.image_id)!.file_name,
        label: back.categories.find((category) => category.id === annotation.category_id)!.name,
        at: (annotation.keypoints as number[]).slice(0, 2),
      }));
    expect(pointsBack).toEqual(
      expect.arrayContaining([
        { file: 'park.png', label: 'nose', at: [30, 40] },
        { file: 'park.png', label: 'eye', at: [35.5, 41] },
      ]),
    );
    expect(pointsBack).toHaveLength(2);
  });

  it('turns a YOLO archive into tasks, its fractions into pixels of each image', async () => {
    const archive = zipSync({
      'data.yaml': utf8('names: [car, road]\n'),
      'images/train/a.jpg': jpeg(640, 480),
      'labels/train/a.txt': utf8('0 0.5 0.5 0.25 0.5\n1 0.1 0.1 0.2 0.1 0.2 0.2\n'),
      'images/train/b.png': png(200, 100),
      'labels/train/b.txt': utf8(''),
    });
    const ok = await importZip('yolo', archive);
    expect(ok.body).toMatchObject({ created: 2, prelabeled: 2, formats: ['yolo'] });
    const [a, b] = await tasksOf(t, 'yolo');
    expect(a.metadata).toMatchObject({ image_width: 640, image_height: 480 });
    expect(a.params.hypothesis.annotations).toEqual([
      { type: 'box', label: 'car', left: 240, top: 120, width: 160, height: 240 },
      {
        type: 'polygon',
        label: 'road',
        vertices: [
          { x: 64, y: 48 },
          { x: 128, y: 48 },
          { x: 128, y: 96 },
        ],
      },
    ]);
    expect(b.params.hypothesis).toEqual({ annotations: [] });
  });

  it('refuses entries that climb out, are absolute or are links, naming them', async () => {
    await expectRefused(
      zipSync({ 'a.png': png(1, 1), '../evil.png': png(1, 1) }),
      'entry "../evil.png": climbs out of the archive with ".."',
    );
    await expectRefused(
      zipSync({ '/etc/evil.png': png(1, 1) }),
      'entry "/etc/evil.png": has an absolute path',
    );
    await expectRefused(
      zipSync({
        'images/link.png': [utf8('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
      }),
      'entry "images/link.png": is a symbolic link',
    );
  });

  it('refuses decompression bombs by ratio, entry count and size', async () => {
    const zeros = new Uint8Array(8 * 1024 * 1024);
    zeros.set(png(1, 1));
    await expectRefused(
      zipSync({ 'images/bomb.png': [zeros, { level: 9 }] }),
      /^entry "images\/bomb.png": expands \d+-fold; at most 200-fold is accepted$/,
    );
    const many: Zippable = {};
    for (let index = 0; index <= 10_000; index++)
      many[`${index}`] = [new Uint8Array(0), { level: 0 }];
    await expectRefused(zipSync(many), '"archive": has 10001 entries; at most 10000 are accepted');
    const large = new Uint8Array(ARCHIVE_LIMIT + 1);
    crypto.getRandomValues(large.subarray(0, 65536));
    await expectRefused(
      large,
      `body: the archive is larger than ${ARCHIVE_LIMIT} bytes, the most this server accepts (QUORUM_ARCHIVE_LIMIT)`,
      413,
    );
  });

  it('refuses VOC XML with a DOCTYPE, without expanding anything', async () => {
    const xml =
      '<?xml version="1.0"?>\n<!DOCTYPE annotation [<!ENTITY lol "lol">]>\n' +
      '<annotation><filename>1.jpg</filename><object><name>&lol;</name></object></annotation>';
    await expectRefused(
      zipSync({ 'VOC/JPEGImages/1.jpg': jpeg(10, 10), 'VOC/Annotations/1.xml': utf8(xml) }),
      /^entry "VOC\/Annotations\/1.xml", line 2: .*DOCTYPE/,
    );
  });

  it('refuses labels the project lacks, and labels whose image is missing, keeping nothing', async () => {
    const truck = structuredClone(COCO);
    truck.categories[0]!.name = 'truck';
    await expectRefused(
      zipSync({
        'street.jpg': jpeg(640, 480),
        'park.png': png(320, 240),
        'instances.json': utf8(JSON.stringify(truck)),
      }),
      '"instances.json": annotations.0.category_id: "truck" is not a label of the project',
    );
    await expectRefused(
      zipSync({ 'park.png': png(320, 240), 'instances.json': utf8(JSON.stringify(COCO)) }),
      'entry "instances.json": image 1 ("street.jpg") has annotations but is not in the archive',
    );
    await expectRefused(
      zipSync({ 'images/a.jpg': jpeg(10, 10), 'labels/a.txt': utf8('0 0.5 0.5 0.1 0.1\n') }),
      'entry "labels/a.txt": no classes.txt, obj.names or data.yaml lists its classes',
    );
    await expectRefused(
      zipSync({ 'notes.txt': utf8('just words') }),
      '"archive": has no images (PNG, JPEG, GIF, WebP, TIFF, HEIC, AVIF)',
    );
    await expectRefused(zipSync({}).subarray(0, 10), /^"archive": is not a ZIP archive/);
  });

  it('takes image archives for image projects only, sent as application/zip', async () => {
    const archive = zipSync({ 'a.png': png(1, 1) });
    const texts = await importZip('texts', archive);
    expect(texts.status).toBe(400);
    expect(texts.body.field).toBe('project');
    const json = await postBody(
      t,
      '/api/v1/projects/shapes/import-archive',
      '{}',
      'application/json',
    );
    expect(json.status).toBe(415);
  });

  it('deletes the images it stored when storing or recording fails, and creates nothing', async () => {
    const db = t.testDatabase.database.db;
    const { id: organizationId } = await db
      .selectFrom('organizations')
      .select('id')
      .executeTakeFirstOrThrow();
    const scope = { organizationId, livemode: true };
    const local = createLocalAssetStore(join(t.testDatabase.dataDir, 'assets'));
    const effects: Effects = {
      taskChanged: async () => undefined,
      batchCompleted: async () => undefined,
    };
    const archive = zipSync({
      'a.png': png(2, 2, 1),
      'b.png': png(2, 2, 2),
      'c.png': png(2, 2, 3),
    });
    const files = storedFileCount(t);
    let puts = 0;
    const failingStore: AssetStore = {
      ...local,
      put: async (key, body, options) => {
        if (++puts === 3) throw new Error('disk full');
        return local.put(key, body, options);
      },
    };
    const deps = { db, assets: failingStore, effects, now: () => new Date() };
    await expect(
      importArchive(deps, scope, archive, { project: 'shapes', labels: 'predictions' }),
    ).rejects.toThrow('disk full');
    expect(puts).toBe(3);
    expect(storedFileCount(t)).toBe(files);
    // The database refuses the transaction once the images are stored.
    const failingDb = new Proxy(db, {
      get(target, key) {
        if (key === 'transaction')
          return () => ({
            execute: async () => {
              throw new Error('the database went away');
            },
          });
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(
      importArchive({ ...deps, db: failingDb, assets: local }, scope, archive, {
        project: 'shapes',
        labels: 'predictions',
      }),
    ).rejects.toThrow('the database went away');
    expect(storedFileCount(t)).toBe(files);
    expect(await count('shapes')).toBe(0);
  });

  it('reads a Label Studio export with its uploaded images, under the project’s config', async () => {
    const config =
      '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">' +
      '<Label value="car"/></RectangleLabels></View>';
    await api.post('/api/v1/projects/from-labelstudio-config', { name: 'ls-archive', config });
    const tasks = [
      {
        id: 7,
        data: { image: '/data/upload/3/5d1e2f-street.jpg' },
        annotations: [
          {
            result: [
              {
                id: 'a',
                from_name: 'label',
                to_name: 'image',
                type: 'rectanglelabels',
                original_width: 640,
                original_height: 480,
                value: { x: 10, y: 10, width: 50, height: 25, rectanglelabels: ['car'] },
              },
            ],
          },
        ],
      },
    ];
    const archive = zipSync({
      'street.jpg': jpeg(640, 480),
      'tasks.json': utf8(JSON.stringify(tasks)),
    });
    const res = await importZip('ls-archive', archive, '?labels=annotations');
    expect(res.body).toMatchObject({ created: 1, prelabeled: 1, formats: ['labelstudio'] });
    const [task] = await tasksOf(t, 'ls-archive');
    expect(task.params.hypothesis.annotations).toEqual([
      { type: 'box', uuid: 'a', label: 'car', left: 64, top: 48, width: 320, height: 120 },
    ]);
    expect(task.metadata).toMatchObject({ image_width: 640, image_height: 480 });
  });
});
