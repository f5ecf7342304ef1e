import { DomainError } from './errors';

/**
 * A 400 naming where `value` (found at `path`, the body when none) holds a NUL character in a
 * string or a key, or undefined when it holds none. PostgreSQL stores no NUL in text or jsonb,
 * so input holding one is refused where it arrives.
 */
export function nulRefusal(value: unknown, path = ''): DomainError | undefined {
  const at = pathToNul(value, path);
  if (at === undefined) return undefined;
  const field = at || 'body';
  return new DomainError(
    'invalid',
    `${field}: must not contain the NUL character (\\u0000)`,
    field,
  );
}

/** The dotted path of the first string or key holding a NUL, or undefined when none does. */
function pathToNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = pathToNul(inner, at);
    if (found !== undefined) return found;
  }
  return undefined;
}
