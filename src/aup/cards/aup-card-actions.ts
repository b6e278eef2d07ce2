import { z } from 'zod';
import { cardActions } from '../../cards/card-actions';

// A policy version id as the card carries it: "staff-aup@3".
const versionId = z.string().min(1).max(200);

/** The policy card's two buttons (aup-card.ts). The question's wording is checked by the service. */
export const aupCardActions = cardActions('aup', {
  'aup.accept': z.object({ versionId }),
  'aup.question': z.object({ versionId, question: z.string().max(4000).optional() }),
});
export type AupCardVerb = (typeof aupCardActions.verbs)[number];
