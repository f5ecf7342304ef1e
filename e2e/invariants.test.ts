import { describe, expect, it } from 'vitest';
import {
  checkInvariants,
  emptySimulationResult,
  type SimulationResult,
  type StoredWork,
} from './support/annotators';

const run = (acknowledged: SimulationResult['acknowledged']): SimulationResult => ({
  ...emptySimulationResult(),
  acknowledged,
  claims: acknowledged.length,
});

const sound: StoredWork = {
  tasks: [{ id: 't1', status: 'completed', answer_count: 2 }],
  answers: [
    { task_id: 't1', worker: 'w1' },
    { task_id: 't1', worker: 'w2' },
  ],
  assignments: [
    { id: 'a1', task_id: 't1', worker_id: 'w1', status: 'submitted', stage: 'attempt' },
    { id: 'a2', task_id: 't1', worker_id: 'w2', status: 'submitted', stage: 'attempt' },
  ],
};

describe('the reliability run’s invariants', () => {
  const acknowledged = [
    { assignment: 'a1', worker: 'w1', stage: 'attempt' },
    { assignment: 'a2', worker: 'w2', stage: 'attempt' },
  ];

  it('hold for a sound run', () => {
    expect(checkInvariants(sound, run(acknowledged), 2)).toEqual([]);
  });

  it('name an answer or an assignment whose task is not stored', () => {
    const orphaned: StoredWork = {
      ...sound,
      answers: [...sound.answers, { task_id: 'gone', worker: 'w3' }],
      assignments: [
        ...sound.assignments,
        { id: 'a3', task_id: 'gone', worker_id: 'w3', status: 'submitted', stage: 'attempt' },
      ],
    };
    const problems = checkInvariants(
      orphaned,
      run([...acknowledged, { assignment: 'a3', worker: 'w3', stage: 'attempt' }]),
      2,
    );
    expect(problems).toContain('an answer of w3 has no task');
    expect(problems).toContain('assignment a3 has no task');
  });

  it('name an answer stored twice and one never acknowledged', () => {
    const doubled: StoredWork = { ...sound, answers: [...sound.answers, sound.answers[0]!] };
    const problems = checkInvariants(doubled, run(acknowledged.slice(1)), 2);
    expect(problems).toContain('task t1 has 3 answers, not 2');
    expect(problems).toContain('t1/w1 stored, never acknowledged');
  });
});
