import { z } from 'zod';
import { DomainError } from '../errors';

/** A location in a request body, as Zod reports it (`['geometries', 'box', 'min_width']`). */
export type Path = readonly PropertyKey[];

/** One thing wrong with an input: where, and what, in words a caller can act on. */
export interface Problem {
  path: Path;
  message: string;
}

/** `a.b.0.c`: the dotted form used in error fields and messages. */
export function dottedPath(path: Path): string {
  return path.map((part) => String(part)).join('.');
}

/** The `DomainError('invalid', 'path: message', 'path')` every task-type check throws. */
export function problemError(problem: Problem): DomainError {
  const field = dottedPath(problem.path);
  return new DomainError('invalid', `${field}: ${problem.message}`, field);
}

/** Adds a problem to a refinement, relative to the refined value. */
export function report(ctx: z.RefinementCtx, problem: Problem | undefined): void {
  if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: [...problem.path] });
}

/** Runs cross-field checks in order and reports only the first problem, as the API returns one. */
export function reportFirst(ctx: z.RefinementCtx, checks: Array<() => Problem | undefined>): void {
  for (const check of checks) {
    const problem = check();
    if (problem) {
      report(ctx, problem);
      return;
    }
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
  tuple: 'an array',
  null: 'null',
};

function describeValues(values: readonly unknown[]): string {
  const shown = values.map((value) => JSON.stringify(value));
  if (shown.length === 1) return `must be ${shown[0]}`;
  return `must be one of ${shown.join(', ')}`;
}

function plural(count: number | bigint, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * Zod's issues in the API's words. Schema-level messages (given where a rule needs its own
 * sentence) take precedence over this map.
 */
export const humanErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input))
        return 'must be a finite number';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small': {
      const min = issue.minimum;
      if (issue.origin === 'string') {
        return min === 1
          ? 'must not be empty'
          : `must be at least ${plural(min, 'character')} long`;
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        if (issue.exact) return `must have exactly ${plural(min, 'item')}`;
        return min === 1 ? 'must not be empty' : `must have at least ${plural(min, 'item')}`;
      }
      if (min === 0)
        return issue.inclusive ? 'must be a non-negative number' : 'must be a positive number';
      return issue.inclusive ? `must be >= ${min}` : `must be > ${min}`;
    }
    case 'too_big': {
      const max = issue.maximum;
      if (issue.origin === 'string') return `must be at most ${plural(max, 'character')} long`;
      if (issue.origin === 'array' || issue.origin === 'set') {
        return `must have ${issue.exact ? 'exactly' : 'at most'} ${plural(max, 'item')}`;
      }
      if (issue.origin === 'int' && max === Number.MAX_SAFE_INTEGER)
        return 'must be a safe integer';
      return issue.inclusive ? `must be <= ${max}` : `must be < ${max}`;
    }
    case 'invalid_value':
      return describeValues(issue.values);
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_union': {
      if (issue.discriminator !== undefined) {
        const options = 'options' in issue && Array.isArray(issue.options) ? issue.options : [];
        const present =
          typeof issue.input === 'object' &&
          issue.input !== null &&
          issue.discriminator in issue.input;
        return present
          ? describeValues(options)
          : `is required (${describeValues(options).replace('must be ', '')})`;
      }
      if (issue.input === undefined) return 'is required';
      return 'has an unexpected type';
    }
    default:
      return undefined;
  }
};

/** A union issue names no field; follow the branch that got furthest, or keep the union's message. */
function toProblem(issue: z.core.$ZodIssue, base: Path): Problem {
  const path = [...base, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    // An empty key cannot name a field; the object holding it can.
    const at = key !== '' ? [...path, key] : path.length > 0 ? path : ['body'];
    return { path: at, message: `unknown field ${JSON.stringify(key)}` };
  }
  if (
    issue.code === 'invalid_union' &&
    issue.discriminator === undefined &&
    issue.errors.length > 0
  ) {
    let best: z.core.$ZodIssue | undefined;
    let bestDepth = 0;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (!first) continue;
      const failedAtRoot =
        first.path.length === 0 &&
        (first.code === 'invalid_type' || first.code === 'invalid_value');
      const depth = failedAtRoot
        ? 0
        : 1 + Math.max(...branch.map((branchIssue) => branchIssue.path.length));
      if (depth > bestDepth) {
        best = first;
        bestDepth = depth;
      }
    }
    if (best) return toProblem(best, path);
  }
  return { path, message: issue.message };
}

/**
 * Parses `value` with `schema`; on failure throws one `invalid` DomainError for the first issue,
 * its field being `prefix` followed by the path inside the value.
 */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, prefix: Path = []): T {
  const result = schema.safeParse(value, { error: humanErrorMap });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue)
    throw problemError({ path: prefix.length > 0 ? prefix : ['body'], message: 'is invalid' });
  const problem = toProblem(issue, prefix);
  if (problem.path.length === 0) problem.path = ['body'];
  throw problemError(problem);
}

/** Deepest nesting accepted in a body; far beyond any legitimate task, well short of the stack. */
export const MAX_JSON_DEPTH = 64;

/** Refuses values nested deeper than MAX_JSON_DEPTH before recursive schemas walk them. */
export function assertShallow(value: unknown, prefix: Path): void {
  interface Node {
    value: unknown;
    depth: number;
    key?: PropertyKey;
    parent?: Node;
  }
  const stack: Node[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node.value !== 'object' || node.value === null) continue;
    if (node.depth >= MAX_JSON_DEPTH) {
      const path: PropertyKey[] = [];
      for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent)
        path.unshift(at.key);
      throw problemError({
        path: [...prefix, ...path],
        message: `nests deeper than ${MAX_JSON_DEPTH} levels`,
      });
    }
    const entries = Array.isArray(node.value)
      ? node.value.map((child, index) => [index, child] as const)
      : Object.entries(node.value);
    for (const [key, child] of entries)
      stack.push({ value: child, depth: node.depth + 1, key, parent: node });
  }
}

/** A plain JSON object: not an array, not null. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A schema-level message for a wrong value that still says "is required" when the value is missing. */
export function unlessMissing(message: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is required' : message);
}

/**
 * An opaque JSON object, passed through untouched (no copy, so keys such as `__proto__` survive
 * as data).
 */
export const JsonObjectValue = z.custom<Record<string, unknown>>(isJsonObject, {
  error: unlessMissing('must be a JSON object'),
});

/** A non-empty string that is not only whitespace (labels, names, ids). */
export const NonBlankString = z
  .string()
  .min(1)
  .refine((value) => value.trim() !== '', { error: 'must not be blank' });

/** Keeps the first `count` items of a list for an error message, noting how many were left out. */
export function listForMessage(values: readonly string[], count = 10): string {
  const shown = values.slice(0, count).map((value) => JSON.stringify(value));
  const rest = values.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}
