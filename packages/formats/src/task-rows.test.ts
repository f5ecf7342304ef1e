import { describe, expect, it } from 'vitest';
import { FormatError } from './errors';
import { csvTaskRows, jsonlTaskRows, parseTaskColumns } from './task-rows';

const geometries = { box: { objects_to_annotate: ['car', 'person'] } };

describe('task rows from CSV', () => {
  it('maps header names to create-task fields, nesting dotted names and converting typed ones', () => {
    const csv = [
      'attachment,unique_id,metadata.source,metadata.camera.id:number,tags:list,priority:number,hypothesis:json',
      'https://cdn.example.com/1.jpg,img-1,dashcam,7,day|city,20,"{""annotations"":[{""type"":""box"",""label"":""car"",""left"":1,""top"":2,""width"":3,""height"":4}]}"',
      'https://cdn.example.com/2.jpg,,,,,,',
    ].join('\r\n');
    const rows = [
      ...csvTaskRows(csv, {
        type: 'imageannotation',
        defaults: { project: 'streets', geometries },
      }),
    ];
    expect(rows).toEqual([
      {
        line: 2,
        body: {
          project: 'streets',
          geometries,
          attachment: 'https://cdn.example.com/1.jpg',
          unique_id: 'img-1',
          metadata: { source: 'dashcam', camera: { id: 7 } },
          tags: ['day', 'city'],
          priority: 20,
          hypothesis: {
            annotations: [{ type: 'box', label: 'car', left: 1, top: 2, width: 3, height: 4 }],
          },
        },
      },
      {
        line: 3,
        body: { project: 'streets', geometries, attachment: 'https://cdn.example.com/2.jpg' },
      },
    ]);
    // Defaults are copied, never shared between rows.
    expect(rows[0]!.body.geometries).not.toBe(rows[1]!.body.geometries);
  });

  it('checks each body with the create-task rules and names the line', () => {
    const csv =
      'attachment,categories:json\nhttps://x/1.jpg,"[""a"",""b""]"\nnot a url,"[""a""]"\n';
    let error: unknown;
    try {
      [
        ...csvTaskRows(csv, {
          type: 'categorization',
          file: 'batch.csv',
          defaults: { attachment_type: 'image' },
        }),
      ];
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).line).toBe(3);
    expect((error as FormatError).message).toMatch(
      /^"batch.csv", line 3: attachment: must be an http\(s\) URL/,
    );
  });

  it('refuses headers that would collide, pollute prototypes or use unknown types', () => {
    expect(() => parseTaskColumns(['metadata', 'metadata.source'])).toThrow(
      'columns "metadata" and "metadata.source" fill the same field',
    );
    expect(() => parseTaskColumns(['tags', 'tags:list'])).toThrow('fill the same field');
    expect(() => parseTaskColumns(['metadata.__proto__.x'])).toThrow(
      'names a field that is not allowed',
    );
    expect(() => parseTaskColumns(['priority:int'])).toThrow('unknown type ":int"');
  });

  it('names the cell that cannot be converted', () => {
    expect(() => [
      ...csvTaskRows('attachment,priority:number\nhttps://x/a.jpg,high\n', {
        type: 'imageannotation',
        validate: false,
      }),
    ]).toThrow('line 2: column "priority:number" "high" is not a number');
    expect(() => [
      ...csvTaskRows('text,labels:json\nhi,[{\n', { type: 'namedentityrecognition' }),
    ]).toThrow(/line 2: column "labels:json" is not valid JSON/);
  });
});

describe('task rows from JSON Lines', () => {
  it('takes each line as a body over the defaults', () => {
    const jsonl =
      '{"text":"Ada Lovelace wrote","unique_id":"d1"}\n\n{"text":"Grace Hopper","labels":[{"name":"PER"},{"name":"ORG"}]}\n';
    const rows = [
      ...jsonlTaskRows(jsonl, {
        type: 'namedentityrecognition',
        defaults: { labels: [{ name: 'PER' }] },
      }),
    ];
    expect(rows.map((row) => [row.line, row.body.unique_id, row.body.labels])).toEqual([
      [1, 'd1', [{ name: 'PER' }]],
      [3, undefined, [{ name: 'PER' }, { name: 'ORG' }]],
    ]);
  });

  it('refuses lines that are not bodies, naming them', () => {
    expect(() => [...jsonlTaskRows('[1]\n', { type: 'namedentityrecognition' })]).toThrow(
      'line 1: must be a JSON object',
    );
    expect(() => [
      ...jsonlTaskRows('{"text":"x"}\n', { type: 'namedentityrecognition', file: 'ner.jsonl' }),
    ]).toThrow('"ner.jsonl", line 1: labels: is required');
  });
});
