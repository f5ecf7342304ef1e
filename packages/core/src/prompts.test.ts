import { describe, expect, it } from 'vitest';
import { parsePromptLine } from './prompts';

describe('parsePromptLine', () => {
  it('reads single-turn and multi-turn prompts', () => {
    expect(
      parsePromptLine('{"prompt": "Hi", "system": "Be brief", "category": "chat", "id": 7}'),
    ).toEqual({
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Hi' },
      ],
      category: 'chat',
      externalId: '7',
      metadata: {},
    });
    const turns = parsePromptLine(
      JSON.stringify({
        messages: [
          { role: 'user', content: 'Name a prime.' },
          { role: 'assistant', content: '7' },
          { role: 'user', content: 'Another?' },
        ],
      }),
    );
    expect(typeof turns === 'object' && turns.messages).toHaveLength(3);
  });

  it('says what is wrong with a bad line', () => {
    expect(parsePromptLine('{oops')).toBe('not valid JSON');
    expect(parsePromptLine('[1]')).toBe('not a JSON object');
    expect(parsePromptLine('{"prompt": ""}')).toMatch(/prompt must be non-empty/);
    expect(
      parsePromptLine(
        '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}',
      ),
    ).toMatch(/last message must be the user/);
    expect(parsePromptLine('{"messages": [{"role": "bot", "content": "a"}]}')).toMatch(
      /messages\[0\]\.role/,
    );
    expect(parsePromptLine('{"prompt": "a", "messages": []}')).toMatch(/not both/);
  });
});
