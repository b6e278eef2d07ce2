import type { Activity } from 'botbuilder';
import { isGraphUnreachable } from '../src/graph/graph-access';
import type { Person } from '../src/school/school-directory';
import { activityTenant, cardError, refuseInvoke } from './activity-checks';
import type { BotRouter } from './card-action-router';
import { rememberConversation, type ConversationMemory } from './remember-conversation';

/** The HTTP answer to an invoke: its status and body, as Bot Framework expects them. */
export interface InvokeAnswer {
  status: number;
  body: unknown;
}

export interface CardActionServices extends ConversationMemory {
  /** The school's Entra tenant: a card action from any other tenant is refused. */
  tenantId?: string;
  router: BotRouter;
}

/** An Adaptive Card's Action.Execute: answered in the invoke's own HTTP response, which Teams waits for. */
export function isCardAction(activity: unknown): boolean {
  const a = activity as Partial<Activity> | null;
  return typeof a === 'object' && a !== null && a.type === 'invoke' && a.name === 'adaptiveCard/action';
}

/**
 * "I accept", "Close incident": a card's button, answered from the activity alone. It needs no bot
 * turn (no connector client, no turn state, no middleware), so the bot endpoint answers it directly
 * once the activity is authenticated (bot-endpoint.ts), and the bot does the same for one that
 * reaches it through botbuilder (esafety-bot.ts): one behaviour either way. At the start of term a
 * whole school presses "I accept" within minutes: building a turn was most of what a click cost.
 */
export class CardActionInvokes {
  constructor(private readonly services: CardActionServices) {}

  async answer(activity: Activity): Promise<InvokeAnswer> {
    const { services } = this;
    const tenant = activityTenant(activity);
    if (services.tenantId && tenant !== services.tenantId) {
      // Nothing is stored or done for another tenant; it still gets an answer.
      services.logger.warn({ activityType: activity.type, name: activity.name, tenant: tenant ?? null }, 'bot activity from another tenant ignored');
      return { status: 403, body: cardError(403, 'Forbidden', 'This app serves one school’s tenant only.') };
    }
    const refusal = refuseInvoke(activity);
    if (refusal) return refusal;
    const action = (activity.value as { action: { type?: string; verb: string; data?: Record<string, unknown> } }).action;
    // As botbuilder answers an adaptiveCard/action that is not an Action.Execute.
    if (action.type !== 'Action.Execute')
      return { status: 400, body: cardError(400, 'NotSupported', `The action '${String(action.type).slice(0, 40)}' is not supported.`) };
    try {
      const aadObjectId = activity.from?.aadObjectId;
      const person: Person | undefined = aadObjectId && services.personOf ? await services.personOf(aadObjectId) : undefined;
      await rememberConversation(activity, person, services);
      const response = await services.router.cardAction(person, action.verb, action.data ?? {});
      return { status: response.statusCode, body: response };
    } catch (e) {
      // A fault (the database or Microsoft 365 not answering): an error Teams shows on the card, never a stack trace.
      if (isGraphUnreachable(e)) {
        services.logger.warn({ verb: action.verb, cause: e.message }, 'card action: Microsoft Graph unreachable');
        return { status: 503, body: cardError(503, 'ServiceUnavailable', 'Microsoft 365 is not answering just now. Please try again in a few minutes.') };
      }
      services.logger.error({ err: e, verb: action.verb }, 'card action failed');
      return {
        status: 500,
        body: cardError(500, 'InternalError', 'Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the IT team.'),
      };
    }
  }
}
