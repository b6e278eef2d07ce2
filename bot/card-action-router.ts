import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import type { z } from 'zod';
import type { CardActionContract, CardActions, CardVerb } from '../src/cards/card-actions';
import type { CommandHelp } from '../src/cards/help-card';
import type { AdaptiveCardJson } from '../src/cards/render-card';
import { NotAllowed } from '../src/errors/domain-errors';
import type { Person } from '../src/school/school-directory';
import { cardError, describeProblem } from './activity-checks';
import { invokeAnswerFor, sentenceFor } from './bot-errors';

/**
 * One activity as a handler sees it, in the style of teams.ts's `app.on('card.action', ({ activity,
 * send }) => …)`: the sender, looked up once for the whole activity, and a way to answer. Handlers
 * touch botbuilder only through `context`, so moving to its successor changes this file and
 * esafety-bot.ts, not the features' handlers.
 */
export interface BotTurn {
  context: TurnContext;
  /** The sender in the school's directory; undefined for a guest or a stranger. */
  person: Person | undefined;
  send(message: string | AdaptiveCardJson, summary?: string): Promise<void>;
}

/** What a card's button gets back: the card that replaces the one clicked, or a short message. */
export type CardAnswer = { card: AdaptiveCardJson } | { message: string };

/**
 * Who pressed a card's button. A card action is answered inline, in the invoke's own HTTP response,
 * so its handler gets the person and the data and nothing of botbuilder: card-action-invoke.ts can
 * answer it without building a bot turn.
 */
export interface CardActor {
  person: Person;
}

/** One handler per verb of a feature's contract, each given the verb's data already checked. */
export type CardActionHandlers<C extends CardActionContract> = { [V in CardVerb<C>]: (data: z.output<C[V]>, by: CardActor) => Promise<CardAnswer> };

export interface BotCommand extends CommandHelp {
  run(turn: BotTurn, args: string): Promise<void>;
}

/** Said to someone the school's directory does not know, whatever they tried. */
export class NotInDirectory extends NotAllowed {
  constructor() {
    super('you are not in this school’s directory', 'not-in-directory');
  }
}

/** The person of a turn, or the error every feature answers a stranger with. */
export function personOf(turn: BotTurn): Person {
  if (!turn.person) throw new NotInDirectory();
  return turn.person;
}

const PERSON = Symbol('esafety.person');
const CARD = 'application/vnd.microsoft.card.adaptive';

/** Keeps the sender found for this activity on its turn state (esafety-bot.ts looks them up once). */
export function rememberPerson(context: TurnContext, person: Person | undefined): void {
  context.turnState.set(PERSON, person ?? null);
}

/** The turn for an activity whose sender has been looked up (see rememberPerson). */
export function turnOf(context: TurnContext): BotTurn {
  const person = (context.turnState.get(PERSON) as Person | null | undefined) ?? undefined;
  return {
    context,
    person,
    async send(message, summary) {
      if (typeof message === 'string') await context.sendActivity(message);
      else await context.sendActivity({ attachments: [{ contentType: CARD, content: message }], ...(summary ? { summary } : {}) });
    },
  };
}

type Route = { schema: z.ZodType; handle: (data: unknown, by: CardActor) => Promise<CardAnswer> };

/**
 * Every card action and every typed command, each sent to the feature that owns it. A verb is
 * `<feature>.<action>`: its feature's contract (src/<feature>/cards/<feature>-card-actions.ts) checks
 * the data, its handler acts; a domain error becomes the bot's answer in bot-errors.ts only.
 */
export class BotRouter {
  private readonly features = new Map<string, Map<string, Route>>();
  private readonly commandList: BotCommand[] = [];

  /** A feature's card actions: the contract and one handler per verb (the compiler holds them to each other). */
  cardActions<F extends string, C extends CardActionContract<F>>(actions: CardActions<F, C>, handlers: CardActionHandlers<C>): this {
    if (this.features.has(actions.feature)) throw new Error(`card actions of ${actions.feature} are routed twice`);
    const routes = new Map<string, Route>();
    for (const verb of actions.verbs) {
      const handle = handlers[verb] as Route['handle'];
      routes.set(verb, { schema: actions.contract[verb as keyof C] as z.ZodType, handle });
    }
    this.features.set(actions.feature, routes);
    return this;
  }

  command(command: BotCommand): this {
    if (this.commandList.some((c) => c.command === command.command)) throw new Error(`the command ${command.command} is routed twice`);
    this.commandList.push(command);
    return this;
  }

  get commands(): readonly BotCommand[] {
    return this.commandList;
  }

  /** Every verb routed, for the checks that each card's buttons have a handler. */
  get verbs(): string[] {
    return [...this.features.values()].flatMap((routes) => [...routes.keys()]);
  }

  /** An Action.Execute by the person who pressed it (undefined: not in the directory): checked, handled by its feature, answered. */
  async cardAction(pressedBy: Person | undefined, verb: string, data: unknown): Promise<AdaptiveCardInvokeResponse> {
    const [feature = ''] = verb.split('.', 1);
    const route = this.features.get(feature)?.get(verb);
    if (!route) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'That button is not known any more.' as never };
    try {
      if (!pressedBy) throw new NotInDirectory();
      const parsed = route.schema.safeParse(data ?? {});
      if (!parsed.success) return cardError(400, 'BadRequest', `Please check: ${describeProblem(parsed.error)}`);
      const answer = await route.handle(parsed.data, { person: pressedBy });
      return 'card' in answer
        ? { statusCode: 200, type: CARD, value: answer.card as never }
        : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: answer.message as never };
    } catch (e) {
      return invokeAnswerFor(e);
    }
  }

  /** A typed command: false when the first word names none. */
  async runCommand(turn: BotTurn, word: string, args: string): Promise<boolean> {
    const command = this.commandList.find((c) => c.command === word.toLowerCase());
    if (!command) return false;
    try {
      await command.run(turn, args);
    } catch (e) {
      await turn.send(sentenceFor(e));
    }
    return true;
  }
}
