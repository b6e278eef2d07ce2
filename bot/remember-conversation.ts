import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { Person } from '../src/school/school-directory';
import type { ConversationReferences } from '../src/storage/conversation-references';
import { conversationEntry } from './conversation-keys';

export interface ConversationMemory {
  /** Set when the school's directory is known: then only its people's conversations are kept. */
  personOf?: (aadObjectId: string) => Promise<Person | undefined>;
  conversations: ConversationReferences;
  logger: Logger;
  /** A person's chat is new or has changed: what waited for them can go now (esafety-bot.ts). */
  reachable?: (personId: string) => Promise<unknown>;
}

/**
 * Keeps the conversation an activity came from, so the app can send proactive cards there later
 * (AUP requests, incident cards): for every activity, a bot turn or an inline card action alike.
 */
export async function rememberConversation(activity: Activity, person: Person | undefined, memory: ConversationMemory): Promise<void> {
  const entry = conversationEntry(activity);
  if (!entry.key) return;
  // Only people of the school: a guest or another organisation's user leaves no reference.
  if (memory.personOf && !person) return;
  const changed = await memory.conversations.save({ ...entry, key: entry.key });
  if (changed && entry.kind === 'personal' && person && memory.reachable) {
    const personId = person.id;
    memory.reachable(personId).catch((e: unknown) => memory.logger.warn({ err: e, personId }, 'could not send what waited for this person'));
  }
  // A team's channel is also found by the team's group id: lessons post to their class team.
  const team = (activity.channelData as { team?: { id?: string; aadGroupId?: string } } | undefined)?.team;
  const general = !team?.id || entry.conversationId.split(';')[0] === team.id;
  if (entry.kind === 'channel' && team?.aadGroupId && general) await memory.conversations.save({ ...entry, key: `team:${team.aadGroupId}` });
}
