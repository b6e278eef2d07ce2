import { CallerIdConstants, CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
// botbuilder's own authentication package (same release, installed with it): the cloud's constants.
import { AuthenticationConstants } from 'botframework-connector';
import type { Logger } from 'pino';
import { ReusedBotClients } from './reused-bot-clients';

/** The bot's Azure registration. New bots are single-tenant: the app id, its secret and the tenant. */
export interface BotCredentials {
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  /**
   * Where Bot Framework publishes the keys that sign its tokens (default Bot Framework's own,
   * https://login.botframework.com/v1/.well-known/openidconfiguration). Tests and the benchmark point
   * it at a local key server, so tokens are still checked, signature, issuer, audience and all.
   */
  openIdMetadataUrl?: string;
}

/** Public Azure's Bot Framework settings, as botbuilder uses them when none is given. */
const publicCloud = {
  ValidateAuthority: true,
  ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
  ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
  ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
  OAuthUrl: AuthenticationConstants.OAuthUrl,
  ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
  CallerId: CallerIdConstants.PublicAzureChannel,
};

/**
 * With an app id, every incoming activity must carry a valid Bot Framework JWT (answered 401
 * otherwise, a forged signature included). Without one the bot is anonymous: only for the local
 * Agents Playground. One authentication serves the adapter and the inline card actions
 * (bot-endpoint.ts), so both check tokens the same way.
 */
export function createBotAuthentication(credentials: BotCredentials, now?: () => number): ReusedBotClients {
  const auth = new ConfigurationBotFrameworkAuthentication(
    credentials.appId
      ? {
          MicrosoftAppId: credentials.appId,
          MicrosoftAppPassword: credentials.appPassword ?? '',
          MicrosoftAppType: 'SingleTenant',
          MicrosoftAppTenantId: credentials.tenantId ?? '',
          // Naming one endpoint makes botbuilder take every one from here: the rest are public Azure's.
          ...(credentials.openIdMetadataUrl ? { ...publicCloud, ToBotFromChannelOpenIdMetadataUrl: credentials.openIdMetadataUrl } : {}),
        }
      : {},
  );
  // Every activity is still authenticated; what is kept is in reused-bot-clients.ts.
  return new ReusedBotClients(auth, now);
}

export function createBotAdapter(authentication: ReusedBotClients, logger: Logger): CloudAdapter {
  const adapter = new CloudAdapter(authentication);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, activityType: context.activity.type }, 'bot turn failed');
    // A person sees a plain sentence, never a stack trace.
    await context.sendActivity('Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the IT team.').catch(() => undefined);
  };
  return adapter;
}
