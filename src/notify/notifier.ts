import type { AdaptiveCardJson } from '../cards/render-card';

/** Why a card did not reach someone: they have never opened a chat with the bot. */
export type Delivery = 'sent' | 'no-conversation';

/**
 * Sends a card to a person's personal chat with the bot. The domain asks for it; the bot adapter
 * (bot/bot-notifier.ts) does it, so src/ never imports botbuilder.
 */
export interface Notifier {
  sendToPerson(entraObjectId: string, card: AdaptiveCardJson, summary: string): Promise<Delivery>;
  /** As sendToPerson, also saying which message it became, so it can be updated later. */
  sendTracked?(entraObjectId: string, card: AdaptiveCardJson, summary: string): Promise<{ delivery: Delivery; activityId?: string }>;
  /** Replaces a card already sent (Teams updateActivity). */
  update?(entraObjectId: string, activityId: string, card: AdaptiveCardJson): Promise<void>;
  /**
   * Posts to a chat or channel the bot is in: a meeting chat by its thread id, a class team's
   * channel by `team:{groupId}`.
   */
  postTo?(conversationKey: string, card: AdaptiveCardJson, summary: string): Promise<Delivery>;
  /**
   * A person's chat with the app, found through Graph when the app was already installed for them
   * (Teams sends no new installationUpdate then): kept so cards can reach them.
   */
  rememberPersonalChat?(entraObjectId: string, chatId: string): Promise<void>;
}

/** Teams (or Graph) said 429: try again after `retryAfterMs`. Never fatal. */
export class Throttled extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`throttled: retry after ${retryAfterMs} ms`);
  }
}

/** For tests and for a server without a bot: records what would have been sent. */
export class RecordingNotifier implements Notifier {
  readonly sent: Array<{ to: string; card: AdaptiveCardJson; summary: string }> = [];
  readonly updated: Array<{ to: string; activityId: string; card: AdaptiveCardJson }> = [];
  readonly posted: Array<{ to: string; card: AdaptiveCardJson; summary: string }> = [];
  /** Conversations the bot is in (tests add them); posting elsewhere answers no-conversation. */
  readonly conversations = new Set<string>();
  async sendToPerson(to: string, card: AdaptiveCardJson, summary: string): Promise<Delivery> {
    this.sent.push({ to, card, summary });
    return 'sent';
  }
  async sendTracked(to: string, card: AdaptiveCardJson, summary: string) {
    await this.sendToPerson(to, card, summary);
    return { delivery: 'sent' as const, activityId: `activity-${this.sent.length}` };
  }
  async update(to: string, activityId: string, card: AdaptiveCardJson): Promise<void> {
    this.updated.push({ to, activityId, card });
  }
  async postTo(to: string, card: AdaptiveCardJson, summary: string): Promise<Delivery> {
    if (!this.conversations.has(to)) return 'no-conversation';
    this.posted.push({ to, card, summary });
    return 'sent';
  }
}
