import { RETRYABLE, resourceUnitsOf, type GraphAccess } from './graph-access';

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
 * Sends requests as JSON batches of 20 from one shared queue, `concurrency` batches in flight.
 * Graph throttles batch members one by one (the outer answer is still 200), and the SDK's
 * RetryHandler only sees the outer answer, so a throttled member goes back to the front of the
 * queue and rides in the next batch, while the whole client pauses for its Retry-After. A member
 * still throttled after `maxRetries` comes back with its 429: the caller decides what "not
 * checked" means; nothing here throws for throttling.
 */
export async function sendBatch<T = unknown>(
  graph: GraphAccess,
  requests: BatchRequest[],
  options: { concurrency?: number; /** After each batch: how many members got their final answer. */ onAnswered?: (count: number) => void } = {},
): Promise<Map<string, BatchResult<T>>> {
  const results = new Map<string, BatchResult<T>>();
  const queue = [...requests];
  const attempts = new Map<string, number>();
  let inFlight = 0;
  let waiting: Array<() => void> = [];
  const changed = () => {
    const wake = waiting;
    waiting = [];
    wake.forEach((w) => w());
  };

  const worker = async () => {
    for (;;) {
      if (queue.length === 0) {
        if (inFlight === 0) return;
        // Another batch may still hand back throttled members: wait for it to finish.
        await new Promise<void>((r) => waiting.push(r));
        continue;
      }
      const chunk = queue.splice(0, MAX_BATCH_SIZE);
      if (chunk.length === 0) continue;
      inFlight += 1;
      try {
        await graph.paceFor(chunk);
        await graph.waitIfPaused();
        graph.stats.batches += 1;
        graph.stats.batchMembers += chunk.length;
        const answer = (await graph.client.api('/$batch').post({ requests: chunk })) as { responses: Array<BatchResult<T>> };
        const byId = new Map(chunk.map((r) => [r.id, r]));
        const again: BatchRequest[] = [];
        for (const response of answer.responses) {
          const tries = (attempts.get(response.id) ?? 0) + 1;
          attempts.set(response.id, tries);
          if (RETRYABLE.has(response.status)) {
            graph.stats.throttled += 1;
            if (tries <= graph.maxRetries) {
              again.push(byId.get(response.id)!);
              graph.pauseFor(retryAfterSeconds(response.headers) * 1000);
              continue;
            }
          }
          const request = byId.get(response.id);
          if (request) graph.stats.resourceUnits += resourceUnitsOf(request.method, request.url);
          results.set(response.id, { ...response, headers: response.headers ?? {} });
        }
        queue.unshift(...again);
        options.onAnswered?.(chunk.length - again.length);
      } finally {
        inFlight -= 1;
        changed();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  return results;
}
