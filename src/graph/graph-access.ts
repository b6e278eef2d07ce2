import { Client, GraphError, HTTPMessageHandler, RetryHandler, RetryHandlerOptions, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { BudgetPacer } from './budget-pacer';
import type { TokenSource } from './graph-auth';
import { serviceOf, sharePointCost, type Budget } from './published-limits';
import { rolesOf } from './permissions';

export const GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';

export interface GraphStats {
  requests: number;
  batches: number;
  batchMembers: number;
  throttled: number;
  waitedMs: number;
  /** SharePoint resource units of the requests Graph answered (src/graph/published-limits.ts costs). */
  resourceUnits: number;
}

/** SharePoint resource units a request costs; 0 for other services. */
export function resourceUnitsOf(method: string, path: string): number {
  return serviceOf(path).service === 'sharepoint' ? sharePointCost(method, path) : 0;
}

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Statuses Graph asks us to retry after a pause. */
export const RETRYABLE = new Set([429, 503, 504]);

/**
 * Sends the token to the one Graph base URL this client is built for. The SDK's own handler only
 * does so for https Graph hosts it knows, which excludes the demo tenant on http://127.0.0.1.
 */
class BearerTokenMiddleware implements Middleware {
  private next?: Middleware;
  constructor(private readonly tokens: TokenSource) {}
  async execute(context: Context): Promise<void> {
    const token = await this.tokens.getAccessToken();
    const headers = new Headers((context.options?.headers as HeadersInit | undefined) ?? {});
    headers.set('Authorization', `Bearer ${token}`);
    context.options = { ...(context.options ?? {}), headers: Object.fromEntries(headers.entries()) };
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Counts every HTTP request that leaves, every 429/503 that comes back, and resource units spent. */
class CountingMiddleware implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly stats: GraphStats,
    private readonly versionPrefix: string,
  ) {}
  async execute(context: Context): Promise<void> {
    this.stats.requests += 1;
    await this.next!.execute(context);
    if (context.response && RETRYABLE.has(context.response.status)) this.stats.throttled += 1;
    else if (context.response) {
      // Batch members are counted one by one in sendBatch; the envelope costs nothing itself.
      const url = new URL(typeof context.request === 'string' ? context.request : context.request.url);
      const path = url.pathname.replace(this.versionPrefix, '') + url.search;
      if (!path.startsWith('/$batch')) this.stats.resourceUnits += resourceUnitsOf(context.options?.method ?? 'GET', path);
    }
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * The longest Retry-After the app waits out (pausing every request of this client). A longer one is
 * an allowance spent for hours (the audit log's queries a day, a tenant's daily budget): that
 * request fails with its 429 for its caller to fall back, and nothing else waits.
 */
export const LONGEST_RETRY_AFTER_MS = 5 * 60_000;

/** Retry-After in ms: seconds, or an HTTP date (RFC 9110 10.2.3); undefined when absent. */
function retryAfterMs(response: Response | undefined, now = Date.now()): number | undefined {
  const h = response?.headers.get('retry-after');
  if (!h) return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h) * 1000;
  const at = Date.parse(h);
  return Number.isFinite(at) ? at - now : undefined;
}

/** The SDK's default (retry 429, 503 and 504) unless Graph asks for a wait longer than the app gives. */
const retryUnlessLongWait = (_delay: number, _attempt: number, _request: unknown, _options: unknown, response: Response): boolean =>
  (retryAfterMs(response) ?? 0) <= LONGEST_RETRY_AFTER_MS;

/**
 * The SDK's RetryHandler (it honours Retry-After), its wait turned into a pause of the whole client:
 * while Graph says "wait", no other request of this app should be sent either.
 */
class ObservedRetryHandler extends RetryHandler {
  constructor(options: RetryHandlerOptions, graph: () => GraphAccess) {
    super(options);
    (this as unknown as { sleep: (s: number) => Promise<void> }).sleep = async (seconds: number) => {
      graph().pauseFor(seconds * 1000);
      await graph().waitIfPaused();
    };
  }
}

// Node's and undici's names for "nobody answered": refused, reset, no route, no name, timed out.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'network_error',
]);

