import { ActivityTypes, TestAdapter, type Activity, type CloudAdapter } from 'botbuilder';
import { generateKeyPair } from 'jose';
import pino from 'pino';
import { z } from 'zod';
import { AuthError } from '../src/auth/identity';
import { cardActions } from '../src/cards/card-actions';
import { ConversationReferences } from '../src/storage/conversation-references';
import { BOT_APP_ID, botFrameworkKeys, SERVICE_URL, type BotFrameworkKeys } from '../test/support/bot-framework-keys';
import { sqliteStorage, type TestStorage } from '../test/support/storages';
import { createBotAdapter, createBotAuthentication } from './bot-adapter';
import { botEndpoint } from './bot-endpoint';
import { BotRouter } from './card-action-router';
import { ESafetyBot } from './esafety-bot';
import { amy } from '../test/support/teacher-amy';

const TENANT = 'tenant-1';

/**
 * A card's button is answered without a bot turn, yet checked as every activity is: the same Bot
 * Framework token check, tenant, envelope, directory and conversation memory as through the bot.
 */
describe('the bot endpoint answers card buttons inline', () => {
  let keys: BotFrameworkKeys;
  let t: TestStorage;
  let conversations: ConversationReferences;
  let watered: Array<{ by: string; litres: number }>;
  let bot: ESafetyBot;
  let adapter: CloudAdapter;
  let turns: number;
  let endpoint: ReturnType<typeof botEndpoint>;
  beforeAll(async () => {
    keys = await botFrameworkKeys();
  });
  afterAll(() => keys.close());
  beforeEach(async () => {
    t = await sqliteStorage();
    conversations = new ConversationReferences(t.storage.db);
    watered = [];
    const router = new BotRouter().cardActions(cardActions('plant', { 'plant.water': z.object({ litres: z.number().max(5) }) }), {
      'plant.water': async ({ litres }, { person }) => (watered.push({ by: person.id, litres }), { message: `${litres} l for ${person.displayName}` }),
    });
    bot = new ESafetyBot({
      schoolName: 'Demo Academy',
      tenantId: TENANT,
      personOf: async (id) => (id === amy.id ? amy : undefined),
      conversations,
      logger: pino({ level: 'silent' }),
      router,
    });
    const authentication = createBotAuthentication({ appId: BOT_APP_ID, appPassword: 'secret', tenantId: TENANT, openIdMetadataUrl: keys.metadataUrl });
    adapter = createBotAdapter(authentication, pino({ level: 'silent' }));
    turns = 0;
    const run = bot.run.bind(bot);
    endpoint = botEndpoint({ adapter, authentication, bot: { cardActions: bot.cardActions, run: async (context) => (turns++, run(context)) } });
  });
  afterEach(() => t.dispose());

  const pressed = (over: Partial<Activity> = {}): Partial<Activity> => ({
    type: ActivityTypes.Invoke,
    name: 'adaptiveCard/action',
    id: 'a1',
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: { id: '29:amy', aadObjectId: amy.id, name: amy.displayName },
    recipient: { id: `28:${BOT_APP_ID}`, name: 'E-Safety' },
    conversation: { id: 'a:amy', conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' },
    channelData: { tenant: { id: TENANT } },
    value: { action: { type: 'Action.Execute', verb: 'plant.water', data: { litres: 2 } } },
    ...over,
  });

  /** As restify hands a request over; what the endpoint answered (or threw, for the server to answer). */
  async function post(activity: Partial<Activity>, authorization?: string) {
    let answer: { status: number; body: unknown } | undefined;
    const res = {
      send: (status: number, body: unknown) => void (answer = { status, body }),
      status: () => undefined,
      end: () => undefined,
      header: () => undefined,
    };
    await endpoint({ method: 'POST', body: structuredClone(activity), headers: authorization ? { authorization } : {} } as never, res as never);
    return answer;
  }

  it('answers a button pressed with a valid token from the activity, building no bot turn', async () => {
    const answer = await post(pressed(), `Bearer ${await keys.token()}`);
    expect(answer).toEqual({ status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: '2 l for Amy Clarke' } });
    expect(watered).toEqual([{ by: amy.id, litres: 2 }]);
    expect(turns).toBe(0);
    // The person's chat is remembered, as for any activity, so cards can reach them later.
    expect(await conversations.find(amy.id)).toMatchObject({ kind: 'personal', conversationId: 'a:amy' });
  });

  it('gives the same answer as the bot gives through a botbuilder turn', async () => {
    const inline = await post(pressed(), `Bearer ${await keys.token()}`);
    const bad = pressed({ value: { action: { type: 'Action.Execute', verb: 'plant.water', data: { litres: 9 } } } });
    const badInline = await post(bad, `Bearer ${await keys.token()}`);
    expect(await throughTurnAnswer(pressed())).toEqual(inline);
    // Delivered "expectReplies" (replies buffered into the answer), it is botbuilder's to carry, and the bot's answer is the same.
    expect(await throughTurnAnswer(pressed({ deliveryMode: 'expectReplies' }))).toEqual(inline);
    expect(await throughTurnAnswer(bad)).toEqual(badInline);
    expect(badInline).toMatchObject({ status: 400, body: { value: { code: 'BadRequest' } } });
  });

  it('refuses a missing, forged or misdirected token before anything is read or written', async () => {
    const { privateKey: forger } = await generateKeyPair('RS256');
    // botbuilder writes the unknown key to the console; the refusal is what matters here.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const authorization of [
      undefined,
      `Bearer ${await keys.token({ key: forger })}`,
      `Bearer ${await keys.token({ serviceurl: 'https://elsewhere.example/' })}`,
    ]) {
      await expect(post(pressed(), authorization)).rejects.toEqual(new AuthError(401, 'The Bot Framework token was refused'));
    }
    expect(watered).toEqual([]);
    expect(await conversations.find(amy.id)).toBeUndefined();
    jest.restoreAllMocks();
  });

  it('refuses a button pressed in another tenant, and one pressed by someone not in the directory', async () => {
    const token = `Bearer ${await keys.token()}`;
    const elsewhere = await post(
      pressed({
        conversation: { id: 'a:amy', conversationType: 'personal', tenantId: 'other', isGroup: false, name: '' },
        channelData: { tenant: { id: 'other' } },
      }),
      token,
    );
    expect(elsewhere).toMatchObject({ status: 403, body: { value: { code: 'Forbidden' } } });
    const stranger = await post(pressed({ from: { id: '29:x', aadObjectId: 'aad-stranger', name: 'Stranger' } }), token);
    expect(stranger).toMatchObject({ status: 403, body: { value: { message: 'Sorry: you are not in this school’s directory.' } } });
    expect(watered).toEqual([]);
  });

  it('answers a fault as an error on the card, never a stack trace, and takes the caller from authentication alone', async () => {
    const token = `Bearer ${await keys.token()}`;
    const failing = new ESafetyBot({
      schoolName: 'Demo Academy',
      tenantId: TENANT,
      personOf: async () => {
        throw new Error('connection terminated unexpectedly');
      },
      conversations,
      logger: pino({ level: 'silent' }),
    });
    const authentication = createBotAuthentication({ appId: BOT_APP_ID, appPassword: 'secret', tenantId: TENANT, openIdMetadataUrl: keys.metadataUrl });
    const broken = botEndpoint({ adapter, authentication, bot: failing });
    let answer: { status: number; body: unknown } | undefined;
    const res = { send: (status: number, body: unknown) => void (answer = { status, body }) };
    const body = { ...pressed(), callerId: 'urn:botframework:aadappid:someone-else' };
    await broken({ method: 'POST', body, headers: { authorization: token } } as never, res as never);
    expect(answer).toEqual({
      status: 500,
      body: {
        statusCode: 500,
        type: 'application/vnd.microsoft.error',
        value: { code: 'InternalError', message: 'Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the IT team.' },
      },
    });
    expect(JSON.stringify(answer)).not.toMatch(/connection terminated|at /);
    expect(body.callerId).toBe('urn:botframework:azure');
  });

  it('leaves every other activity to botbuilder', async () => {
    const res = { status: () => undefined, send: () => undefined, end: () => undefined, header: () => undefined };
    const message = { ...pressed(), type: ActivityTypes.Message, name: undefined, value: undefined, text: 'help' };
    await endpoint({ method: 'POST', body: message, headers: { authorization: `Bearer ${await keys.token()}` } } as never, res as never);
    expect(turns).toBe(1);
    const buffered = { ...pressed(), deliveryMode: 'expectReplies' };
    await endpoint({ method: 'POST', body: buffered, headers: { authorization: `Bearer ${await keys.token()}` } } as never, res as never);
    expect(turns).toBe(2);
  });

  /** The invoke response the bot gives when the same activity reaches it as a botbuilder turn. */
  async function throughTurnAnswer(activity: Partial<Activity>) {
    const testAdapter = new TestAdapter(async (context) => bot.run(context));
    let answer: { status: number; body: unknown } | undefined;
    testAdapter.use(async (context, next) => {
      context.onSendActivities(async (_ctx, activities, nextSend) => {
        for (const a of activities) if (a.type === 'invokeResponse') answer = a.value as typeof answer;
        return nextSend();
      });
      await next();
    });
    await testAdapter.processActivity(activity as Activity);
    return answer;
  }
});
