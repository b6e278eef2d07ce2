import type { aupCardActions } from '../src/aup/cards/aup-card-actions';
import type { AupService } from '../src/aup/aup-service';
import { personOf, type BotCommand, type CardActionHandlers } from './card-action-router';

/** "I accept" and "I have a question" on a policy card. */
export function aupCardHandlers(aup: AupService): CardActionHandlers<(typeof aupCardActions)['contract']> {
  return {
    'aup.accept': async ({ versionId }, { person }) => ({ card: (await aup.accept(versionId, person, 'teams-card')).card }),
    'aup.question': async (data, { person }) => {
      await aup.question(data, person);
      return { message: 'Thank you: your question has gone to the policy’s owner, who will reply in Teams.' };
    },
  };
}

/** `policies`: what is waiting for me, as cards I can accept here. */
export function policiesCommand(aup: AupService): BotCommand {
  return {
    command: 'policies',
    description: 'Show the school policies waiting for your acceptance',
    async run(turn) {
      const mine = await aup.myPolicies(personOf(turn));
      const pending = mine.filter((p) => p.status === 'pending');
      if (pending.length === 0) return turn.send(mine.length ? 'You have accepted every policy addressed to you. Thank you.' : 'No policy is waiting for you.');
      for (const p of pending) {
        const version = await aup.version(p.versionId);
        if (version) await turn.send(aup.cardFor(version));
      }
    },
  };
}
