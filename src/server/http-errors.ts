import type { Response } from 'restify';
import type { ZodType } from 'zod';
import { AuthError } from '../auth/identity';
import { describeZodError } from '../config/load-school-config';
import { InvalidInput, isDomainError, type DomainErrorKind } from '../errors/domain-errors';
import { isGraphUnreachable } from '../graph/graph-access';
import { sendTooMany, TooManyRequests } from './rate-limits';

/**
 * The one place a refusal becomes an HTTP answer. Services say what went wrong in the school's
 * terms (src/errors/domain-errors.ts); every route answers the same way for the same kind, with
 * `{ error: { code, message } }` and never a stack trace.
 */
export const STATUS_OF: Record<DomainErrorKind, number> = {
  invalid: 400,
  'not-allowed': 403,
  'not-found': 404,
  conflict: 409,
  // RFC 9110 §15.5.21: understood and well-formed, but the school's policy will not do it.
  refused: 422,
  unavailable: 503,
};

export interface HttpAnswer {
  status: number;
  body: { error: { code: string; message: string } };
}

/** The answer for a known refusal; undefined for a fault (logged and answered 500 by the caller). */
export function httpAnswerFor(e: unknown): HttpAnswer | undefined {
  if (isDomainError(e)) return { status: STATUS_OF[e.kind], body: { error: { code: e.code, message: e.message } } };
  if (e instanceof AuthError) return { status: e.status, body: { error: { code: e.status === 401 ? 'unauthenticated' : 'forbidden', message: e.message } } };
  if (isGraphUnreachable(e)) {
    return {
      status: 503,
      body: { error: { code: 'graph-unavailable', message: 'Microsoft 365 is not answering at the moment. Please try again in a few minutes.' } },
    };
  }
  return undefined;
}

/** Sends the answer for `e` if it is a known refusal; false if it is a fault the caller must log. */
export function sendRefusal(res: Response, e: unknown): boolean {
  if (e instanceof TooManyRequests) {
    sendTooMany(res, e);
    return true;
  }
  const answer = httpAnswerFor(e);
  if (!answer) return false;
  res.send(answer.status, answer.body);
  return true;
}

/** A request that does not match the contract: 400 with one line naming the field. */
export class InvalidApiRequest extends InvalidInput {
  constructor(message: string, code = 'invalid-request') {
    super(message, code);
  }
}

/** Validates a request part (body, query) against its contract schema. */
export function parseRequest<S extends ZodType>(schema: S, value: unknown, code = 'invalid-request'): ReturnType<S['parse']> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new InvalidApiRequest(describeZodError(parsed.error), code);
  return parsed.data as ReturnType<S['parse']>;
}