/** Why a request got no HTTP answer at all, or undefined when it did (a 4xx/5xx is an answer). */
export function networkCause(e: unknown): string | undefined {
  for (
    let cur = e as { code?: unknown; errorCode?: unknown; name?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    cur && depth < 5;
    cur = cur.cause as typeof cur, depth++
  ) {
    const code = typeof cur.code === 'string' ? cur.code : typeof cur.errorCode === 'string' ? cur.errorCode : undefined;
    if ((code && NETWORK_CODES.has(code)) || cur.name === 'TimeoutError') return `${code ?? cur.name}: ${String(cur.message ?? '')}`.slice(0, 300);
  }
  return undefined;
}

/** Microsoft 365 (Graph, or Entra for its token) did not answer: the network, not a refusal. */
export class GraphUnreachable extends Error {
  override readonly name = 'GraphUnreachable';
  readonly code = 'graph-unavailable';
  constructor(readonly reason: string) {
    super(`Microsoft Graph did not answer (${reason})`);
  }
}

/** True for GraphUnreachable, also after the SDK has re-wrapped it in a GraphError. */
export function isGraphUnreachable(e: unknown): e is Error & { message: string } {
  if (e instanceof GraphUnreachable) return true;
  // The SDK copies our error's name into its GraphError's code (and name).
  const { code, name } = (e ?? {}) as { code?: unknown; name?: unknown };
  return e instanceof Error && (code === 'GraphUnreachable' || code === 'graph-unavailable' || name === 'GraphUnreachable');
}

/** Turns a failed connection (or token fetch) into GraphUnreachable, naming the cause. */
class UnreachableMiddleware implements Middleware {
  private next?: Middleware;
  async execute(context: Context): Promise<void> {
    try {
      await this.next!.execute(context);
    } catch (e) {
      const cause = networkCause(e);
      throw cause ? new GraphUnreachable(cause) : e;
    }
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

export interface GraphAccessOptions {
  baseUrl?: string;
  tokens: TokenSource;
  sleep?: Sleep;
  /** Milliseconds clock for pauses; tests pair it with a sleep that advances it. */
  now?: () => number;
  /** Retries of one throttled request (outer requests and batch members alike). */
  maxRetries?: number;
}

export interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * The app's one door to Microsoft Graph: @microsoft/microsoft-graph-client with a configurable base
 * URL (national clouds, the demo tenant), paging, and JSON batching with per-member retry.
 */
export class GraphAccess {
  readonly client: Client;
  readonly baseUrl: string;
  readonly stats: GraphStats = { requests: 0, batches: 0, batchMembers: 0, throttled: 0, waitedMs: 0, resourceUnits: 0 };
  /** Paces SharePoint requests to the app's per-minute budget once the tenant's size is known. */
  sharePointPacer: BudgetPacer | undefined;
  readonly sleep: Sleep;
  readonly now: () => number;
  readonly maxRetries: number;
  private pausedUntil = 0;
  private readonly tokens: TokenSource;
  private readonly host: string;
  private readonly version: string;

  constructor(options: GraphAccessOptions) {
    this.tokens = options.tokens;
    this.baseUrl = (options.baseUrl ?? GRAPH_BASE_URL).replace(/\/+$/, '');
    const url = new URL(this.baseUrl);
    this.host = url.origin;
    this.version = url.pathname.replace(/^\/+/, '') || 'v1.0';
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.maxRetries = options.maxRetries ?? 8;
    // The SDK caps its retries at 10.
    const retry = new ObservedRetryHandler(new RetryHandlerOptions(1, Math.min(this.maxRetries, 10), retryUnlessLongWait), () => this);
    this.client = Client.initWithMiddleware({
      baseUrl: this.host,
      defaultVersion: this.version,
      middleware: [
        new UnreachableMiddleware(),
        new BearerTokenMiddleware(options.tokens),
        retry,
        new CountingMiddleware(this.stats, `/${this.version}`),
        new HTTPMessageHandler(),
      ],
    });
  }

  /** A path for the SDK: next and delta links are absolute, and the SDK only parses https ones. */
  relative(pathOrUrl: string): string {
    const prefix = `${this.host}/${this.version}`;
    return pathOrUrl.startsWith(prefix) ? pathOrUrl.slice(prefix.length) || '/' : pathOrUrl;
  }

  /**
   * The application permissions Entra granted, from the token's `roles`; undefined when the token
   * does not say (the demo token, a pasted delegated token) or cannot be had.
   */
  async grantedRoles(): Promise<string[] | undefined> {
    try {
      return rolesOf(await this.tokens.getAccessToken());
    } catch {
      return undefined;
    }
  }

  /**
   * Whether Graph answers at all: any HTTP answer (an unsigned request gets 401) counts; a refused
   * connection or a timeout does not. For /readyz, so it needs no token and no permission.
   */
  async reachable(timeoutMs = 3000): Promise<{ reachable: true } | { reachable: false; cause: string }> {
    try {
      const res = await fetch(`${this.baseUrl}/organization`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      return { reachable: true };
    } catch (e) {
      return { reachable: false, cause: networkCause(e) ?? String((e as Error).message ?? e).slice(0, 300) };
    }
  }

  /**
   * From now on, spend SharePoint resource units no faster than this budget refills (the app's
   * per-minute budget for the tenant's licence count, published-limits.ts).
   */
  paceSharePoint(budget: Budget | undefined): void {
    if (!budget) this.sharePointPacer = undefined;
    else if (this.sharePointPacer?.budget.quota !== budget.quota) this.sharePointPacer = new BudgetPacer(budget, this.now, (ms) => this.sleep(ms));
  }

  /** Waits for SharePoint's budget to cover these requests (no-op unless pacing is on). */
  async paceFor(requests: Array<{ method: string; url: string }>): Promise<void> {
    if (!this.sharePointPacer) return;
    const units = requests.reduce((n, r) => n + resourceUnitsOf(r.method, this.relative(r.url)), 0);
    if (units > 0) await this.sharePointPacer.take(units);
  }

  /** Graph asked us to wait: hold every request of this client until then. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  async waitIfPaused(): Promise<void> {
    const ms = this.pausedUntil - this.now();
    if (ms <= 0) return;
    this.stats.waitedMs += ms;
    await this.sleep(ms);
  }

  async get<T>(path: string, headers: Record<string, string> = {}): Promise<T> {
    await this.paceFor([{ method: 'GET', url: path }]);
    await this.waitIfPaused();
    return (await this.client.api(this.relative(path)).headers(headers).get()) as T;
  }

  /** An action such as sendMail; Graph answers 202 with no body for many of them. */
  async post<T = unknown>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    await this.waitIfPaused();
    return (await this.client.api(this.relative(path)).headers(headers).post(body)) as T;
  }

  async patch<T = unknown>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    await this.waitIfPaused();
    return (await this.client.api(this.relative(path)).headers(headers).patch(body)) as T;
  }

  /** Every page of a collection, following `@odata.nextLink`. */
  async *pages<T>(path: string, headers: Record<string, string> = {}): AsyncGenerator<Page<T>> {
    let next: string | undefined = path;
    while (next) {
      const page: Page<T> = await this.get<Page<T>>(next, headers);
      yield page;
      next = page['@odata.nextLink'];
    }
  }

  async all<T>(path: string, headers: Record<string, string> = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages<T>(path, headers)) out.push(...page.value);
    return out;
  }

  /** A delta query to its end: the items and the delta link to resume from next time. */
  async delta<T>(pathOrDeltaLink: string, headers: Record<string, string> = {}): Promise<{ items: T[]; deltaLink: string | undefined }> {
    const items: T[] = [];
    let deltaLink: string | undefined;
    for await (const page of this.pages<T>(pathOrDeltaLink, headers)) {
      items.push(...page.value);
      deltaLink = page['@odata.deltaLink'] ?? deltaLink;
    }
    return { items, deltaLink };
  }
}

export function isGraphError(e: unknown, status?: number): e is GraphError {
  return e instanceof GraphError && (status === undefined || e.statusCode === status);
}
