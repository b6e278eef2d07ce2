/**
 * Keeps proactive messages inside Teams' bot limits: about 50 requests a second per app per tenant
 * across all conversations, and 7 a second within one conversation. A 429 pauses everything for its
 * Retry-After. Time and sleep are injectable, so tests and benchmarks run on a simulated clock.
 */
export interface PacerOptions {
  perSecond?: number;
  perConversationPerSecond?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class Pacer {
  readonly perSecond: number;
  private readonly gapMs: number;
  private readonly conversationGapMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The next moment a message may go, for the app as a whole and per conversation. */
  private nextSlot = 0;
  private readonly nextInConversation = new Map<string, number>();
  private pausedUntil = 0;

  constructor(options: PacerOptions = {}) {
    this.perSecond = options.perSecond ?? 50;
    this.gapMs = 1000 / this.perSecond;
    this.conversationGapMs = 1000 / (options.perConversationPerSecond ?? 7);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Waits for this conversation's next slot within the app-wide rate. */
  async take(conversationKey: string): Promise<void> {
    // Slots are reserved synchronously, so concurrent callers queue rather than collide.
    const now = this.now();
    const slot = Math.max(now, this.nextSlot, this.pausedUntil, this.nextInConversation.get(conversationKey) ?? 0);
    this.nextSlot = slot + this.gapMs;
    this.nextInConversation.set(conversationKey, slot + this.conversationGapMs);
    if (this.nextInConversation.size > 10_000) this.forgetOldConversations(now);
    if (slot > now) await this.sleep(slot - now);
  }

  /** Teams answered 429: nobody sends until Retry-After has passed. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private forgetOldConversations(now: number): void {
    for (const [k, t] of this.nextInConversation) if (t < now) this.nextInConversation.delete(k);
  }
}
