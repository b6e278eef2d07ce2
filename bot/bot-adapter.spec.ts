import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import pino from 'pino';
import { createBotAdapter } from './bot-adapter';

const APP_ID = '00000000-b07b-4e5c-9a4e-0000000000aa';
const SERVICE_URL = 'https://smba.trafficmanager.net/uk/';

/**
 * "With an app id, every incoming activity must carry a valid Bot Framework JWT": what the adapter
 * keeps between turns (connector clients per service URL) never lets an activity skip that check.
 */
describe('the bot adapter', () => {
  let close: () => Promise<void>;
  let metadataUrl: string;
  let signingKey: CryptoKey;
  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    signingKey = privateKey;
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'RS256', endorsements: ['msteams'] };
    let base = '';
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(req.url!.endsWith('/keys') ? { keys: [jwk] } : { issuer: 'https://api.botframework.com', jwks_uri: `${base}/v1/.well-known/keys` }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    metadataUrl = `${base}/v1/.well-known/openidconfiguration`;
    close = () => new Promise((r) => server.close(() => r()));
  });
  afterAll(() => close());

  const token = async (claims: { serviceurl?: string; key?: CryptoKey } = {}) =>
    new SignJWT({ serviceurl: claims.serviceurl ?? SERVICE_URL })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://api.botframework.com')
      .setAudience(APP_ID)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(claims.key ?? signingKey);

  /** One activity through the adapter, as restify hands it over; the status it answered and the turn. */
  async function post(adapter: ReturnType<typeof createBotAdapter>, authorization: string | undefined, serviceUrl = SERVICE_URL) {
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
    const adapter = createBotAdapter({ appId: APP_ID, appPassword: 'secret', tenantId: 'tenant-1', openIdMetadataUrl: metadataUrl }, pino({ level: 'silent' }));
    const first = await post(adapter, `Bearer ${await token()}`);
    const second = await post(adapter, `Bearer ${await token()}`);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.turn!.connector).toBe(first.turn!.connector);
    expect(second.turn!.userToken).toBe(first.turn!.userToken);

    // After clients are kept, a missing, forged or misdirected token is still refused: 401, no turn.
    const { privateKey: forger } = await generateKeyPair('RS256');
    for (const refused of [
      await post(adapter, undefined),
      await post(adapter, `Bearer ${await token({ key: forger })}`),
      await post(adapter, `Bearer ${await token({ serviceurl: 'https://elsewhere.example/' })}`),
    ])
      expect(refused).toEqual({ status: 401, turn: undefined });

    // Another service URL (another region) gets a client of its own.
    const elsewhere = await post(
      adapter,
      `Bearer ${await token({ serviceurl: 'https://smba.trafficmanager.net/emea/' })}`,
      'https://smba.trafficmanager.net/emea/',
    );
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.turn!.connector).not.toBe(first.turn!.connector);
  });

  it("answers 5xx, not 401, when Bot Framework's keys cannot be fetched, so the channel tries again", async () => {
    const unreachable = 'http://127.0.0.1:9/v1/.well-known/openidconfiguration';
    const adapter = createBotAdapter({ appId: APP_ID, appPassword: 'secret', tenantId: 'tenant-1', openIdMetadataUrl: unreachable }, pino({ level: 'silent' }));
    const { status, turn } = await post(adapter, `Bearer ${await token()}`);
    expect(status).toBeGreaterThanOrEqual(500);
    expect(turn).toBeUndefined();
  });
});
