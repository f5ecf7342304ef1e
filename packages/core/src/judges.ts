import type { ChatMessage } from './api/models';

/** A judge's verdict on two responses, as shown: the first (A), the second (B), or a tie. */
export type Verdict = 'A' | 'B' | 'tie';

const DEFAULT_INSTRUCTIONS =
  'You are an impartial judge. Compare the two responses to the conversation below for ' +
  'helpfulness, correctness and harmlessness. Ignore their length and their order. Answer with ' +
  'exactly one of [[A]], [[B]] or [[tie]], then, optionally, one sentence of reasons.';

/** The messages a judge model gets for one comparison. */
export function judgeMessages(
  conversation: string,
  first: string,
  second: string,
  instructions = DEFAULT_INSTRUCTIONS,
): ChatMessage[] {
  return [
    { role: 'system', content: instructions },
    {
      role: 'user',
      content:
        `[Conversation]\n${conversation}\n\n[Response A]\n${first}\n\n[Response B]\n${second}\n\n` +
        'Which response is better? Answer [[A]], [[B]] or [[tie]].',
    },
  ];
}

/**
 * The verdict in a judge's reply: `[[A]]`, `[[B]]` or `[[tie]]` anywhere, or a reply that is just
 * "A", "B" or "tie". Anything else is refused with the reason: a verdict is never guessed.
 */
export function parseVerdict(reply: string): Verdict | string {
  const bracketed = [...reply.matchAll(/\[\[\s*(A|B|tie)\s*\]\]/gi)].map((match) =>
    match[1]!.toLowerCase(),
  );
  const distinct = [...new Set(bracketed)];
  if (distinct.length > 1) return `the judge gave several verdicts (${distinct.join(', ')})`;
  const bare = reply
    .trim()
    .replace(/[.!"'*]+$/g, '')
    .toLowerCase();
  const word = distinct[0] ?? (['a', 'b', 'tie'].includes(bare) ? bare : undefined);
  if (word === undefined)
    return `the judge's reply names no verdict ([[A]], [[B]] or [[tie]]): ${JSON.stringify(reply.slice(0, 120))}`;
  return word === 'a' ? 'A' : word === 'b' ? 'B' : 'tie';
}
