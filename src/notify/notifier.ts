import type { AdaptiveCardJson } from '../cards/render-card';

/** Why a card did not reach someone: they have never opened a chat with the bot. */
export type Delivery = 'sent' | 'no-conversation';

/**
 * Sends a card to a person's personal chat with the bot. The domain asks for it; the bot adapter
 * (bot/bot-notifier.ts) does it, so src/ never imports botbuilder.
 */
export interface Notifier {
  sendToPerson(entraObjectId: string, card: AdaptiveCardJson, summary: string): Promise<Delivery>;
}

/** For tests and for a server without a bot: records what would have been sent. */
export class RecordingNotifier implements Notifier {
  readonly sent: Array<{ to: string; card: AdaptiveCardJson; summary: string }> = [];
  async sendToPerson(to: string, card: AdaptiveCardJson, summary: string): Promise<Delivery> {
    this.sent.push({ to, card, summary });
    return 'sent';
  }
}
