import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import { isDomainError, type DomainErrorKind } from '../src/errors/domain-errors';
import { TooManyRequests } from '../src/server/rate-limits';
import { cardError } from './activity-checks';

/**
 * The one place a domain error becomes the bot's answer (decisions.md #2; the tab's API has its own,
 * src/server/http-errors.ts, with the same statuses). A card button gets an Action.Execute error
 * (`application/vnd.microsoft.error`, MicrosoftDocs/msteams-docs, Universal Actions for Adaptive
 * Cards, "Response format"); a typed command or a dialog gets a sentence. The domain's message is
 * safe to show the person who asked; anything that is not a domain error is a fault, rethrown.
 */
const INVOKE: Record<DomainErrorKind, { statusCode: number; code: string }> = {
  invalid: { statusCode: 400, code: 'BadRequest' },
  'not-allowed': { statusCode: 403, code: 'Forbidden' },
  'not-found': { statusCode: 404, code: 'NotFound' },
  conflict: { statusCode: 409, code: 'Conflict' },
  refused: { statusCode: 422, code: 'RefusedByPolicy' },
  unavailable: { statusCode: 503, code: 'ServiceUnavailable' },
};

/** The error as a sentence for the person: "Please check: …" for what they can fix, "Sorry: …" for what they may not do. */
export function sentenceFor(error: unknown): string {
  if (error instanceof TooManyRequests) return error.message;
  if (!isDomainError(error)) throw error;
  const said = asSentence(error.message);
  if (error.kind === 'invalid') return `Please check: ${said}`;
  if (error.kind === 'not-allowed') return `Sorry: ${said}`;
  return said.charAt(0).toUpperCase() + said.slice(1);
}

/** The error as the answer to a card's Action.Execute. */
export function invokeAnswerFor(error: unknown): AdaptiveCardInvokeResponse {
  if (error instanceof TooManyRequests) return cardError(429, 'TooManyRequests', error.message);
  if (!isDomainError(error)) throw error;
  const { statusCode, code } = INVOKE[error.kind];
  return cardError(statusCode, code, sentenceFor(error));
}

const asSentence = (message: string) => (/[.!?]$/.test(message.trim()) ? message.trim() : `${message.trim()}.`);
