import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv';
import { writeClassificationCsv } from './classification-csv';

describe('the classification CSV', () => {
  it('writes task id, attachment, labels and confidence, with taxonomy columns', () => {
    const csv = [
      ...writeClassificationCsv(
        [
          {
            taskId: 'task_1',
            attachment: 'https://x/1.jpg',
            response: { category: 'cat' },
            confidence: 0.93,
          },
          { taskId: 'task_2', attachment: 'Très "bon", merci', response: { category: ['a', 'b'] } },
          {
            taskId: 'task_3',
            attachment: '=cmd|calc',
            response: { taxonomies: { mood: ['happy'], topics: ['x', 'y'] } },
          },
          { taskId: 'task_4', attachment: 'https://x/4.jpg' },
        ],
        { questions: ['mood', 'topics'] },
      ),
    ].join('');
    expect(csv.split('\r\n')[0]).toBe(
      'task_id,attachment,label,confidence,taxonomies.mood,taxonomies.topics',
    );
    expect(parseCsv(csv).slice(1)).toEqual([
      ['task_1', 'https://x/1.jpg', 'cat', '0.93', '', ''],
      ['task_2', 'Très "bon", merci', 'a|b', '', '', ''],
      ['task_3', "'=cmd|calc", '', '', 'happy', 'x|y'],
      ['task_4', 'https://x/4.jpg', '', '', '', ''],
    ]);
  });

  it('refuses a label that contains the separator rather than splitting it wrongly', () => {
    expect(() => [
      ...writeClassificationCsv([{ taskId: 't', attachment: 'a', response: { category: 'a|b' } }]),
    ]).toThrow('task t: label "a|b" contains the separator "|"');
    expect(
      [
        ...writeClassificationCsv(
          [{ taskId: 't', attachment: 'a', response: { category: ['a|b', 'c'] } }],
          { separator: ';' },
        ),
      ][1],
    ).toBe('t,a,a|b;c,\r\n');
  });
});
