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
 * How long a verified token is trusted without verifying its signature again (never past its own
 * expiry). botbuilder itself trusts Bot Framework's published keys for 24 hours between fetches, so
 * a key withdrawn meanwhile is honoured longer by botbuilder than by this cache.
 */
const VERIFIED_FOR_MS = 5 * 60_000;
/** Bot Framework's channels each reuse one token for an hour: a handful at a time. */
const MAX_VERIFIED = 1_000;

type Verified = Omit<AuthenticateRequestResult, 'connectorFactory'> & { until: number };

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
  private readonly verified = new Map<string, Promise<Verified>>();
  /** Activities authenticated, and of those, tokens whose signature was verified (not found verified). */
  readonly counts = { authenticated: 0, verified: 0 };

  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /**
   * Every activity is authenticated: its token, its channel and its service URL, exactly as botbuilder
   * checks them. A token botbuilder accepted for the same channel and service URL in the last five
   * minutes (and not yet expired) is not verified again: the answer would be the same, and a
   * channel sends every activity of the hour with one token, so verifying it each time was most of
   * what a click cost. A token never accepted is verified every time it is presented.
   */
  async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    // Only strings are keyed: anything else is botbuilder's to refuse, every time.
    const keyable = authHeader && typeof activity.channelId === 'string' && typeof activity.serviceUrl === 'string';
    const key = keyable ? `${authHeader}\n${activity.channelId}\n${activity.serviceUrl}` : undefined;
    let pending = key ? this.verified.get(key) : undefined;
    if (pending) {
      const found = await pending.catch(() => undefined);
      if (!found || found.until <= this.now()) {
        if (this.verified.get(key!) === pending) this.verified.delete(key!);
        pending = undefined;
      }
    }
    if (!pending) {
      pending = this.verify(activity, authHeader);
      if (key) {
        if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
        this.verified.set(key, pending);
        // A refusal is never remembered: the next presentation is verified (and refused) again.
        pending.catch(() => this.verified.get(key) === pending && this.verified.delete(key));
      }
    }
    const { until: _until, ...result } = await pending;
    this.counts.authenticated += 1;
    return { ...result, connectorFactory: this.createConnectorFactory(result.claimsIdentity) };
  }

  private async verify(activity: Activity, authHeader: string): Promise<Verified> {
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
    this.counts.verified += 1;
    const { connectorFactory: _factory, ...verified } = result;
    // Anonymous (no app id: the local playground) and tokens without an expiry are not kept.
    const exp = Number(result.claimsIdentity.getClaimValue('exp'));
    const until = authHeader && result.claimsIdentity.isAuthenticated && exp > 0 ? Math.min(exp * 1000, this.now() + VERIFIED_FOR_MS) : 0;
    return { ...verified, until };
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
