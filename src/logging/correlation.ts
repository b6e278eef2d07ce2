import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The correlation id of the request or bot activity being handled. Every log line written while
 * handling it carries the id (logger mixin), so one request's lines can be found together without
 * logging who made it.
 */
export const correlation = new AsyncLocalStorage<{ id: string }>();

export function currentCorrelationId(): string | undefined {
  return correlation.getStore()?.id;
}
