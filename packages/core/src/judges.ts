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

/** A rubric criterion a judge scores on: integers from `min` to `max`. */
export interface JudgeCriterion {
  id: string;
  description?: string | undefined;
  min: number;
  max: number;
}

const RATING_INSTRUCTIONS =
  'You are an impartial judge. Rate the response to the conversation below on each criterion, ' +
  'with a whole number in the range given. Ignore its length. Answer with one JSON object ' +
  'mapping each criterion id to its score, e.g. {"helpful": 5}, then, optionally, one sentence ' +
  'of reasons.';

/** The messages a judge model gets to rate one response on a rubric (Likert scales). */
export function ratingMessages(
  conversation: string,
  response: string,
  criteria: readonly JudgeCriterion[],
  instructions = RATING_INSTRUCTIONS,
): ChatMessage[] {
  const rubric = criteria
    .map(
      (criterion) =>
        `- ${criterion.id} (${criterion.min} to ${criterion.max})` +
        (criterion.description ? `: ${criterion.description}` : ''),
    )
    .join('\n');
  return [
    { role: 'system', content: instructions },
    {
      role: 'user',
      content:
        `[Conversation]\n${conversation}\n\n[Response]\n${response}\n\n[Criteria]\n${rubric}\n\n` +
        'Answer with the JSON object of scores.',
    },
  ];
}

/**
 * The scores in a judge's rating reply: the first JSON object in it, with a whole number in range
 * for every criterion. Anything else is refused with the reason: a score is never guessed.
 */
export function parseRatings(
  reply: string,
  criteria: readonly JudgeCriterion[],
): Record<string, number> | string {
  const start = reply.indexOf('{');
  const end = start < 0 ? -1 : reply.indexOf('}', start);
  if (start < 0 || end < 0)
    return `the judge's reply holds no JSON object of scores: ${JSON.stringify(reply.slice(0, 120))}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.slice(start, end + 1));
  } catch {
    return `the judge's scores are not valid JSON: ${JSON.stringify(reply.slice(start, end + 1).slice(0, 120))}`;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    return "the judge's scores are not a JSON object";
  const scores: Record<string, number> = {};
  for (const criterion of criteria) {
    const score = (parsed as Record<string, unknown>)[criterion.id];
    if (score === undefined) return `the judge gave no score for "${criterion.id}"`;
    if (
      typeof score !== 'number' ||
      !Number.isInteger(score) ||
      score < criterion.min ||
      score > criterion.max
    )
      return `the judge's score for "${criterion.id}" is not a whole number from ${criterion.min} to ${criterion.max}: ${JSON.stringify(score)}`;
    scores[criterion.id] = score;
  }
  return scores;
}
