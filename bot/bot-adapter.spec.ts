import { generateKeyPair } from 'jose';
import pino from 'pino';
import { BOT_APP_ID as APP_ID, botFrameworkKeys, SERVICE_URL, type BotFrameworkKeys } from '../test/support/bot-framework-keys';
import { createBotAdapter, createBotAuthentication, type BotCredentials } from './bot-adapter';

/**
 * "With an app id, every incoming activity must carry a valid Bot Framework JWT": what the adapter
 * keeps between turns (connector clients per service URL, tokens it has verified) never lets an
 * activity skip that check.
 */
describe('the bot adapter', () => {
  let keys: BotFrameworkKeys;
  beforeAll(async () => {
    keys = await botFrameworkKeys();
  });
  afterAll(() => keys.close());

  const credentials = (): BotCredentials => ({ appId: APP_ID, appPassword: 'secret', tenantId: 'tenant-1', openIdMetadataUrl: keys.metadataUrl });
  const adapterFor = (authentication: ReturnType<typeof createBotAuthentication>) => createBotAdapter(authentication, pino({ level: 'silent' }));

  /** One activity through the adapter, as restify hands it over; the status it answered and the turn. */
  async function post(adapter: ReturnType<typeof adapterFor>, authorization: string | undefined, serviceUrl = SERVICE_URL) {
    let status = 0;
    let turn: { connector: unknown; userToken: unknown } | undefined;
    const res = { status: (s: number) => void (status = s), send: () => undefined, end: () => undefined, header: () => undefined };
    const activity = {
      type: 'message',
      id: 'a1',
      text: 'hi',
      channelId: 'msteams',
      serviceUrl,
      from: { id: '29:x' },
      recipient: { id: `28:${APP_ID}` },
      conversation: { id: 'a:x' },
    };
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await adapter.process({ method: 'POST', body: activity, headers: authorization ? { authorization } : {} } as never, res as never, async (context) => {
      // The turn's context is revoked when it ends: keep what it was given.
      turn = { connector: context.turnState.get(adapter.ConnectorClientKey), userToken: context.turnState.get(adapter.UserTokenClientKey) };
    });
    error.mockRestore();
    return { status, turn };
  }

  it('validates every activity, and keeps one connector client per service URL between turns', async () => {
    const adapter = adapterFor(createBotAuthentication(credentials()));
    const first = await post(adapter, `Bearer ${await keys.token()}`);
    const second = await post(adapter, `Bearer ${await keys.token()}`);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.turn!.connector).toBe(first.turn!.connector);
    expect(second.turn!.userToken).toBe(first.turn!.userToken);

    // After clients are kept, a missing, forged or misdirected token is still refused: 401, no turn.
    const { privateKey: forger } = await generateKeyPair('RS256');
    for (const refused of [
      await post(adapter, undefined),
      await post(adapter, `Bearer ${await keys.token({ key: forger })}`),
      await post(adapter, `Bearer ${await keys.token({ serviceurl: 'https://elsewhere.example/' })}`),
    ])
      expect(refused).toEqual({ status: 401, turn: undefined });

    // Another service URL (another region) gets a client of its own.
    const elsewhere = await post(
      adapter,
      `Bearer ${await keys.token({ serviceurl: 'https://smba.trafficmanager.net/emea/' })}`,
      'https://smba.trafficmanager.net/emea/',
    );
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.turn!.connector).not.toBe(first.turn!.connector);
  });

  it('verifies a token Bot Framework reuses once, and still checks each activity against it', async () => {
    let now = Date.now();
    const authentication = createBotAuthentication(credentials(), () => now);
    const adapter = adapterFor(authentication);
    const token = `Bearer ${await keys.token()}`;
    for (let i = 0; i < 5; i++) expect((await post(adapter, token)).status).toBe(200);
    expect(authentication.counts).toEqual({ authenticated: 5, verified: 1 });

    // The same token with its service URL or channel in another shape is botbuilder's to refuse, every time.
    expect(await post(adapter, token, [SERVICE_URL] as never)).toEqual({ status: 401, turn: undefined });
    // The same token through another service URL than it names is checked, and refused, every time.
    for (let i = 0; i < 2; i++) expect(await post(adapter, token, 'https://elsewhere.example/')).toEqual({ status: 401, turn: undefined });
    // A forged token is never remembered: refused each time it is presented.
    const { privateKey: forger } = await generateKeyPair('RS256');
    const forged = `Bearer ${await keys.token({ key: forger })}`;
    for (let i = 0; i < 2; i++) expect(await post(adapter, forged)).toEqual({ status: 401, turn: undefined });
    expect(authentication.counts).toEqual({ authenticated: 5, verified: 1 });

    // Five minutes on, the same token's signature is verified again.
    now += 5 * 60_000 + 1;
    expect((await post(adapter, token)).status).toBe(200);
    expect(authentication.counts).toEqual({ authenticated: 6, verified: 2 });
  });

  it('trusts a verified token no longer than its own expiry', async () => {
    let now = Date.now();
    const authentication = createBotAuthentication(credentials(), () => now);
    const adapter = adapterFor(authentication);
    const token = `Bearer ${await keys.token({ expiresIn: '2m' })}`;
    expect((await post(adapter, token)).status).toBe(200);
    now += 2 * 60_000 + 1_000;
    // Past its expiry by this clock it is verified again (here botbuilder, on the real clock, still accepts it).
    expect((await post(adapter, token)).status).toBe(200);
    expect(authentication.counts.verified).toBe(2);
  });

  it("answers 5xx, not 401, when Bot Framework's keys cannot be fetched, so the channel tries again", async () => {
    const unreachable = 'http://127.0.0.1:9/v1/.well-known/openidconfiguration';
    const adapter = adapterFor(createBotAuthentication({ ...credentials(), openIdMetadataUrl: unreachable }));
    const { status, turn } = await post(adapter, `Bearer ${await keys.token()}`);
    expect(status).toBeGreaterThanOrEqual(500);
    expect(turn).toBeUndefined();
  });
});
