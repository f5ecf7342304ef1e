import { describe, expect, it } from 'vitest';
import { judgeMessages, parseVerdict } from './judges';

describe('judges', () => {
  it('reads the verdict from the reply, bracketed or bare', () => {
    expect(parseVerdict('[[A]] because it is correct.')).toBe('A');
    expect(parseVerdict('After thought: [[ tie ]]')).toBe('tie');
    expect(parseVerdict('B')).toBe('B');
    expect(parseVerdict(' tie. ')).toBe('tie');
  });

  it('refuses a reply without one verdict instead of guessing', () => {
    expect(parseVerdict('Both are fine I guess')).toMatch(/names no verdict/);
    expect(parseVerdict('[[A]] no wait [[B]]')).toMatch(/several verdicts/);
  });

  it('puts the conversation and both responses in the prompt', () => {
    const [system, user] = judgeMessages('USER: hi', 'hello', 'hey');
    expect(system!.role).toBe('system');
    expect(user!.content).toContain('[Response A]\nhello');
    expect(user!.content).toContain('[Response B]\nhey');
  });
});
