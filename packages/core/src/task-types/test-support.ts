import { DomainError } from '../errors';

/** Runs `work`, which must throw a DomainError, and returns that error for assertions. */
export function failure(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}
