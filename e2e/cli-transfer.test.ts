import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '@quorum/formats';
import { QuorumClient, type ScaleTask } from '@quorum/sdk';
import { startTestPlatform, type TestPlatform } from '../packages/server/test/harness';
import {
  LS_IMAGE_CONFIG,
  LS_TASKS,
  jpeg,
  png,
} from '../packages/server/test/support/import-fixtures';
import { jsonLines, runCli } from './support/cli';

/** Every file under `folder`, relative, sorted. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1))
    .sort();
}

/*
 * `quorum import` and `quorum export` in every format, run as child processes against the real
 * server: files uploaded and downloaded, archives extracted, summaries and exit codes.
 */
describe('quorum import and export against a running server', () => {
  let t: TestPlatform;
  let sdk: QuorumClient;
  let env: Record<string, string>;
  let work: string;
  const quorum = (...args: string[]) => runCli(args, { env, cwd: work });
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };
  const total = async (project: string, status?: ScaleTask['status']) =>
    (await sdk.tasks.list({ project, status, limit: 1 })).total;

  beforeAll(async () => {
    t = await startTestPlatform('pglite');
    sdk = new QuorumClient({ url: t.url, apiKey: t.key });
    env = { QUORUM_URL: t.url, QUORUM_API_KEY: t.key };
    work = mkdtempSync(join(tmpdir(), 'quorum-cli-transfer-'));
    await sdk.projects.create({
      type: 'categorization',
      name: 'rows',
      params: { attachment_type: 'text', categories: ['yes', 'no'] },
    });
    await sdk.batches.create({ project: 'rows', name: 'rows-1' });
    await sdk.projects.create({
      type: 'namedentityrecognition',
      name: 'entities',
      params: { labels: [{ name: 'ORG' }, { name: 'PER' }] },
    });
  });
  afterAll(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('import', () => {
    it('imports a CSV file into a batch and says how many tasks it made', async () => {
      const csv = file(
        'rows.csv',
        'attachment,unique_id\n"first, with a comma",r1\nsecond,r2\nthird,r3\n',
      );
      const run = await quorum('import', '--project', 'rows', csv, '--batch', 'rows-1');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Imported 3 tasks into rows from rows\.csv in \d+s\n$/);
      expect(run.stderr).toBe('');
      const tasks = await sdk.tasks.list({ batch: 'rows-1', limit: 10 });
      expect(tasks.docs.map((task) => task.params.attachment).sort()).toEqual([
        'first, with a comma',
        'second',
        'third',
      ]);
    });

    it('refuses a file with a bad row whole, exit 1 with the server naming the line', async () => {
      const csv = file('bad.csv', 'attachment,priority:number\nfine,10\nbad,lots\nfine too,30\n');
      const before = await total('rows');
      const run = await quorum('import', '--project', 'rows', csv);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'quorum import: line 3: column "priority:number" "lots" is not a number (HTTP 400 invalid)\n',
      );
      expect(await total('rows')).toBe(before);
    });

    it('imports the good rows with --skip-bad-rows and lists the bad ones', async () => {
      const csv = file('bad.csv', 'attachment,priority:number\nfine,10\nbad,lots\nfine too,30\n');
      const before = await total('rows');
      const human = await quorum('import', '--project', 'rows', csv, '--skip-bad-rows');
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(
        /^Imported 2 tasks into rows from bad\.csv in \d+s; skipped 1 bad rows:\n {2}line 3: column "priority:number" "lots" is not a number\n$/,
      );
      const json = await quorum('import', '--project', 'rows', csv, '--skip-bad-rows', '--json');
      expect(JSON.parse(json.stdout)).toEqual({
        created: 2,
        skipped: 1,
        problems: [{ line: 3, reason: 'column "priority:number" "lots" is not a number' }],
      });
      expect(await total('rows')).toBe(before + 4);
    });

    it('streams a large JSON Lines file up and gives the answer as JSON', async () => {
      const lines = Array.from({ length: 20_000 }, (_, i) =>
        JSON.stringify({ attachment: `line ${i} `.repeat(10), unique_id: `big-${i}` }),
      );
      const jsonl = file('big.ndjson', `${lines.join('\n')}\n`);
      expect(statSync(jsonl).size).toBeGreaterThan(2 * 1024 * 1024);
      const before = await total('rows');
      const run = await quorum('import', '--project', 'rows', jsonl, '--json');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ created: 20_000, skipped: 0, problems: [] });
      // Not a terminal and under ten seconds: no progress lines.
      expect(run.stderr).toBe('');
      expect(await total('rows')).toBe(before + 20_000);
    });

    it('checks the file and the flags before sending anything', async () => {
      const noFormat = await quorum('import', '--project', 'rows', file('tasks.txt', 'x\n'));
      expect(noFormat.code).toBe(2);
      expect(noFormat.stderr).toContain('cannot tell the format of "tasks.txt" from its extension');
      const missing = await quorum('import', '--project', 'rows', join(work, 'absent.csv'));
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('no such file');
      const wrongFlag = await quorum(
        'import',
        '--project',
        'rows',
        file('x.zip', 'PK'),
        '--skip-bad-rows',
      );
      expect(wrongFlag.code).toBe(2);
      expect(wrongFlag.stderr).toContain(
        '--skip-bad-rows is for csv and jsonl and labelstudio files',
      );
      const noProject = await quorum('import', file('y.csv', 'attachment\nx\n'));
      expect(noProject.code).toBe(2);
    });

    it('makes a project from a Label Studio config and imports its tasks and an image archive', async () => {
      const config = file('config.xml', LS_IMAGE_CONFIG);
      const created = await quorum(
        'projects',
        'create',
        'images',
        '--from-labelstudio-config',
        config,
        '--json',
      );
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ name: 'images', type: 'imageannotation' });

      const studio = await quorum(
        'import',
        '--project',
        'images',
        file('studio.json', JSON.stringify(LS_TASKS)),
      );
      expect(studio.code).toBe(0);
      expect(studio.stdout).toMatch(/^Imported 2 tasks into images from studio\.json/);

      const archive = zipSync({
        'data.yaml': strToU8('names: [car, road]\n'),
        'images/a.jpg': jpeg(640, 480),
        'labels/a.txt': strToU8('0 0.5 0.5 0.25 0.5\n'),
        'images/b.png': png(200, 100),
        'labels/b.txt': strToU8(''),
        'README.md': strToU8('not an image\n'),
      });
      const zip = await quorum(
        'import',
        '--project',
        'images',
        file('street.zip', archive),
        '--json',
      );
      expect(zip.code).toBe(0);
      expect(JSON.parse(zip.stdout)).toMatchObject({
        created: 2,
        prelabeled: 2,
        formats: ['yolo'],
        ignored: ['README.md'],
      });
      expect(await total('images')).toBe(4);
    });
  });

  describe('export', () => {
    // Its own projects, filled through the SDK, so these tests stand without the ones above.
    beforeAll(async () => {
      await sdk.projects.create({
        type: 'imageannotation',
        name: 'pictures',
        params: { geometries: { box: { objects_to_annotate: ['car', 'person'] } } },
      });
      const archive = zipSync({
        'images/a.jpg': jpeg(640, 480),
        'images/b.png': png(200, 100, 1),
        'images/c.png': png(300, 300, 2),
      });
      await sdk.projects.importArchive('pictures', archive);
      for await (const task of sdk.tasks({ project: 'pictures' }))
        await sdk.tasks.complete(task.task_id, {
          annotations: [{ type: 'box', label: 'car', left: 10, top: 20, width: 30, height: 40 }],
        });

      await sdk.projects.create({
        type: 'categorization',
        name: 'graded',
        params: { attachment_type: 'text', categories: ['yes', 'no'] },
      });
      const graded = await sdk.tasks.bulkCreate(
        ['one', 'two, with a comma', 'three\non two lines', 'four'].map((attachment) => ({
          project: 'graded',
          attachment,
        })),
        { type: 'categorization' },
      );
      for (const id of graded.task_ids.slice(0, 3))
        await sdk.tasks.complete(id, { category: 'yes' });

      const texts = ['Ada Lovelace worked with Babbage.', 'Acme hired Grace Hopper.'];
      const entities = await sdk.tasks.bulkCreate(
        texts.map((text) => ({ project: 'entities', text })),
        { type: 'namedentityrecognition' },
      );
      for (const [index, id] of entities.task_ids.entries()) {
        const name = index === 0 ? 'Ada Lovelace' : 'Grace Hopper';
        const start = texts[index]!.indexOf(name);
        await sdk.tasks.complete(id, {
          annotations: [{ start, end: start + name.length, label: 'PER' }],
        });
      }
    });

    const exporting = (project: string, format: string, out: string, ...rest: string[]) =>
      quorum('export', '--project', project, '--format', format, '--out', out, ...rest);

    it('extracts a YOLO export into a folder as it downloads', async () => {
      const out = join(work, 'yolo');
      const run = await exporting('pictures', 'yolo', 'yolo', '--json');
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout) as { files: number; bytes: number; out: string };
      const files = filesUnder(out);
      expect(summary.out).toBe(out);
      expect(summary.files).toBe(files.length);
      const labels = files.filter((name) => name.startsWith('labels/'));
      expect(labels).toHaveLength(3);
      expect(readFileSync(join(out, labels[0]!), 'utf8')).toMatch(
        /^0 [\d.]+ [\d.]+ [\d.]+ [\d.]+\n$/,
      );
      expect(files).toContain('data.yaml');
      expect(readdirSync(work).filter((name) => name.endsWith('.part'))).toEqual([]);
    });

    it('keeps the archive whole with --zip, holding what the folder holds', async () => {
      const run = await exporting('pictures', 'yolo', 'yolo.zip', '--zip');
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(
        /^Exported [\d.]+ K?i?B of pictures as yolo to yolo\.zip in \d+s\n$/,
      );
      const entries = readZip(new Uint8Array(readFileSync(join(work, 'yolo.zip'))));
      expect(entries.map((entry) => entry.name).sort()).toEqual(filesUnder(join(work, 'yolo')));
    });

    it('extracts Pascal VOC into an empty folder, and refuses one that is not empty', async () => {
      const out = join(work, 'voc');
      mkdirSync(out);
      const run = await exporting('pictures', 'voc', 'voc');
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(
        /^Extracted \d+ files from a [\d.]+ K?i?B archive into voc in \d+s\n$/,
      );
      const xml = filesUnder(out).filter((name) => name.endsWith('.xml'));
      expect(xml).toHaveLength(3);
      expect(readFileSync(join(out, xml[0]!), 'utf8')).toContain('<name>car</name>');
      const again = await exporting('pictures', 'voc', 'voc');
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('is not empty');
    });

    it('writes COCO as one document (bytes only: its tasks cannot be counted as they stream)', async () => {
      const run = await exporting('pictures', 'coco', 'coco.json', '--json');
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(summary.tasks).toBeUndefined();
      expect(summary.bytes).toBe(statSync(join(work, 'coco.json')).size);
      const coco = JSON.parse(readFileSync(join(work, 'coco.json'), 'utf8')) as {
        images: unknown[];
        annotations: unknown[];
      };
      expect(coco.images).toHaveLength(3);
      expect(coco.annotations).toHaveLength(3);
    });

    it('counts the tasks of CSV and Label Studio exports as they stream', async () => {
      const csv = await exporting('graded', 'csv', 'graded.csv', '--json');
      expect(csv.code).toBe(0);
      // One of the three holds a line break inside its quoted cell: still three tasks.
      expect(JSON.parse(csv.stdout)).toMatchObject({ tasks: 3 });
      expect(readFileSync(join(work, 'graded.csv'), 'utf8')).toContain('"three\non two lines"');
      const studio = await exporting('pictures', 'labelstudio', '-');
      expect(studio.code).toBe(0);
      expect(JSON.parse(studio.stdout)).toHaveLength(3);
      expect(studio.stderr).toMatch(/^Exported 3 tasks .* to standard output/);
    });

    it('writes CoNLL and spaCy for entity projects, and refuses them for others', async () => {
      const conll = await exporting('entities', 'conll', 'ner.conll', '--json');
      expect(conll.code).toBe(0);
      expect(JSON.parse(conll.stdout)).toMatchObject({ tasks: 2 });
      const text = readFileSync(join(work, 'ner.conll'), 'utf8');
      expect(text).toContain('Ada -X- _ B-PER\nLovelace -X- _ I-PER');
      const spacy = await exporting('entities', 'spacy', '-', '--quiet');
      expect(spacy.stderr).toBe('');
      expect(jsonLines(spacy.stdout)).toHaveLength(2);
      const refused = await exporting('graded', 'conll', 'x.conll');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('format "conll" exports namedentityrecognition projects');
      expect(readdirSync(work).filter((name) => name.includes('x.conll'))).toEqual([]);
    });
  });
});
