import { describe, expect, it } from 'vitest';
import { Gathering } from './gathering';

/** A gathering whose runs finish when the test says, recording what each run took. */
function held(most = 64) {
  const runs: { items: string[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const gathering = new Gathering<string, string>({
    run: (items) =>
      new Promise((resolve, reject) =>
        runs.push({
          items,
          finish: () => resolve(items.map((item) => `done ${item}`)),
          fail: reject,
        }),
      ),
    distinct: (item) => item.split(':')[0]!,
    most,
  });
  return { gathering, runs };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Gathering', () => {
  it('runs what arrives in one turn together, and gathers what arrives meanwhile into the next run', async () => {
    const { gathering, runs } = held();
    const first = ['a', 'b'].map((item) => gathering.add('k', item));
    expect(runs).toEqual([]);
    await tick();
    expect(runs.map((run) => run.items)).toEqual([['a', 'b']]);
    const rest = ['c', 'd', 'e'].map((item) => gathering.add('k', item));
    runs[0]!.finish();
    expect(await Promise.all(first)).toEqual(['done a', 'done b']);
    await tick();
    expect(runs.map((run) => run.items)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    runs[1]!.finish();
    expect(await Promise.all(rest)).toEqual(['done c', 'done d', 'done e']);
    expect(gathering.made).toEqual({ runs: 2, items: 5 });
  });

  it('puts an item in a run once and no more than the most, the rest waiting their turn', async () => {
    const { gathering, runs } = held(2);
    const all = ['w', 'x:1', 'x:2', 'y', 'z'].map((item) => gathering.add('k', item));
    for (let i = 0; i < 3; i++) {
      while (!runs[i]) await tick();
      runs[i]!.finish();
    }
    await Promise.all(all);
    expect(runs.map((run) => run.items)).toEqual([['w', 'x:1'], ['x:2', 'y'], ['z']]);
  });

  it('keeps keys apart: each has its own run in flight', async () => {
    const { gathering, runs } = held();
    const one = gathering.add('one', 'a');
    const two = gathering.add('two', 'b');
    await tick();
    expect(runs.map((run) => run.items)).toEqual([['a'], ['b']]);
    runs[1]!.finish();
    expect(await two).toBe('done b');
    runs[0]!.finish();
    expect(await one).toBe('done a');
  });

  it('fails every item of a failed run, and goes on with the next', async () => {
    const { gathering, runs } = held();
    const first = gathering.add('k', 'a');
    await tick();
    const second = gathering.add('k', 'b');
    const third = gathering.add('k', 'c');
    runs[0]!.fail(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    await tick();
    runs[1]!.fail(new Error('again'));
    await expect(second).rejects.toThrow('again');
    await expect(third).rejects.toThrow('again');
    const fourth = gathering.add('k', 'd');
    await tick();
    runs[2]!.finish();
    expect(await fourth).toBe('done d');
  });
});
