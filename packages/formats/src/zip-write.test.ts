import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readZip } from './zip';
import { ZipWriter } from './zip-write';

function concat(chunks: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe('ZipWriter', () => {
  it('writes entries that fflate and the safe reader read back, deflating what gets smaller', () => {
    const writer = new ZipWriter({ modified: new Date(Date.UTC(2024, 4, 17, 10, 30, 12)) });
    const xml = `<annotation>${'<object><name>car</name></object>'.repeat(40)}</annotation>\n`;
    const chunks = [
      ...writer.add('labels/a.txt', '0 0.5 0.5 0.25 0.25\n'),
      ...writer.add('Annotations/straße 🚗.xml', xml),
      ...writer.add('empty.txt', ''),
      ...writer.end(),
    ];
    const archive = concat(chunks);
    const unzipped = unzipSync(archive);
    expect(Object.keys(unzipped)).toEqual([
      'labels/a.txt',
      'Annotations/straße 🚗.xml',
      'empty.txt',
    ]);
    expect(text(unzipped['labels/a.txt'])).toBe('0 0.5 0.5 0.25 0.25\n');
    expect(text(unzipped['Annotations/straße 🚗.xml'])).toBe(xml);
    expect(archive.length).toBeLessThan(xml.length);
    const entries = readZip(archive);
    expect(entries.map((entry) => [entry.name, entry.data.length])).toEqual([
      ['labels/a.txt', 20],
      ['Annotations/straße 🚗.xml', xml.length],
      ['empty.txt', 0],
    ]);
    expect(writer.entryCount).toBe(3);
  });

  it('adds ZIP64 end records past 65,535 entries, so no count wraps around', () => {
    const writer = new ZipWriter({ deflate: () => new Uint8Array(1000) });
    const chunks: Uint8Array[] = [];
    const count = 70_000;
    for (let index = 0; index < count; index++)
      chunks.push(...writer.add(`labels/${index}.txt`, String(index % 10)));
    chunks.push(...writer.end());
    const unzipped = unzipSync(concat(chunks));
    expect(Object.keys(unzipped)).toHaveLength(count);
    expect(text(unzipped['labels/69999.txt'])).toBe('9');
  });

  it('refuses names that could escape the folder they are unpacked in, and use after end', () => {
    const writer = new ZipWriter();
    for (const name of ['../x.txt', '/abs.txt', 'a/../../b', 'a\\b.txt', 'a//b', ''])
      expect(() => writer.add(name, 'x')).toThrow(/cannot be the name of a ZIP entry/);
    writer.end();
    expect(() => writer.add('a.txt', 'x')).toThrow(/after end/);
  });
});
