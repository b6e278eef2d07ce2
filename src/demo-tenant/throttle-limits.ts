import {
  GLOBAL_PER_APP,
  OUTLOOK_PER_MAILBOX,
  floorMs,
  identityBudget,
  identityCost,
  serviceOf,
  sharePointBudgets,
  sharePointCost,
  type Budget,
  type GraphService,
} from '../graph/published-limits';

/** A budget as a token bucket: full at the start, refilled evenly over its window. */
class Bucket {
  private tokens: number;
  private at: number;
  spent = 0;
  constructor(
    readonly budget: Budget,
    now: number,
  ) {
    this.tokens = budget.quota;
    this.at = now;
  }
  private refill(now: number) {
    this.tokens = Math.min(this.budget.quota, this.tokens + ((now - this.at) / this.budget.windowMs) * this.budget.quota);
    this.at = now;
  }
  /** Milliseconds until `cost` is available (0: it is now). */
  waitFor(cost: number, now: number): number {
    this.refill(now);
    return this.tokens >= cost ? 0 : ((cost - this.tokens) / this.budget.quota) * this.budget.windowMs;
  }
  take(cost: number) {
    this.tokens -= cost;
    this.spent += cost;
  }
  remaining(now: number): number {
    this.refill(now);
    return this.tokens;
  }
}

export interface TenantSize {
  /** Licences decide SharePoint's tier ([SPO] "Application throttling"). */
  licences: number;
  /** Users decide the identity service's S/M/L ([GRAPH] identity and access). */
  users: number;
}

export interface ThrottleDecision {
  retryAfterSeconds: number;
  service: GraphService;
  headers: Record<string, string>;
}

/** What one service's limits cost the work done so far: units spent and the wall time they impose. */
export interface ServiceFloor {
  service: GraphService | 'global';
  spent: number;
  floorMs: number;
}

/**
 * The demo tenant's model of Microsoft's published limits (src/graph/published-limits.ts has the
 * numbers and their sources): SharePoint resource units per app per tenant per minute and per 24
 * hours, Outlook's requests per app per mailbox per 10 minutes, the identity service's resource
 * units per 10 seconds, and the global per-app limit. A request is admitted only when every budget
 * it counts against has room; the first one short answers 429 with Retry-After (whole seconds).
 * Throttled requests are not charged (the model is kind here: [SPO] says they may count).
 * Outlook's 4 concurrent requests per mailbox are not modelled: the audit sends at most one
 * request per mailbox at a time.
 */
export class PublishedLimits {
  private readonly sharePoint: { perMinute: Bucket; per24Hours: Bucket };
  private readonly identity: Bucket;
  private readonly global: Bucket;
  private readonly mailboxes = new Map<string, Bucket>();
  /** Requests charged per service (not units): for the report. */
  readonly requests: Record<GraphService, number> = { sharepoint: 0, outlook: 0, identity: 0, other: 0 };

  constructor(
    readonly size: TenantSize,
    private readonly clock: () => number,
  ) {
    const now = clock();
    const sp = sharePointBudgets(size.licences);
    this.sharePoint = { perMinute: new Bucket(sp.perMinute, now), per24Hours: new Bucket(sp.per24Hours, now) };
    this.identity = new Bucket(identityBudget(size.users), now);
    this.global = new Bucket(GLOBAL_PER_APP, now);
  }

  /** Undefined when the request may go; otherwise the 429's Retry-After and headers. */
  check(method: string, path: string): ThrottleDecision | undefined {
    const now = this.clock();
    const { service, mailbox } = serviceOf(path);
    const charges: Array<[Bucket, number]> = [[this.global, 1]];
    if (service === 'sharepoint') {
      const cost = sharePointCost(method, path);
      charges.push([this.sharePoint.perMinute, cost], [this.sharePoint.per24Hours, cost]);
    } else if (service === 'identity') {
      charges.push([this.identity, identityCost(method, path)]);
    } else if (service === 'outlook' && mailbox) {
      let b = this.mailboxes.get(mailbox);
      if (!b) this.mailboxes.set(mailbox, (b = new Bucket(OUTLOOK_PER_MAILBOX, now)));
      charges.push([b, 1]);
    }
    const waitMs = Math.max(...charges.map(([b, cost]) => b.waitFor(cost, now)));
    if (waitMs > 0) {
      return { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), service, headers: service === 'sharepoint' ? this.rateLimitHeaders(now) : {} };
    }
    for (const [b, cost] of charges) b.take(cost);
    this.requests[service] += 1;
    return undefined;
  }

  /**
   * [SPO] "RateLimit headers": RateLimit-Limit, -Remaining and -Reset (seconds) on responses once the
   * app has used 80% of its per-minute budget. Undefined below that.
   */
  rateLimitHeaders(now = this.clock()): Record<string, string> {
    const b = this.sharePoint.perMinute;
    const remaining = Math.max(0, Math.floor(b.remaining(now)));
    if (remaining > b.budget.quota * 0.2) return {};
    const resetSeconds = Math.ceil(((b.budget.quota - remaining) / b.budget.quota) * (b.budget.windowMs / 1000));
    return { 'RateLimit-Limit': String(b.budget.quota), 'RateLimit-Remaining': String(remaining), 'RateLimit-Reset': String(resetSeconds) };
  }

  /** SharePoint resource units spent so far (throttled requests not counted). */
  get resourceUnits(): number {
    return this.sharePoint.perMinute.spent;
  }

  /**
   * The wall time each service's limits impose on the work admitted so far (starting with full
   * budgets), and the one that binds: no client, however clever, finishes that work faster.
   */
  floors(): { perService: ServiceFloor[]; binding: ServiceFloor } {
    const mailboxFloor = Math.max(0, ...[...this.mailboxes.values()].map((b) => floorMs(b.spent, b.budget)));
    const perService: ServiceFloor[] = [
      {
        service: 'sharepoint',
        spent: this.sharePoint.perMinute.spent,
        floorMs: Math.max(
          floorMs(this.sharePoint.perMinute.spent, this.sharePoint.perMinute.budget),
          floorMs(this.sharePoint.per24Hours.spent, this.sharePoint.per24Hours.budget),
        ),
      },
      { service: 'identity', spent: this.identity.spent, floorMs: floorMs(this.identity.spent, this.identity.budget) },
      { service: 'outlook', spent: this.requests.outlook, floorMs: mailboxFloor },
      { service: 'global', spent: this.global.spent, floorMs: floorMs(this.global.spent, this.global.budget) },
    ];
    const binding = perService.reduce((a, b) => (b.floorMs > a.floorMs ? b : a));
    return { perService, binding };
  }
}
