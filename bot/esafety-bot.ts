import { CardFactory, TeamsActivityHandler, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { helpCard } from '../src/cards/help-card';
import { welcomeCard } from '../src/cards/welcome-card';
import type { Person } from '../src/school/school-directory';
import type { ConversationReferences } from '../src/storage/conversation-references';
import { activityTenant, cardError, refuseInvoke } from './activity-checks';
import { CardActionInvokes, isCardAction } from './card-action-invoke';
import { BotRouter, rememberPerson, turnOf, type BotCommand, type BotTurn } from './card-action-router';
import { rememberConversation } from './remember-conversation';

export type { BotCommand } from './card-action-router';

export interface BotServices {
  schoolName: string;
  /** The school's Entra tenant: activities from any other tenant are ignored. */
  tenantId?: string;
  /**
   * The person an Entra object id names in the school's directory, looked up once per activity;
   * conversations are kept only for them, and every handler is given them (card-action-router.ts).
   */
  personOf?: (aadObjectId: string) => Promise<Person | undefined>;
  conversations: ConversationReferences;
  logger: Logger;
  /** The features' commands and card actions (bin/start-app.ts routes each to its feature). */
  router?: BotRouter;
  /** The "Report a concern" message action: its dialog, and what happens when it is sent. */
  messageAction?: {
    fetch(turn: BotTurn, commandId: string, message: unknown): Promise<unknown>;
    submit(turn: BotTurn, commandId: string, data: Record<string, unknown>): Promise<unknown>;
  };
  /**
   * A person's chat with the bot is new or has changed: whatever waited for them (incident cards
   * backing off because they had no chat) can go now. Never holds up or fails their turn.
   */
  reachable?: (personId: string) => Promise<unknown>;
  /** Teams meeting start/end events in a meeting chat the bot is in. */
  meetingEvents?: {
    started(context: TurnContext, meeting: { joinUrl?: string }): Promise<void>;
    ended(context: TurnContext, meeting: { joinUrl?: string }): Promise<void>;
  };
}

/**
 * The Teams bot: greets on install, answers `help`, and remembers every conversation so the app
 * can send proactive cards (AUP requests, incident cards) later.
 */
export class ESafetyBot extends TeamsActivityHandler {
  private readonly router: BotRouter;
  /** Card buttons: answered the same way here and by the bot endpoint without a turn (bot-endpoint.ts). */
  readonly cardActions: CardActionInvokes;
  private readonly help: BotCommand = { command: 'help', description: 'Show this list', run: (turn) => this.sendHelp(turn.context) };

  constructor(private readonly services: BotServices) {
    super();
    this.router = services.router ?? new BotRouter();
    this.cardActions = new CardActionInvokes({ ...services, router: this.router });

    this.onTurn(async (context, next) => {
      if (isCardAction(context.activity)) {
        return void (await context.sendActivity({ type: 'invokeResponse', value: await this.cardActions.answer(context.activity) }));
      }
      if (services.tenantId && activityTenant(context.activity) !== services.tenantId) {
        // Nothing is stored or done for another tenant; an invoke still gets an answer, not a 501.
        services.logger.warn(
          { activityType: context.activity.type, name: context.activity.name, tenant: activityTenant(context.activity) ?? null },
          'bot activity from another tenant ignored',
        );
        if (context.activity.type === 'invoke')
          await context.sendActivity({
            type: 'invokeResponse',
            value: { status: 403, body: cardError(403, 'Forbidden', 'This app serves one school’s tenant only.') },
          });
        return;
      }
      if (context.activity.type === 'invoke') {
        const refusal = refuseInvoke(context.activity);
        if (refusal) return void (await context.sendActivity({ type: 'invokeResponse', value: refusal }));
      }
      // A card's Action.Submit (messageBack) carries its data as an object; anything else is not ours.
      const value: unknown = context.activity.value;
      if (context.activity.type === 'message' && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
        return void (await context.sendActivity('That button is not known any more.'));
      }
      // The sender is looked up once here; every handler of this activity is given them.
      const aadObjectId = context.activity.from?.aadObjectId;
      const person = aadObjectId && services.personOf ? await services.personOf(aadObjectId) : undefined;
      rememberPerson(context, person);
      await rememberConversation(context.activity, person, services);
      await next();
    });

    this.onTeamsMeetingStartEvent(async (meeting, context, next) => {
      await services.meetingEvents?.started(context, { joinUrl: meeting.joinUrl });
      await next();
    });
    this.onTeamsMeetingEndEvent(async (meeting, context, next) => {
      await services.meetingEvents?.ended(context, { joinUrl: meeting.joinUrl });
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient.id;
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id === botId) continue;
        await context.sendActivity({ attachments: [CardFactory.adaptiveCard(welcomeCard({ name: member.name ?? 'there', school: services.schoolName }))] });
      }
      await next();
    });

    this.onMessage(async (context, next) => {
      const text = TeamsActivityHandlerText.clean(context);
      const [word = '', ...rest] = text.split(/\s+/);
      const turn = turnOf(context);
      if (word.toLowerCase() === this.help.command) await this.help.run(turn, '');
      else if (await this.router.runCommand(turn, word, rest.join(' '))) {
        // The feature answered.
      } else if (isGreeting(text))
        await turn.send(`Hello${turn.person ? ` ${turn.person.displayName.split(' ')[0]}` : ''}. Type **help** to see what I can do.`);
      else await this.sendHelp(context, text ? `I don't know "${text.slice(0, 40)}".` : undefined);
      await next();
    });
  }

  protected override async handleTeamsMessagingExtensionFetchTask(context: TurnContext, action: { commandId?: string; messagePayload?: unknown }) {
    if (!this.services.messageAction) return super.handleTeamsMessagingExtensionFetchTask(context, action as never);
    return (await this.services.messageAction.fetch(turnOf(context), action.commandId ?? '', action.messagePayload)) as never;
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: { commandId?: string; data?: unknown }) {
    if (!this.services.messageAction) return super.handleTeamsMessagingExtensionSubmitAction(context, action as never);
    return (await this.services.messageAction.submit(turnOf(context), action.commandId ?? '', (action.data ?? {}) as Record<string, unknown>)) as never;
  }

  // The app opens no task modules of its own (the report dialog is the message action's).
  protected override async handleTeamsTaskModuleFetch() {
    return { task: { type: 'message' as const, value: 'That dialog is not known.' } };
  }

  protected override async handleTeamsTaskModuleSubmit() {
    return { task: { type: 'message' as const, value: 'That dialog is not known.' } };
  }

  /** The words the bot answers: the manifest's commandLists lists each (test/app-package.test.ts). */
  get commandWords(): string[] {
    return this.commands.map((c) => c.command);
  }

  private get commands(): BotCommand[] {
    return [this.help, ...this.router.commands];
  }

  private async sendHelp(context: TurnContext, preface?: string): Promise<void> {
    if (preface) await context.sendActivity(preface);
    const card = helpCard({ school: this.services.schoolName, commands: this.commands.map(({ command, description }) => ({ command, description })) });
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
  }
}

/** "hello", "hi there", "good morning": said to the bot, a greeting gets one back (#13), not "I don't know". */
export function isGreeting(text: string): boolean {
  return /^(hello|hi|hiya|hey|howdy|good (morning|afternoon|evening)|greetings)\b[\s!.,]*(there|e-?safety|bot)?[\s!.,]*$/i.test(text.trim());
}

/** Message text without the bot's @mention and extra white space. */
export const TeamsActivityHandlerText = {
  clean(context: TurnContext): string {
    let text = context.activity.text ?? '';
    for (const m of context.activity.entities ?? []) {
      if (m.type === 'mention' && (m as { mentioned?: { id?: string } }).mentioned?.id === context.activity.recipient.id) {
        text = text.replace((m as { text?: string }).text ?? '', '');
      }
    }
    return text.replace(/<[^>]+>/g, '').trim();
  },
};
