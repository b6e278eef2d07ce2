/**
 * Keeps proactive messages inside every limit Teams documents for bots
 * (MicrosoftDocs/msteams-docs, msteams-platform/bots/how-to/rate-limit.md):
 * - per bot per conversation ("per bot per thread", Send to conversation): 7 in 1 s, 8 in 2 s,
 *   60 in 30 s, 1800 in 3600 s;
 * - all bots in one conversation: 14 in 1 s, 16 in 2 s. This app is one bot and cannot see the
 *   others' traffic; its own windows above are tighter, so it never takes more than its half;
 * - the global limit per app per tenant: 30 requests per second.
 * A 429 pauses everything for its Retry-After. Time and sleep are injectable, so tests and
 * benchmarks run on a simulated clock.
 */
export interface RateWindow {
  limit: number;
  periodMs: number;
}

export const PER_CONVERSATION_WINDOWS: readonly RateWindow[] = [
  { limit: 7, periodMs: 1_000 },
  { limit: 8, periodMs: 2_000 },
  { limit: 60, periodMs: 30_000 },
  { limit: 1800, periodMs: 3_600_000 },
];
export const PER_APP_PER_TENANT: RateWindow = { limit: 30, periodMs: 1_000 };

export interface PacerOptions {
  /** The app-wide limit per second (default: Teams' documented 30). */
  perSecond?: number;
  conversationWindows?: readonly RateWindow[];
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class Pacer {
  readonly perSecond: number;
  private readonly windows: readonly RateWindow[];
  private readonly longestMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Reserved send times per conversation, oldest first (each conversation's are in order). */
  private readonly inConversation = new Map<string, number[]>();
  /** Reserved send times for the app as a whole, in order (a slow conversation may reserve later than a quick one). */
  private global: number[] = [];
  private pausedUntil = 0;
  private taken = 0;

  constructor(options: PacerOptions = {}) {
    this.perSecond = options.perSecond ?? PER_APP_PER_TENANT.limit;
    this.windows = options.conversationWindows ?? PER_CONVERSATION_WINDOWS;
    this.longestMs = Math.max(PER_APP_PER_TENANT.periodMs, ...this.windows.map((w) => w.periodMs));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Waits for the first moment this conversation, and the app, may send again. */
  async take(conversationKey: string): Promise<void> {
    // Slots are reserved synchronously, so concurrent callers queue rather than collide.
    const now = this.now();
    const own = this.inConversation.get(conversationKey) ?? [];
    let slot = Math.max(now, this.pausedUntil, own.at(-1) ?? 0);
    // A conversation's own sends are in order: the L-th last one must be a full period ago.
    for (const w of this.windows) if (own.length >= w.limit) slot = Math.max(slot, own[own.length - w.limit]! + w.periodMs);
    slot = this.globalSlotFrom(slot);
    own.push(slot);
    this.inConversation.set(conversationKey, own);
    insertSorted(this.global, slot);
    if (++this.taken % 1000 === 0) this.forget(now);
    if (slot > now) await this.sleep(slot - now);
  }

  /** Teams answered 429: nobody sends until Retry-After has passed. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /**
   * The first moment from `from` with fewer than perSecond sends in any second around it. Slots may
   * be reserved out of order (one conversation waits, another does not), so both sides are counted.
   */
  private globalSlotFrom(from: number): number {
    const period = PER_APP_PER_TENANT.periodMs;
    let slot = from;
    for (;;) {
      const lo = lowerBound(this.global, slot - period + 1);
      const hi = lowerBound(this.global, slot + period);
      if (hi - lo < this.perSecond) return slot;
      // Move past the earliest send that is in the way.
      slot = this.global[lo]! + period;
    }
  }

  private forget(now: number): void {
    const before = now - this.longestMs;
    this.global = this.global.slice(lowerBound(this.global, before));
    for (const [k, times] of this.inConversation) {
      const keep = times.filter((t) => t > before);
      if (keep.length) this.inConversation.set(k, keep);
      else this.inConversation.delete(k);
    }
  }
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value + 1), 0, value);
}
