import type { CloudAdapter, ConversationReference } from 'botbuilder';
import { ConversationReferences } from '../src/storage/conversation-references';
import { sqliteStorage, type TestStorage } from '../test/support/storages';
import { BotNotifier } from './bot-notifier';

/** A person's chat found through Graph (the app was already installed) becomes reachable at once. */
describe('the bot notifier and a chat found through Graph', () => {
  let t: TestStorage;
  let refs: ConversationReferences;
  const continued: Array<Partial<ConversationReference>> = [];
  const adapter = {
    continueConversationAsync: async (_appId: string, reference: Partial<ConversationReference>, logic: (context: unknown) => Promise<void>) => {
      continued.push(reference);
      await logic({ sendActivity: async () => ({ id: 'activity-1' }) });
    },
  } as unknown as CloudAdapter;
  beforeEach(async () => {
    t = await sqliteStorage();
    refs = new ConversationReferences(t.storage.db);
    continued.length = 0;
  });
  afterEach(() => t.dispose());

  it('sends to the chat Graph named, with Teams’ service URL and the tenant, instead of answering no-conversation', async () => {
    const notifier = new BotNotifier(adapter, 'bot-app-id', refs, { tenantId: 'tenant-1' });
    expect(await notifier.sendToPerson('amy', { type: 'AdaptiveCard' } as never, 'hello')).toBe('no-conversation');
    await notifier.rememberPersonalChat('amy', '19:amy_bot@unq.gbl.spaces');
    expect(await notifier.sendToPerson('amy', { type: 'AdaptiveCard' } as never, 'hello')).toBe('sent');
    expect(continued[0]).toMatchObject({
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/teams/',
      conversation: { id: '19:amy_bot@unq.gbl.spaces', conversationType: 'personal', tenantId: 'tenant-1' },
      bot: { id: '28:bot-app-id' },
    });
  });

  it('never replaces a reference Teams gave the bot itself', async () => {
    const reference = { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/uk/', conversation: { id: 'a:real' } };
    await refs.save({ key: 'amy', kind: 'personal', conversationId: 'a:real', tenantId: 'tenant-1', reference });
    await new BotNotifier(adapter, 'bot-app-id', refs).rememberPersonalChat('amy', '19:other@unq.gbl.spaces');
    expect((await refs.find('amy'))!.conversationId).toBe('a:real');
  });
});
