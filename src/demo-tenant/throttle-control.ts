import { PublishedLimits, type TenantSize } from './throttle-limits';

/**
 * Tells the demo tenant when to answer 429 with Retry-After, as Graph does under load. Tests ask for
 * "the next N requests matching X"; each batch member is judged on its own, as in Graph.
 */
export interface ThrottleRule {
  remaining: number;
  retryAfterSeconds: number;
  match?: RegExp;
}

/**
 * The demo tenant's throttling model: a token bucket per tenant. Every request (each batch member
 * counts on its own, as in Graph) takes a token; with none left the answer is 429 and Retry-After
 * says, in whole seconds as Graph does, when one will be back.
 */
export interface RateModel {
  perSecond: number;
  burst: number;
}

/** A 429 to answer: Retry-After in whole seconds, and any extra headers (SharePoint's RateLimit-*). */
export interface Throttled {
  retryAfterSeconds: number;
  headers: Record<string, string>;
}

export class ThrottleControl {
  private rules: ThrottleRule[] = [];
  private rate: (RateModel & { tokens: number; at: number }) | undefined;
  /** Microsoft's published per-service limits (throttle-limits.ts), when switched on. */
  limits: PublishedLimits | undefined;
  /** How many 429s were answered. */
  throttled = 0;
  /** Requests the rate model let through. */
  admitted = 0;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  rateLimit(model: RateModel | undefined): void {
    this.rate = model && { ...model, tokens: model.burst, at: this.clock() };
  }

  throttleNext(count: number, options: { retryAfterSeconds?: number; match?: RegExp } = {}): void {
    this.rules.push({ remaining: count, retryAfterSeconds: options.retryAfterSeconds ?? 1, ...(options.match ? { match: options.match } : {}) });
  }

  /**
   * Enforce Microsoft's published limits for a tenant of this size (replaces the token bucket).
   * `clock` in milliseconds; the benchmark passes its simulated one.
   */
  publishedLimits(size: TenantSize | undefined, clock: () => number = this.clock): PublishedLimits | undefined {
    this.rate = undefined;
    this.limits = size && new PublishedLimits(size, clock);
    return this.limits;
  }

  clear(): void {
    this.rules = [];
    this.rate = undefined;
    this.limits = undefined;
  }

  /** Returns the Retry-After seconds when this request is to be throttled. */
  check(method: string, pathAndQuery: string): number | undefined {
    return this.decide(method, pathAndQuery)?.retryAfterSeconds;
  }

  /** Whether to answer 429, with which Retry-After and headers. */
  decide(method: string, pathAndQuery: string): Throttled | undefined {
    const target = `${method.toUpperCase()} ${pathAndQuery}`;
    const rule = this.rules.find((r) => r.remaining > 0 && (!r.match || r.match.test(target)));
    if (!rule) {
      if (this.limits && !pathAndQuery.startsWith('/$batch')) {
        const decision = this.limits.check(method, pathAndQuery);
        if (decision) this.throttled += 1;
        else this.admitted += 1;
        return decision && { retryAfterSeconds: decision.retryAfterSeconds, headers: decision.headers };
      }
      const seconds = this.checkRate(pathAndQuery);
      return seconds === undefined ? undefined : { retryAfterSeconds: seconds, headers: {} };
    }
    rule.remaining -= 1;
    this.throttled += 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return { retryAfterSeconds: rule.retryAfterSeconds, headers: {} };
  }

  private checkRate(pathAndQuery: string): number | undefined {
    // The $batch envelope is not a request of its own: its members are counted one by one.
    if (!this.rate || pathAndQuery.startsWith('/$batch')) return undefined;
    const now = this.clock();
    this.rate.tokens = Math.min(this.rate.burst, this.rate.tokens + ((now - this.rate.at) / 1000) * this.rate.perSecond);
    this.rate.at = now;
    if (this.rate.tokens >= 1) {
      this.rate.tokens -= 1;
      this.admitted += 1;
      return undefined;
    }
    this.throttled += 1;
    return Math.max(1, Math.ceil((1 - this.rate.tokens) / this.rate.perSecond));
  }
}
