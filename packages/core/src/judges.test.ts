import { describe, expect, it } from 'vitest';
import { judgeMessages, parseRatings, parseVerdict, ratingMessages } from './judges';

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

describe('judge ratings', () => {
  const criteria = [
    { id: 'helpful', min: 1, max: 5, description: 'Does it help?' },
    { id: 'safe', min: 1, max: 3 },
  ];

  it('asks for every criterion with its range', () => {
    const [system, user] = ratingMessages('USER: hi', 'Hello!', criteria);
    expect(system!.role).toBe('system');
    expect(user!.content).toContain('- helpful (1 to 5): Does it help?');
    expect(user!.content).toContain('- safe (1 to 3)');
    expect(user!.content).toContain('[Response]\nHello!');
  });

  it('reads the first JSON object of scores, reasons around it allowed', () => {
    expect(parseRatings('Scores: {"helpful": 4, "safe": 3} because it is fine.', criteria)).toEqual(
      {
        helpful: 4,
        safe: 3,
      },
    );
  });

  it('refuses missing, fractional, out-of-range or absent scores with the reason', () => {
    expect(parseRatings('{"helpful": 4}', criteria)).toMatch(/no score for "safe"/);
    expect(parseRatings('{"helpful": 4.5, "safe": 1}', criteria)).toMatch(/not a whole number/);
    expect(parseRatings('{"helpful": 9, "safe": 1}', criteria)).toMatch(/from 1 to 5/);
    expect(parseRatings('I liked it.', criteria)).toMatch(/no JSON object/);
    expect(parseRatings('{helpful: 4}', criteria)).toMatch(/not valid JSON/);
  });
});
