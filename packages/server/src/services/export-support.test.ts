import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileNameOf } from '@quorum/formats';
import { ImageNames, SkipReport, attachmentFileName, safeFileName } from './export-support';

describe('ImageNames', () => {
  it('keeps a name the first time and adds the task id when it comes again', () => {
    const names = new ImageNames();
    expect(names.claim('task_1', 'street.jpg')).toBe('street.jpg');
    expect(names.claim('task_2', 'street.jpg')).toBe('street-task_2.jpg');
    expect(names.claim('task_3', 'README')).toBe('README');
    expect(names.claim('task_4', 'README')).toBe('README-task_4');
    // Even a name that happens to equal another's suffixed form stays unique.
    expect(names.claim('task_5', 'street-task_2.jpg')).toBe('street-task_2-task_5.jpg');
  });

  it('gives unique names to many images sharing few names', () => {
    const names = new ImageNames();
    const given = Array.from({ length: 20_000 }, (_, index) =>
      names.claim(`t${index}`, `${index % 50}.jpg`),
    );
    expect(new Set(given).size).toBe(given.length);
  });

  it('names an attachment as URL parsing would, quickly for plain URLs', () => {
    const segment = fc.stringMatching(/^[\w.%~ -]{0,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), (segments) => {
        const url = `https://img.example/${segments.join('/')}`;
        expect(attachmentFileName(url)).toBe(safeFileName(fileNameOf(url)));
      }),
    );
    expect(attachmentFileName('https://img.example/a/street.jpg')).toBe('street.jpg');
    expect(attachmentFileName('https://img.example/a/Stra%C3%9Fe.jpg')).toBe('Straße.jpg');
    expect(attachmentFileName('https://img.example/a/..')).toBe('img.example');
    expect(attachmentFileName('https://img.example/a/%2E%2E%2Fx')).toBe('.._x');
  });

  it('makes names one safe path segment', () => {
    expect(safeFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(safeFileName('..')).toBe('image');
    expect(safeFileName('a\\b:c\u0000.png')).toBe('a_b_c_.png');
    expect(safeFileName('  ')).toBe('image');
  });
});

describe('SkipReport', () => {
  it('counts everything and names only the first tasks', () => {
    const report = new SkipReport();
    for (let index = 0; index < 30; index++) report.add(`t${index}`, 'line', 2);
    report.addCounts('t99', { point: 1, ellipse: 0 });
    expect(report.summary()).toEqual({ total: 61, counts: { line: 60, point: 1 } });
    expect(report.toJSON().examples).toHaveLength(20);
  });
});
