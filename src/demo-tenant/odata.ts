import { HttpResponse } from 'msw';

/**
 * Just enough OData for the calls the app makes: `$select`, `$top`, `$skiptoken` paging with
 * `@odata.nextLink`, and `$filter` with `eq`, `ne`, `startswith(...)`, `prop/any(x:x eq '...')` and `and`.
 * An expression it does not understand is a 400, as Graph answers, so a new query is noticed at once.
 */

export function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return HttpResponse.json({ error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': 'demo-tenant' } } }, { status, headers });
}

type Json = Record<string, unknown>;
type Predicate = (item: Json) => boolean;

const readValue = (item: Json, path: string): unknown =>
  path.split('/').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Json)[key] : undefined), item);

function literal(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new Error(`unsupported literal ${t}`);
}

const eqCI = (a: unknown, b: unknown) => (typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b);

function clause(text: string): Predicate {
  const t = text.trim();
  let m = /^startswith\(\s*([\w/]+)\s*,\s*('(?:[^']|'')*')\s*\)$/i.exec(t);
  if (m) {
    const [, prop, lit] = m;
    const prefix = String(literal(lit!)).toLowerCase();
    return (item) =>
      String(readValue(item, prop!) ?? '')
        .toLowerCase()
        .startsWith(prefix);
  }
  m = /^([\w/]+)\/any\(\s*(\w+)\s*:\s*\2\s+eq\s+('(?:[^']|'')*')\s*\)$/i.exec(t);
  if (m) {
    const [, prop, , lit] = m;
    const wanted = literal(lit!);
    return (item) => {
      const v = readValue(item, prop!);
      return Array.isArray(v) && v.some((x) => eqCI(x, wanted));
    };
  }
  m = /^([\w/]+)\s+(eq|ne)\s+(.+)$/i.exec(t);
  if (m) {
    const [, prop, op, lit] = m;
    const wanted = literal(lit!);
    return op!.toLowerCase() === 'eq' ? (item) => eqCI(readValue(item, prop!), wanted) : (item) => !eqCI(readValue(item, prop!), wanted);
  }
  throw new Error(`unsupported $filter clause: ${t}`);
}

export function parseFilter(filter: string | null): Predicate {
  if (!filter) return () => true;
  const parts = filter.split(/\s+and\s+/i).map(clause);
  return (item) => parts.every((p) => p(item));
}

export function project(item: Json, select: string | null): Json {
  if (!select) return item;
  const fields = select
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const out: Json = {};
  for (const key of Object.keys(item)) if (key.startsWith('@odata')) out[key] = item[key];
  out.id = item.id;
  for (const f of fields) if (f in item) out[f] = item[f];
  return out;
}

export interface ListOptions {
  defaultPageSize?: number;
  maxPageSize?: number;
  /** Extra properties for the body of the last page (delta links). */
  lastPage?: Json;
}

/** A collection answer with paging: `$top` sets the page size, `$skiptoken` carries the offset. */
export function listResponse(request: Request, items: readonly object[], options: ListOptions = {}): Response {
  const url = new URL(request.url);
  let filtered: Json[];
  try {
    filtered = (items as Json[]).filter(parseFilter(url.searchParams.get('$filter')));
  } catch (e) {
    return graphError(400, 'Request_UnsupportedQuery', (e as Error).message);
  }
  const max = options.maxPageSize ?? 999;
  const top = Number(url.searchParams.get('$top') ?? options.defaultPageSize ?? 100);
  if (!Number.isInteger(top) || top < 1 || top > max) return graphError(400, 'Request_BadRequest', `$top must be 1..${max}`);
  const offset = Number(Buffer.from(url.searchParams.get('$skiptoken') ?? 'MA', 'base64url').toString() || '0');
  const page = filtered.slice(offset, offset + top).map((i) => project(i, url.searchParams.get('$select')));
  const body: Json = { '@odata.context': `${url.origin}/v1.0/$metadata`, value: page };
  if (offset + top < filtered.length) {
    const next = new URL(url);
    next.searchParams.set('$skiptoken', Buffer.from(String(offset + top)).toString('base64url'));
    body['@odata.nextLink'] = next.toString();
  } else if (options.lastPage) {
    Object.assign(body, options.lastPage);
  }
  return HttpResponse.json(body);
}

export function singleResponse(request: Request, item: object | undefined, what = 'Resource'): Response {
  if (!item) return graphError(404, 'Request_ResourceNotFound', `${what} does not exist.`);
  return HttpResponse.json(project(item as Json, new URL(request.url).searchParams.get('$select')));
}
