/**
 * Tells the demo tenant when to answer 429 with Retry-After, as Graph does under load. Tests ask for
 * "the next N requests matching X"; each batch member is judged on its own, as in Graph.
 */
export interface ThrottleRule {
  remaining: number;
  retryAfterSeconds: number;
  match?: RegExp;
}

export class ThrottleControl {
  private rules: ThrottleRule[] = [];
  /** How many 429s were answered. */
  throttled = 0;

  throttleNext(count: number, options: { retryAfterSeconds?: number; match?: RegExp } = {}): void {
    this.rules.push({ remaining: count, retryAfterSeconds: options.retryAfterSeconds ?? 1, ...(options.match ? { match: options.match } : {}) });
  }

  clear(): void {
    this.rules = [];
  }

  /** Returns the Retry-After seconds when this request is to be throttled. */
  check(method: string, pathAndQuery: string): number | undefined {
    const target = `${method.toUpperCase()} ${pathAndQuery}`;
    const rule = this.rules.find((r) => r.remaining > 0 && (!r.match || r.match.test(target)));
    if (!rule) return undefined;
    rule.remaining -= 1;
    this.throttled += 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return rule.retryAfterSeconds;
  }
}
