/**
 * One family of domain errors. A service says what went wrong in the school's terms (the request
 * is invalid, the person may not, the thing does not exist, the policy refuses, the service needed
 * is not available); the edges map the kind once: to HTTP in src/server/http-errors.ts and to the
 * bot's answer in bot/. A message is always safe to show the person who asked.
 */
export type DomainErrorKind = 'invalid' | 'not-allowed' | 'not-found' | 'conflict' | 'refused' | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** A stable, machine-readable code (`invalid-lesson`, `no-such-incident`) for the API's `error.code`. */
  readonly code: string;
  constructor(message: string, code?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code ?? defaultCode(new.target.name);
  }
}

/** The person can fix it: one line naming the field. */
export class InvalidInput extends DomainError {
  readonly kind = 'invalid' as const;
}
/** Not theirs to see or do. */
export class NotAllowed extends DomainError {
  readonly kind = 'not-allowed' as const;
}
/** Nothing has that id (said only to people who could see it if it did). */
export class NotFound extends DomainError {
  readonly kind = 'not-found' as const;
}
/** It clashes with the state of things: already running, already done. */
export class Conflict extends DomainError {
  readonly kind = 'conflict' as const;
}
/** The school's policy forbids it; the message cites the clause. */
export class RefusedByPolicy extends DomainError {
  readonly kind = 'refused' as const;
}
/** Something this needs is not there (a permission not granted, a service not answering). */
export class Unavailable extends DomainError {
  readonly kind = 'unavailable' as const;
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

function defaultCode(className: string): string {
  return className.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
