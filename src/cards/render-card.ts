import { Template } from 'adaptivecards-templating';

/** An Adaptive Card as JSON. Teams renders schema 1.5. */
export type AdaptiveCardJson = { type: 'AdaptiveCard'; version: string; body: unknown[]; actions?: unknown[] } & Record<string, unknown>;

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/**
 * Parsed templates, kept: parsing a template's expressions costs about a millisecond, expanding a
 * parsed one a few hundredths; at the start of term a thousand cards a second are answered.
 */
const parsed = new WeakMap<object, Template>();

/** Expands a card template (`${name}`, `$data`, `$when`) with the given data. */
export function renderCard(template: object, data: object): AdaptiveCardJson {
  let t = parsed.get(template);
  if (!t) parsed.set(template, (t = new Template(template)));
  return t.expand({ $root: data }) as AdaptiveCardJson;
}
