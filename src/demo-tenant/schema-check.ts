import { http, type HttpHandler } from 'msw';
import { graphError } from './odata';
import { resolveGraphRequest } from './graph-schema';

/** One request the demo tenant received, as the conformance test reads them back. */
export interface RecordedGraphRequest {
  method: string;
  /** Path and query after `/v1.0`, as sent (`/users/{id}?$select=id`). */
  url: string;
  /** Sent as a member of a JSON `$batch` rather than on its own. */
  inBatch: boolean;
  /** Why the schema refused it, when it did. */
  refusal?: string;
}

/** Distinct requests kept; past this the recorder stops adding, so a long demo does not grow without bound. */
const MAX_RECORDED = 20_000;

/**
 * Every Graph request, batch members included, is recorded and then walked through Graph v1.0's
 * schema (graph-schema.ts); what the schema lacks is answered 400 BadRequest with Graph's message.
 * Only `/v1.0/*` is checked: the Exchange admin API the demo simulates (`/adminapi/beta/...`) and the
 * demo's own `/_demo/*` routes are not Graph and are exempt.
 */
export function schemaCheck(recorded: RecordedGraphRequest[], isBatchMember: (request: Request) => boolean): HttpHandler {
  const seen = new Set<string>();
  return http.all('*/v1.0/*', ({ request }) => {
    const url = new URL(request.url);
    const pathAndQuery = url.pathname.replace(/^.*?\/v1\.0/, '') + url.search;
    // The app signs in as itself (client credentials): Graph has no signed-in user behind `/me`
    // (microsoftgraph/msgraph-sdk-php#1163; api-reference/v1.0/api/user-get.md).
    const resolution = /^\/me(\/|\?|$)/i.test(pathAndQuery)
      ? ({ ok: false, message: '/me request is only valid with delegated authentication flow.' } as const)
      : resolveGraphRequest(pathAndQuery);
    const key = `${request.method} ${pathAndQuery}`;
    if (!seen.has(key) && seen.size < MAX_RECORDED) {
      seen.add(key);
      recorded.push({ method: request.method, url: pathAndQuery, inBatch: isBatchMember(request), ...(resolution.ok ? {} : { refusal: resolution.message }) });
    }
    if (resolution.ok) return undefined;
    // A type missing from the derived subset is the demo's gap, not a refusal Graph would give.
    if ('subsetLacks' in resolution && resolution.subsetLacks) return graphError(500, 'DemoTenantSchemaSubset', resolution.message);
    return graphError(400, 'BadRequest', resolution.message);
  });
}
