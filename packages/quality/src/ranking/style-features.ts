/**
 * The style of a response, as Chatbot Arena's style control measures it: how long it is and how
 * much markdown it uses. Counted from the text so every caller (the server on stored responses,
 * the command line on files) measures the same way.
 */

/** The style covariates of style control, in the order coefficients are reported. */
export const STYLE_COVARIATES = ['length', 'headers', 'lists', 'bold'] as const;
export type StyleCovariate = (typeof STYLE_COVARIATES)[number];

/** One response's style: its length and its markdown element counts. */
export interface ResponseStyle {
  /** Tokens (whitespace-separated words from text, or a tokenizer's count); characters if unknown. */
  length: number;
  /** Markdown headers (`#` to `######` followed by a space, at the start of a line). */
  headers: number;
  /** List items, ordered (`1. `) or unordered (`- `, `* `, `+ `), at any indentation. */
  lists: number;
  /** Bold spans, `**x**` or `__x__` within a line. */
  bold: number;
}

// A `#` comment or `- x` inside a fenced code block is code, not markdown; Arena strips the blocks
// before counting too. The length still counts the code: the reader still had to read it.
const CODE_BLOCK = /```[\s\S]*?(?:```|$)/g;
const HEADER = /^#{1,6}[ \t]/gm;
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d+\.)[ \t]/gm;
const BOLD = /\*\*[^*\n]+\*\*|__[^_\n]+__/g;
const TOKEN = /\S+/g;

function countMatches(text: string, pattern: RegExp): number {
  let count = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text) !== null) count++;
  return count;
}

/** Measures a markdown response: whitespace-separated tokens, headers, list items and bold spans. */
export function responseStyle(text: string): ResponseStyle {
  const prose = text.replace(CODE_BLOCK, '');
  return {
    length: countMatches(text, TOKEN),
    headers: countMatches(prose, HEADER),
    lists: countMatches(prose, LIST_ITEM),
    bold: countMatches(prose, BOLD),
  };
}

/** (a − b) / (a + b), and 0 when both are 0: a difference in [−1, 1] that ignores the unit. */
export function normalizedDifference(a: number, b: number): number {
  const sum = a + b;
  return sum === 0 ? 0 : (a - b) / sum;
}
