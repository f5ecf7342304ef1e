import { DomainError } from '@quorum/core';

/** Where in an import a problem is: the file (or archive entry) and the 1-based line. */
export interface FormatLocation {
  file?: string | undefined;
  entry?: string | undefined;
  line?: number | undefined;
}

function describe(location: FormatLocation): string {
  const parts: string[] = [];
  if (location.entry !== undefined) parts.push(`entry ${JSON.stringify(location.entry)}`);
  else if (location.file !== undefined) parts.push(JSON.stringify(location.file));
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  return parts.length > 0 ? `${parts.join(', ')}: ` : '';
}

/**
 * A file that cannot be read or written in its format. It is an `invalid` DomainError, so the
 * server's one mapper answers 400; the message starts with the entry or file and the line.
 */
export class FormatError extends DomainError {
  readonly file: string | undefined;
  readonly entry: string | undefined;
  readonly line: number | undefined;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(detail: string, location: FormatLocation = {}, field = 'file') {
    super('invalid', `${describe(location)}${detail}`, field);
    this.file = location.file;
    this.entry = location.entry;
    this.line = location.line;
    this.detail = detail;
  }
}

/** Whether `error` is a FormatError. */
export function isFormatError(error: unknown): error is FormatError {
  return error instanceof FormatError;
}

/**
 * The same problem placed in a file or archive entry (keeping a line already known); other
 * DomainErrors become FormatErrors so every import failure names where it happened.
 */
export function inFile(error: unknown, location: FormatLocation): unknown {
  if (error instanceof FormatError) {
    return new FormatError(
      error.detail,
      {
        file: error.file ?? location.file,
        entry: error.entry ?? location.entry,
        line: error.line ?? location.line,
      },
      error.field,
    );
  }
  if (error instanceof DomainError) return new FormatError(error.message, location, error.field);
  return error;
}
