import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { ConversationKind } from '../src/storage/conversation-references';

/** A personal chat is found by the person's Entra id; a channel or group chat by its conversation id. */
export function conversationEntry(activity: Activity) {
  const type = activity.conversation?.conversationType;
  const kind: ConversationKind = type === 'channel' ? 'channel' : type === 'groupChat' ? 'groupChat' : 'personal';
  const key = kind === 'personal' ? (activity.from?.aadObjectId ?? activity.from?.id) : activity.conversation.id;
  return {
    key,
    kind,
    conversationId: activity.conversation.id,
    tenantId: activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? null,
    // Without the activity's own id (and the locale of that one message): they change with every
    // activity, a proactive message needs neither, and the row would be rewritten on every click.
    reference: withoutActivity(TurnContext.getConversationReference(activity)),
  };
}

function withoutActivity(reference: Partial<ConversationReference>): Partial<ConversationReference> {
  const { activityId: _activityId, locale: _locale, ...rest } = reference;
  return rest;
}
