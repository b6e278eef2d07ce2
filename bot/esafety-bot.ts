import { CardFactory, TeamsActivityHandler, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { helpCard, type CommandHelp } from '../src/cards/help-card';
import { welcomeCard } from '../src/cards/welcome-card';
import type { ConversationReferences } from '../src/storage/conversation-references';
import { conversationEntry } from './conversation-keys';
import { activityTenant, cardError, refuseInvoke } from './activity-checks';

export interface BotCommand extends CommandHelp {
  run(context: TurnContext, args: string): Promise<void>;
}

export interface BotServices {
  schoolName: string;
  /** The school's Entra tenant: activities from any other tenant are ignored. */
  tenantId?: string;
  /** Whether an Entra object id is a person in the school's directory (conversations are kept only for them). */
  isMember?: (aadObjectId: string) => Promise<boolean>;
  conversations: ConversationReferences;
  logger: Logger;
  /** Commands that later capabilities (policies, report, lesson) register. */
  commands?: BotCommand[];
  /** The "Report a concern" message action: its dialog, and what happens when it is sent. */
  messageAction?: {
    fetch(context: TurnContext, commandId: string, message: unknown): Promise<unknown>;
    submit(context: TurnContext, commandId: string, data: Record<string, unknown>): Promise<unknown>;
  };
  /** Teams meeting start/end events in a meeting chat the bot is in. */
  meetingEvents?: {
    started(context: TurnContext, meeting: { joinUrl?: string }): Promise<void>;
    ended(context: TurnContext, meeting: { joinUrl?: string }): Promise<void>;
  };
  /** Action.Execute handlers, tried in turn; the first that answers wins. */
  cardActions?: Array<(context: TurnContext, value: AdaptiveCardInvokeValue) => Promise<AdaptiveCardInvokeResponse | undefined>>;
}

/**
 * The Teams bot: greets on install, answers `help`, and remembers every conversation so the app
 * can send proactive cards (AUP requests, incident cards) later.
 */
export class ESafetyBot extends TeamsActivityHandler {
  private readonly commands: BotCommand[];

  constructor(private readonly services: BotServices) {
    super();
    this.commands = [
      { command: 'help', description: 'Show this list', run: (ctx) => this.sendHelp(ctx) },
      ...(services.commands ?? []),
    ];

    this.onTurn(async (context, next) => {
      if (services.tenantId && activityTenant(context) !== services.tenantId) {
        // Nothing is stored or done for another tenant; an invoke still gets an answer, not a 501.
        services.logger.warn({ activityType: context.activity.type, name: context.activity.name, tenant: activityTenant(context) ?? null }, 'bot activity from another tenant ignored');
        if (context.activity.type === 'invoke') await context.sendActivity({ type: 'invokeResponse', value: { status: 403, body: cardError(403, 'Forbidden', 'This app serves one school’s tenant only.') } });
        return;
      }
      if (context.activity.type === 'invoke') {
        const refusal = refuseInvoke(context);
        if (refusal) return void (await context.sendActivity({ type: 'invokeResponse', value: refusal }));
      }
      // A card's Action.Submit (messageBack) carries its data as an object; anything else is not ours.
      const value: unknown = context.activity.value;
      if (context.activity.type === 'message' && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
        return void (await context.sendActivity('That button is not known any more.'));
      }
      await this.remember(context);
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
      const command = this.commands.find((c) => c.command === word.toLowerCase());
      if (command) await command.run(context, rest.join(' '));
      else await this.sendHelp(context, text ? `I don't know "${text.slice(0, 40)}".` : undefined);
      await next();
    });
  }

  protected override async handleTeamsMessagingExtensionFetchTask(context: TurnContext, action: { commandId?: string; messagePayload?: unknown }) {
    if (!this.services.messageAction) return super.handleTeamsMessagingExtensionFetchTask(context, action as never);
    return (await this.services.messageAction.fetch(context, action.commandId ?? '', action.messagePayload)) as never;
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: { commandId?: string; data?: unknown }) {
    if (!this.services.messageAction) return super.handleTeamsMessagingExtensionSubmitAction(context, action as never);
    return (await this.services.messageAction.submit(context, action.commandId ?? '', (action.data ?? {}) as Record<string, unknown>)) as never;
  }

  // The app opens no task modules of its own (the report dialog is the message action's).
  protected override async handleTeamsTaskModuleFetch() {
    return { task: { type: 'message' as const, value: 'That dialog is not known.' } };
  }

  protected override async handleTeamsTaskModuleSubmit() {
    return { task: { type: 'message' as const, value: 'That dialog is not known.' } };
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    for (const handle of this.services.cardActions ?? []) {
      const answer = await handle(context, value);
      if (answer) return answer;
    }
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'That button is not known any more.' as never };
  }

  /** The words the bot answers: the manifest's commandLists lists each (test/app-package.test.ts). */
  get commandWords(): string[] {
    return this.commands.map((c) => c.command);
  }

  private async sendHelp(context: TurnContext, preface?: string): Promise<void> {
    if (preface) await context.sendActivity(preface);
    const card = helpCard({ school: this.services.schoolName, commands: this.commands.map(({ command, description }) => ({ command, description })) });
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
  }

  private async remember(context: TurnContext): Promise<void> {
    const entry = conversationEntry(context.activity);
    if (!entry.key) return;
    // Only people of the school: a guest or another organisation's user leaves no reference.
    const personId = context.activity.from?.aadObjectId;
    if (this.services.isMember && !(personId && (await this.services.isMember(personId)))) return;
    await this.services.conversations.save({ ...entry, key: entry.key });
    // A team's channel is also found by the team's group id: lessons post to their class team.
    const team = (context.activity.channelData as { team?: { id?: string; aadGroupId?: string } } | undefined)?.team;
    const general = !team?.id || entry.conversationId.split(';')[0] === team.id;
    if (entry.kind === 'channel' && team?.aadGroupId && general) await this.services.conversations.save({ ...entry, key: `team:${team.aadGroupId}` });
  }
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
