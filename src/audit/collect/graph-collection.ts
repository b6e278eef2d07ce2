import pLimit from 'p-limit';
import { GraphError } from '@microsoft/microsoft-graph-client';
import type { GraphAccess, Page } from '../../graph/graph-access';
import { sendBatch, type BatchRequest } from '../../graph/graph-batch';

/** Batches in flight at once: enough to keep Graph busy, few enough to stay under Outlook's 4 per mailbox. */
export const BATCH_CONCURRENCY = 4;

export interface CollectedList<T> {
  status: number;
  value: T[];
  /** For delta queries: where the last page said to resume. */
  deltaLink?: string;
  /** A 410 Gone to a delta link says where a fresh enumeration starts (driveitem-delta.md). */
  location?: string;
}

/**
 * Many GETs, each a collection, as JSON batches of 20 with bounded concurrency; a member whose
 * answer has more pages is followed with plain GETs. Throttled members are retried by sendBatch.
 */
export async function batchGetLists<T>(
  graph: GraphAccess,
  requests: Array<{ id: string; url: string; headers?: Record<string, string> }>,
  options: { forbiddenPerMember?: boolean; onAnswered?: (count: number) => void } = {},
): Promise<Map<string, CollectedList<T>>> {
  const batch: BatchRequest[] = requests.map((r) => ({ id: r.id, method: 'GET', url: r.url, ...(r.headers ? { headers: r.headers } : {}) }));
  const results = await sendBatch<Page<T>>(graph, batch, { concurrency: BATCH_CONCURRENCY, ...(options.onAnswered ? { onAnswered: options.onAnswered } : {}) });
  // Some refusals are per member (a Teams access policy covers some organisers, not others): the
  // caller then reads each member's status rather than losing the whole area.
  if (!options.forbiddenPerMember) refuseIfForbidden(results);
  const out = new Map<string, CollectedList<T>>();
  const limit = pLimit(BATCH_CONCURRENCY);
  await Promise.all(
    requests.map((req) =>
      limit(async () => {
        const r = results.get(req.id);
        if (!r || r.status !== 200) {
          const location = r && Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'location')?.[1];
          out.set(req.id, { status: r?.status ?? 0, value: [], ...(location ? { location } : {}) });
          return;
        }
        const value = [...(r.body.value ?? [])];
        let last: Page<T> = r.body;
        while (last['@odata.nextLink']) {
          last = await graph.get<Page<T>>(last['@odata.nextLink'], req.headers ?? {});
          value.push(...last.value);
        }
        const deltaLink = last['@odata.deltaLink'];
        out.set(req.id, { status: 200, value, ...(deltaLink ? { deltaLink } : {}) });
      }),
    ),
  );
  return out;
}

/** Single objects (not collections) by batch: a drive, a setting. */
export async function batchGetObjects<T>(
  graph: GraphAccess,
  requests: Array<{ id: string; url: string }>,
): Promise<Map<string, { status: number; body: T | undefined }>> {
  const results = await sendBatch<T>(
    graph,
    requests.map((r) => ({ id: r.id, method: 'GET', url: r.url })),
    { concurrency: BATCH_CONCURRENCY },
  );
  refuseIfForbidden(results);
  return new Map(
    requests.map((r) => {
      const x = results.get(r.id);
      return [r.id, { status: x?.status ?? 0, body: x && x.status === 200 ? x.body : undefined }];
    }),
  );
}

/** Graph said the app may not read this: the check is reported as not checked, never as passed. */
export function isForbidden(e: unknown): boolean {
  return e instanceof GraphError && (e.statusCode === 403 || e.statusCode === 401);
}

/**
 * A batch member answered 403 (or 401): the area cannot be read in full, so it must be reported as
 * not checked. Without this a refused mailbox read as "no forwarding rules", a silent pass.
 */
function refuseIfForbidden(results: Map<string, { status: number }>): void {
  const refused = [...results.values()].find((r) => r.status === 403 || r.status === 401);
  if (refused) throw new GraphError(refused.status, 'a batched request was refused: the app lacks the permission');
}
