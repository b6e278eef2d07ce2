import { Template } from 'adaptivecards-templating';

/** An Adaptive Card as JSON. Teams renders schema 1.5. */
export type AdaptiveCardJson = { type: 'AdaptiveCard'; version: string; body: unknown[]; actions?: unknown[] } & Record<string, unknown>;

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Expands a card template (`${name}`, `$data`, `$when`) with the given data. */
export function renderCard(template: object, data: object): AdaptiveCardJson {
  return new Template(template).expand({ $root: data }) as AdaptiveCardJson;
}
