import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import pino from 'pino';
import { sqliteStorage, type TestStorage } from '../test/support/storages';
import { ConversationReferences } from '../src/storage/conversation-references';
import { ESafetyBot } from './esafety-bot';

describe('the bot shell', () => {
  let t: TestStorage;
  let refs: ConversationReferences;
  let adapter: TestAdapter;
  beforeEach(async () => {
    t = await sqliteStorage();
    refs = new ConversationReferences(t.storage.db);
    const bot = new ESafetyBot({ schoolName: 'Demo Academy', conversations: refs, logger: pino({ level: 'silent' }) });
    adapter = new TestAdapter(async (context) => bot.run(context));
  });
  afterEach(() => t.dispose());

  const cardText = (a: Partial<Activity>) => JSON.stringify(a.attachments?.[0]?.content ?? '');

  it('greets a person who installs it with a welcome card, and not itself', async () => {
    await adapter
      .send({
        type: ActivityTypes.ConversationUpdate,
        recipient: { id: 'bot', name: 'E-Safety' },
        membersAdded: [
          { id: 'bot', name: 'E-Safety' },
          { id: 'u1', name: 'Amy Clarke' },
        ],
      } as Partial<Activity>)
      .assertReply((a) => expect(cardText(a)).toContain('Hello Amy Clarke'));
    expect(adapter.activeQueue).toHaveLength(0);
  });

  it('answers help with the command card, even when @mentioned in a channel', async () => {
    await adapter
      .send({
        type: ActivityTypes.Message,
        text: '<at>E-Safety</at> help',
        entities: [{ type: 'mention', text: '<at>E-Safety</at>', mentioned: { id: 'bot' } }],
        recipient: { id: 'bot', name: 'E-Safety' },
      } as Partial<Activity>)
      .assertReply((a) => expect(cardText(a)).toContain('What I can do'));
  });

  it('says plainly when it does not know a command, then shows what it can do', async () => {
    await adapter
      .send('sing a song')
      .assertReply((a) => expect(a.text).toBe('I don\'t know "sing a song".'))
      .assertReply((a) => expect(cardText(a)).toContain('What I can do'));
  });

  it('remembers the conversation of everyone who talks to it', async () => {
    await adapter.send({ type: ActivityTypes.Message, text: 'help', from: { id: 'user1', name: 'Amy', aadObjectId: 'aad-amy' } } as Partial<Activity>).assertReply(() => undefined);
    expect(await refs.find('aad-amy')).toMatchObject({ kind: 'personal' });
  });
});
