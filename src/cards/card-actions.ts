import type { z } from 'zod';

/**
 * A feature's card actions: each verb its cards carry (`Action.Execute` `verb`), with the zod schema
 * of the data that verb brings back. Declared once beside the feature's cards; the bot's router
 * checks the data with it before any handler runs, so a handler receives typed data, never `unknown`.
 * Verbs are `<feature>.<action>`: the router sends each to its feature by the part before the dot.
 */
export type CardActionContract<F extends string = string> = { readonly [V in `${F}.${string}`]: z.ZodType };

/** The verbs of a contract, as a union type. */
export type CardVerb<C> = Extract<keyof C, string>;

/** The data a verb carries once checked. */
export type CardActionData<C extends CardActionContract, V extends CardVerb<C>> = z.output<C[V]>;

/** Declares a feature's card actions; the verbs' tuple comes with it for lists and checks. */
export function cardActions<F extends string, C extends CardActionContract<F>>(feature: F, contract: C) {
  return { feature, contract, verbs: Object.keys(contract) as Array<CardVerb<C>> } as const;
}

export type CardActions<F extends string = string, C extends CardActionContract<F> = CardActionContract<F>> = {
  feature: F;
  contract: C;
  verbs: Array<CardVerb<C>>;
};
