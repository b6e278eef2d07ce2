import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';

/** The bot's Azure registration. New bots are single-tenant: the app id, its secret and the tenant. */
export interface BotCredentials {
  appId?: string;
  appPassword?: string;
  tenantId?: string;
}

/**
 * With an app id, every incoming activity must carry a valid Bot Framework JWT (CloudAdapter
 * answers 401 otherwise). Without one the bot is anonymous: only for the local Agents Playground.
 */
export function createBotAdapter(credentials: BotCredentials, logger: Logger): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication(
    credentials.appId
      ? {
          MicrosoftAppId: credentials.appId,
          MicrosoftAppPassword: credentials.appPassword ?? '',
          MicrosoftAppType: 'SingleTenant',
          MicrosoftAppTenantId: credentials.tenantId ?? '',
        }
      : {},
  );
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, activityType: context.activity.type }, 'bot turn failed');
    // A person sees a plain sentence, never a stack trace.
    await context.sendActivity('Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the IT team.').catch(() => undefined);
  };
  return adapter;
}
