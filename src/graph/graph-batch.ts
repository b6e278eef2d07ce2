import { RETRYABLE, type GraphAccess } from './graph-access';

/** One member of a JSON batch. `url` is relative to the version: `/users/{id}/drive`. */
export interface BatchRequest {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface BatchResult<T = unknown> {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: T;
}

export const MAX_BATCH_SIZE = 20;

function retryAfterSeconds(headers: Record<string, string> | undefined): number {
  const raw = headers && Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : 1;
}

/**
 * Sends requests as JSON batches of 20. Graph throttles batch members one by one (the outer answer
 * is still 200), and the SDK's RetryHandler only sees the outer answer, so throttled members are
 * collected, the longest Retry-After among them is waited out, and only they are sent again.
 * A member still throttled after `maxRetries` comes back with its 429: the caller decides what
 * "not checked" means; nothing here throws for throttling.
 */
export async function sendBatch<T = unknown>(graph: GraphAccess, requests: BatchRequest[]): Promise<Map<string, BatchResult<T>>> {
  const results = new Map<string, BatchResult<T>>();
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const retry: BatchRequest[] = [];
    let wait = 0;
    for (let i = 0; i < pending.length; i += MAX_BATCH_SIZE) {
      const chunk = pending.slice(i, i + MAX_BATCH_SIZE);
      graph.stats.batches += 1;
      graph.stats.batchMembers += chunk.length;
      const answer = (await graph.client.api('/$batch').post({ requests: chunk })) as { responses: Array<BatchResult<T>> };
      const byId = new Map(chunk.map((r) => [r.id, r]));
      for (const response of answer.responses) {
        if (RETRYABLE.has(response.status)) {
          graph.stats.throttled += 1;
          if (attempt < graph.maxRetries) {
            retry.push(byId.get(response.id)!);
            wait = Math.max(wait, retryAfterSeconds(response.headers));
            continue;
          }
        }
        results.set(response.id, { ...response, headers: response.headers ?? {} });
      }
    }
    if (retry.length) {
      graph.stats.waitedMs += wait * 1000;
      await graph.sleep(wait * 1000);
    }
    pending = retry;
  }
  return results;
}
