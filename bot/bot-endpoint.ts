import type { Activity, CloudAdapter, TurnContext } from 'botbuilder';
import { AuthenticationError, type BotFrameworkAuthentication } from 'botframework-connector';
import type { Request, Response } from 'restify';
import { AuthError } from '../src/auth/identity';
import { isCardAction, type CardActionInvokes } from './card-action-invoke';

export interface BotEndpointParts {
  adapter: CloudAdapter;
  /** The adapter's own authentication (bot-adapter.ts): one check for both paths. */
  authentication: BotFrameworkAuthentication;
  bot: { run(context: TurnContext): Promise<void>; cardActions: CardActionInvokes };
}

/**
 * `POST /api/messages`. A card's button (an Action.Execute invoke) is authenticated exactly as the
 * adapter would (the same BotFrameworkAuthentication: token, channel, service URL) and answered
 * from the activity alone, without building a bot turn; every other activity goes through
 * botbuilder's CloudAdapter. The answer to a card action is the same either way
 * (card-action-invoke.ts); this path only spares a click the turn it never used.
 */
export function botEndpoint(parts: BotEndpointParts): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const activity = req.body as Activity;
    // "expectReplies" delivery buffers a turn's replies into the answer: botbuilder's to do.
    if (!isCardAction(activity) || activity.deliveryMode === 'expectReplies') return parts.adapter.process(req, res, (context) => parts.bot.run(context));
    const authorization = req.headers.authorization;
    let authenticated;
    try {
      authenticated = await parts.authentication.authenticateRequest(activity, typeof authorization === 'string' ? authorization : '');
    } catch (e) {
      // As the adapter answers: 401 for a refused or missing token; anything else (Bot Framework's
      // keys could not be fetched) is the server's, a 5xx the channel retries.
      if (e instanceof AuthenticationError) throw new AuthError(401, 'The Bot Framework token was refused');
      throw e;
    }
    // As CloudAdapter does: whatever the body said, the caller is who authentication says.
    activity.callerId = authenticated.callerId as string;
    const { status, body } = await parts.bot.cardActions.answer(activity);
    res.send(status, body);
  };
}
