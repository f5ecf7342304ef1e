/**
 * The dotted path of the first string or key holding a NUL character (`''` for the value
 * itself), or undefined when none does. PostgreSQL stores no NUL in text or jsonb, so input
 * holding one is refused where it arrives, naming this path.
 */
export function pathToNul(value: unknown, path = ''): string | undefined {
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
