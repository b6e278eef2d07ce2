import {
  AuthenticationError,
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import type { Activity } from 'botbuilder';

/** jsonwebtoken's errors for a token it refuses (its README, "Errors & Codes"). */
const TOKEN_REFUSALS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/** A few service URLs per cloud region; the cap only guards memory, since each URL is a token's claim. */
const MAX_CLIENTS = 64;

/**
 * Bot Framework authentication that checks every activity's JWT exactly as botbuilder does (it asks
 * botbuilder's own authentication, every time) but does not rebuild, for every turn, what does not
 * depend on the turn. botbuilder's CloudAdapter builds a connector client (credentials, an MSAL
 * client application, an HTTP pipeline) and a user-token client on each activity, even for an invoke
 * it answers inline and never calls back; and a proactive card got a new MSAL client, so a new
 * Entra token, each time. Here a connector client is kept per service URL and audience, and a
 * user-token client per bot app id: both are stateless between calls and renew their own tokens.
 */
export class ReusedBotClients extends BotFrameworkAuthentication {
  private readonly factories = new Map<string, ReusedConnectorFactory>();
  private readonly userTokenClients = new Map<string, Promise<UserTokenClient>>();

  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }

  async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    let result: AuthenticateRequestResult;
    try {
      result = await this.inner.authenticateRequest(activity, authHeader);
    } catch (e) {
      if (e instanceof AuthenticationError) throw e;
      // A token refused by jsonwebtoken (bad signature, expired, not yet valid) or signed with a key
      // Bot Framework does not publish is as unauthorised as a missing one: 401, not botbuilder's 500.
      if (e instanceof Error && (TOKEN_REFUSALS.has(e.name) || /finding key for token/i.test(e.message)))
        throw new AuthenticationError('Unauthorized: the token was refused', 401);
      // Anything else (Bot Framework's keys could not be fetched) is ours: a 5xx, which the channel retries.
      throw e;
    }
    return { ...result, connectorFactory: this.createConnectorFactory(result.claimsIdentity) };
  }

  authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  override createBotFrameworkClient() {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const appId = appIdOf(claimsIdentity);
    let factory = this.factories.get(appId);
    if (!factory) {
      factory = new ReusedConnectorFactory(this.inner.createConnectorFactory(claimsIdentity));
      this.factories.set(appId, factory);
    }
    return factory;
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const appId = appIdOf(claimsIdentity);
    let client = this.userTokenClients.get(appId);
    if (!client) {
      client = this.inner.createUserTokenClient(claimsIdentity);
      client.catch(() => this.userTokenClients.delete(appId));
      this.userTokenClients.set(appId, client);
    }
    return client;
  }
}

/** One connector client per service URL and audience, made by botbuilder's factory the first time. */
class ReusedConnectorFactory extends ConnectorFactory {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();

  constructor(private readonly inner: ConnectorFactory) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const key = `${serviceUrl} ${audience ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      client = this.inner.create(serviceUrl, audience);
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }
}

/** As botbuilder finds the bot's app id in the claims: the token's audience, else its appid claim. */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  return claimsIdentity.getClaimValue('aud') ?? claimsIdentity.getClaimValue('appid') ?? '';
}
