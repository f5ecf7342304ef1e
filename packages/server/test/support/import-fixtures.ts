import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestPlatform } from '../harness';

/** Test-only builders for import tests: image headers, raw posts, counts. */

const u16be = (value: number) => [value >> 8, value & 0xff];
const u32be = (value: number) => [...u16be(value >>> 16), ...u16be(value & 0xffff)];
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** A PNG's signature and IHDR chunk, then `seed` so every image's bytes differ. */
export function png(width: number, height: number, seed = 0): Uint8Array {
  return Uint8Array.from([
    0x89,
    ...ascii('PNG\r\n\x1a\n'),
    ...u32be(13),
    ...ascii('IHDR'),
    ...u32be(width),
    ...u32be(height),
    8,
    2,
    0,
    0,
    0,
    ...u32be(seed),
  ]);
}

/** A JPEG's start and baseline frame header. */
export function jpeg(width: number, height: number): Uint8Array {
  return Uint8Array.from([
    0xff,
    0xd8,
    0xff,
    0xc0,
    ...u16be(17),
    8,
    ...u16be(height),
    ...u16be(width),
    3,
    ...new Array<number>(12).fill(0),
  ]);
}

export const utf8 = (text: string) => new TextEncoder().encode(text);

/** POSTs a body as it is, with its content type, authenticated as the platform's key. */
export async function postBody(
  t: TestPlatform,
  path: string,
  body: string | Uint8Array,
  contentType: string,
) {
  const response = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${t.key}:`).toString('base64')}`,
      'content-type': contentType,
    },
    body,
  });
  const text = await response.text();
  let json: any; // test convenience: bodies are asserted field by field
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

/** Every task of a project, through the v1 list (oldest first). */
export async function tasksOf(t: TestPlatform, project: string): Promise<any[]> {
  const tasks: any[] = [];
  let next: string | undefined;
  do {
    const query = new URLSearchParams({ project, limit: '100' });
    if (next) query.set('next_token', next);
    const response = await fetch(`${t.url}/v1/tasks?${query}`, {
      headers: { authorization: `Basic ${Buffer.from(`${t.key}:`).toString('base64')}` },
    });
    const page = (await response.json()) as { docs: any[]; next_token?: string | null };
    tasks.push(...page.docs);
    next = page.next_token ?? undefined;
  } while (next);
  return tasks.reverse();
}

/** How many files the local asset store holds (partial uploads aside). */
export function storedFileCount(t: TestPlatform): number {
  const count = (dir: string): number => {
    let files = 0;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return 0;
    }
    for (const name of names) {
      if (name === '.partial') continue;
      const path = join(dir, name);
      files += statSync(path).isDirectory() ? count(path) : 1;
    }
    return files;
  };
  return count(join(t.testDatabase.dataDir, 'assets'));
}

/** A Label Studio config with names of its own (not the ones Quorum would write). */
export const LS_IMAGE_CONFIG = `<View>
  <Image name="img" value="$photo"/>
  <RectangleLabels name="label" toName="img">
    <Label value="car"/><Label value="person"/>
  </RectangleLabels>
  <PolygonLabels name="outline" toName="img"><Label value="road"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="img"><Label value="nose"/></KeyPointLabels>
  <Choices name="occluded" toName="img" perRegion="true"><Choice value="yes"/><Choice value="no"/></Choices>
</View>`;

const lsSize = { original_width: 1000, original_height: 500, image_rotation: 0 };
/** Label Studio tasks as its JSON export writes them, the first with a model's predictions. */
export const LS_TASKS = [
  {
    id: 101,
    data: { photo: 'https://cdn.example.com/street.jpg', camera: 'front' },
    annotations: [],
    predictions: [
      {
        model_version: 'detector-3',
        score: 0.8,
        result: [
          {
            id: 'r1',
            from_name: 'label',
            to_name: 'img',
            type: 'rectanglelabels',
            ...lsSize,
            value: {
              x: 12.5,
              y: 10,
              width: 20,
              height: 30.25,
              rotation: 0,
              rectanglelabels: ['car'],
            },
          },
          {
            id: 'r1',
            from_name: 'occluded',
            to_name: 'img',
            type: 'choices',
            ...lsSize,
            value: { x: 12.5, y: 10, width: 20, height: 30.25, rotation: 0, choices: ['no'] },
          },
          {
            id: 'p1',
            from_name: 'outline',
            to_name: 'img',
            type: 'polygonlabels',
            ...lsSize,
            value: {
              points: [
                [0, 0],
                [50, 0],
                [50, 50.5],
              ],
              polygonlabels: ['road'],
            },
          },
          {
            id: 'k1',
            from_name: 'kp',
            to_name: 'img',
            type: 'keypointlabels',
            ...lsSize,
            value: { x: 1.5, y: 2.5, keypointlabels: ['nose'] },
          },
        ],
      },
    ],
  },
  { id: 102, data: { photo: 'https://cdn.example.com/park.jpg' } },
];
