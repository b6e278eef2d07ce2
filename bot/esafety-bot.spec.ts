import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import pino from 'pino';
import { sqliteStorage, type TestStorage } from '../test/support/storages';
import { ConversationReferences } from '../src/storage/conversation-references';
import { ESafetyBot } from './esafety-bot';
import { amy } from '../test/support/teacher-amy';

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
    await adapter
      .send({ type: ActivityTypes.Message, text: 'help', from: { id: 'user1', name: 'Amy', aadObjectId: 'aad-amy' } } as Partial<Activity>)
      .assertReply(() => undefined);
    expect(await refs.find('aad-amy')).toMatchObject({ kind: 'personal' });
  });
});

describe('the bot shell, for one school', () => {
  let t: TestStorage;
  let reached: string[];
  let refs: ConversationReferences;
  let adapter: TestAdapter;
  const school = 'b1f0c9a2-5d4e-4c3b-9a8f-0e1d2c3b4a50';
  beforeEach(async () => {
    reached = [];
    t = await sqliteStorage();
    refs = new ConversationReferences(t.storage.db);
    const bot = new ESafetyBot({
      schoolName: 'Demo Academy',
      tenantId: school,
      personOf: async (id) => (id === 'aad-amy' ? amy : undefined),
      conversations: refs,
      logger: pino({ level: 'silent' }),
      reachable: async (id) => void reached.push(id),
    });
    adapter = new TestAdapter(async (context) => bot.run(context));
  });
  afterEach(() => t.dispose());

  const from = { id: 'user1', name: 'Amy', aadObjectId: 'aad-amy' };
  const conversation = (tenantId: string) => ({ id: 'c1', conversationType: 'personal', tenantId }) as Activity['conversation'];

  it('answers a card submission whose data is not an object plainly, without running a command', async () => {
    await adapter
      .send({
        type: ActivityTypes.Message,
        text: 'help',
        value: 'incident.submit',
        from,
        conversation: conversation(school),
        channelData: { tenant: { id: school } },
      } as Partial<Activity>)
      .assertReply((a) => expect(a.text).toBe('That button is not known any more.'));
    expect(adapter.activeQueue).toHaveLength(0);
  });

  it('does nothing for a message from another tenant, and keeps no conversation for it', async () => {
    await adapter.send({
      type: ActivityTypes.Message,
      text: 'help',
      from,
      conversation: conversation('another-tenant'),
      channelData: { tenant: { id: 'another-tenant' } },
    } as Partial<Activity>);
    expect(adapter.activeQueue).toHaveLength(0);
    expect(await refs.find('aad-amy')).toBeUndefined();
  });

  it('remembers a person of the school, and not a stranger from the same tenant', async () => {
    await adapter
      .send({
        type: ActivityTypes.Message,
        text: 'help',
        from,
        conversation: conversation(school),
        channelData: { tenant: { id: school } },
      } as Partial<Activity>)
      .assertReply(() => undefined);
    await adapter
      .send({
        type: ActivityTypes.Message,
        text: 'help',
        from: { id: 'u2', aadObjectId: 'aad-guest' },
        conversation: conversation(school),
        channelData: { tenant: { id: school } },
      } as Partial<Activity>)
      .assertReply(() => undefined);
    expect(await refs.find('aad-amy')).toMatchObject({ kind: 'personal' });
    expect(await refs.find('aad-guest')).toBeUndefined();
  });

  it('says a person can be reached when they first open a chat, so cards that waited for them go (not at every message)', async () => {
    const hello = { type: ActivityTypes.Message, text: 'help', from, conversation: conversation(school), channelData: { tenant: { id: school } } };
    await adapter.send(hello as Partial<Activity>).assertReply(() => undefined);
    await adapter.send(hello as Partial<Activity>).assertReply(() => undefined);
    expect(reached).toEqual(['aad-amy']);
  });
});
