import { CardFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { AdaptiveCardJson } from '../src/cards/render-card';
import { Throttled, type Delivery, type Notifier } from '../src/notify/notifier';
import type { ConversationReferences } from '../src/storage/conversation-references';

/** Proactive cards to a person's personal chat, from the conversation reference the bot stored. */
export class BotNotifier implements Notifier {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly conversations: ConversationReferences,
    private readonly options: { tenantId?: string; serviceUrl?: string } = {},
  ) {}

  /**
   * A personal chat known only by its id (Graph's installedApps/{id}/chat): the reference a
   * proactive message needs, with Teams' global service URL (msteams-docs
   * bots/how-to/conversations/send-proactive-messages.md). A reference Teams gave the bot itself
   * is never replaced.
   */
  async rememberPersonalChat(entraObjectId: string, chatId: string): Promise<void> {
    const existing = await this.conversations.find(entraObjectId);
    if (existing?.kind === 'personal') return;
    const tenantId = this.options.tenantId ?? null;
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: this.options.serviceUrl ?? 'https://smba.trafficmanager.net/teams/',
      conversation: { id: chatId, conversationType: 'personal', isGroup: false, name: '', ...(tenantId ? { tenantId } : {}) },
      bot: { id: `28:${this.appId}`, name: '' },
      user: { id: '', name: '', aadObjectId: entraObjectId },
    };
    await this.conversations.save({ key: entraObjectId, kind: 'personal', conversationId: chatId, tenantId, reference });
  }

  async sendToPerson(entraObjectId: string, card: AdaptiveCardJson, summary: string): Promise<Delivery> {
    return (await this.sendTracked(entraObjectId, card, summary)).delivery;
  }

  async sendTracked(entraObjectId: string, card: AdaptiveCardJson, summary: string): Promise<{ delivery: Delivery; activityId?: string }> {
    const stored = await this.conversations.find<Partial<ConversationReference>>(entraObjectId);
    if (!stored || stored.kind !== 'personal') return { delivery: 'no-conversation' };
    let activityId: string | undefined;
    try {
      await this.adapter.continueConversationAsync(this.appId, stored.reference, async (context) => {
        activityId = (await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)], summary }))?.id;
      });
    } catch (e) {
      throw throttledOr(e);
    }
    return { delivery: 'sent', ...(activityId ? { activityId } : {}) };
  }

  async postTo(conversationKey: string, card: AdaptiveCardJson, summary: string): Promise<Delivery> {
    const stored = await this.conversations.find<Partial<ConversationReference>>(conversationKey);
    if (!stored) return 'no-conversation';
    try {
      await this.adapter.continueConversationAsync(this.appId, stored.reference, async (context) => {
        await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)], summary });
      });
    } catch (e) {
      throw throttledOr(e);
    }
    return 'sent';
  }

  async update(entraObjectId: string, activityId: string, card: AdaptiveCardJson): Promise<void> {
    const stored = await this.conversations.find<Partial<ConversationReference>>(entraObjectId);
    if (!stored) return;
    await this.adapter.continueConversationAsync(this.appId, stored.reference, async (context) => {
      await context.updateActivity({ id: activityId, type: 'message', attachments: [CardFactory.adaptiveCard(card)] });
    });
  }
}

/** The Bot Connector's 429 (and Retry-After) as the domain's Throttled; anything else unchanged. */
function throttledOr(e: unknown): unknown {
  const err = e as { statusCode?: number; response?: { headers?: { get?(name: string): string | undefined } } };
  if (err?.statusCode !== 429) return e;
  const seconds = Number(err.response?.headers?.get?.('retry-after'));
  return new Throttled(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000);
}
