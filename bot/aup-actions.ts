import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, TurnContext } from 'botbuilder';
import { InvalidRequest, NotAllowed, type AupService } from '../src/aup/aup-service';
import type { SchoolDirectory } from '../src/school/school-directory';
import { z } from 'zod';
import type { BotCommand } from './esafety-bot';
import { cardError, describeProblem } from './activity-checks';

const CARD = 'application/vnd.microsoft.card.adaptive';
// A policy version id as the card carries it: "staff-aup@3".
const acceptData = z.object({ versionId: z.string().min(1).max(200) });
const say = (message: string): AdaptiveCardInvokeResponse => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message as never });

/** "I accept" and "I have a question" on a policy card. */
export async function aupCardAction(context: TurnContext, value: AdaptiveCardInvokeValue, aup: AupService, directory: SchoolDirectory): Promise<AdaptiveCardInvokeResponse | undefined> {
  const verb = value.action.verb ?? '';
  if (!verb.startsWith('aup.')) return undefined;
  const personId = context.activity.from.aadObjectId;
  const person = personId ? await directory.person(personId) : undefined;
  if (!person) return say('Sorry: you are not in this school’s directory.');
  const data = (value.action.data ?? {}) as Record<string, unknown>;
  try {
    if (verb === 'aup.accept') {
      const parsed = acceptData.safeParse(data);
      if (!parsed.success) return cardError(400, 'BadRequest', `Please check: ${describeProblem(parsed.error)}`);
      const { card } = await aup.accept(parsed.data.versionId, person, 'teams-card');
      return { statusCode: 200, type: CARD, value: card as never };
    }
    if (verb === 'aup.question') {
      await aup.question(data, person);
      return say('Thank you: your question has gone to the policy’s owner, who will reply in Teams.');
    }
    return say('That button is not known any more.');
  } catch (e) {
    if (e instanceof InvalidRequest) return say(`Please check: ${e.message}`);
    if (e instanceof NotAllowed) return say(`Sorry: ${e.message}.`);
    throw e;
  }
}

/** `policies`: what is waiting for me, as cards I can accept here. */
export function policiesCommand(aup: AupService, directory: SchoolDirectory): BotCommand {
  return {
    command: 'policies',
    description: 'Show the school policies waiting for your acceptance',
    async run(context) {
      const personId = context.activity.from.aadObjectId;
      const person = personId ? await directory.person(personId) : undefined;
      if (!person) return void (await context.sendActivity('Sorry: you are not in this school’s directory.'));
      const mine = await aup.myPolicies(person);
      const pending = mine.filter((p) => p.status === 'pending');
      if (pending.length === 0) return void (await context.sendActivity(mine.length ? 'You have accepted every policy addressed to you. Thank you.' : 'No policy is waiting for you.'));
      for (const p of pending) {
        const version = await aup.version(p.versionId);
        if (version) await context.sendActivity({ attachments: [{ contentType: CARD, content: aup.cardFor(version) }] });
      }
    },
  };
}
