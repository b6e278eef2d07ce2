import { randomUUID } from 'node:crypto';
import { CardFactory, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type TurnContext } from 'botbuilder';
import { reportCard, reportThanksCard } from '../src/cards/report-card';
import { INCIDENT_ACTIONS, InvalidReport, NotAllowed, type IncidentAction, type IncidentService } from '../src/incidents/incident-service';
import type { SchoolDirectory } from '../src/school/school-directory';
import type { BotCommand } from './esafety-bot';

const CARD = 'application/vnd.microsoft.card.adaptive';
/** A short message Teams shows to the person who clicked, instead of replacing the card. */
const say = (message: string): AdaptiveCardInvokeResponse => ({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message as never });

export function reportCommand(): BotCommand {
  return {
    command: 'report',
    description: 'Report an e-safety concern to the safeguarding team',
    // Each form carries its own submission id: a double click or a retry is one incident.
    run: async (context) => {
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(reportCard(randomUUID()))] });
    },
  };
}

type FormData = Record<string, string | undefined>;

/** What Teams sends with a message action: the message the person chose to report. */
export interface ReportedMessage {
  body?: { content?: string };
  from?: { user?: { displayName?: string } };
  createdDateTime?: string;
  linkToMessage?: string;
}

const plain = (html: string) => html.replace(/<br\s*\/?>/gi, '\n').replace(/<[^>]+>/g, '').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').trim();

/** The report form, prefilled with the reported message, for the message action's dialog. */
export function reportMessageTask(message: ReportedMessage) {
  const author = message.from?.user?.displayName ?? 'someone';
  const when = (message.createdDateTime ?? '').slice(0, 16).replace('T', ' ');
  const text = plain(message.body?.content ?? '').slice(0, 3000);
  const whatHappened = `Reported message from ${author}${when ? ` at ${when}` : ''}:\n"${text}"${message.linkToMessage ? `\nLink: ${message.linkToMessage}` : ''}`;
  return {
    task: {
      type: 'continue' as const,
      value: { title: 'Report a concern', height: 'large' as const, width: 'medium' as const, card: CardFactory.adaptiveCard(reportCard(randomUUID(), { prefill: { whatHappened, where: 'Teams message' }, inTaskModule: true })) },
    },
  };
}

/** Card form fields to the report the domain validates. */
export function reportFromForm(data: FormData, now: Date) {
  const [category, subCategory] = (data.kind ?? '').split('/');
  const role = data.about === 'headteacher' ? 'headteacher' : data.about === 'staff' ? 'staff' : 'student';
  const names = (data.involved ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  return {
    submissionId: data.submissionId,
    category,
    subCategory,
    whatHappened: data.whatHappened ?? '',
    involved: names.length ? names.map((name) => ({ name, role })) : role === 'student' ? [] : [{ name: role === 'headteacher' ? 'the headteacher' : 'a member of staff', role }],
    when: now.toISOString(),
    where: data.where ?? '',
    illegalOrImmediateRisk: data.illegal === 'true',
    channel: 'bot-command' as 'bot-command' | 'message-action',
  };
}

/** Action.Execute from incident cards: submit a report, or the DSL acts on one. */
export async function incidentCardAction(
  context: TurnContext,
  value: AdaptiveCardInvokeValue,
  incidents: IncidentService,
  directory: SchoolDirectory,
): Promise<AdaptiveCardInvokeResponse | undefined> {
  const verb = value.action.verb ?? '';
  if (!verb.startsWith('incident.')) return undefined;
  const actorId = context.activity.from.aadObjectId;
  const actor = actorId ? await directory.person(actorId) : undefined;
  if (!actor) return say('Sorry: you are not in this school’s directory.');
  const data = (value.action.data ?? {}) as FormData;
  try {
    if (verb === 'incident.submit') {
      await incidents.report(reportFromForm(data, new Date()), actor);
      return { statusCode: 200, type: CARD, value: reportThanksCard() as never };
    }
    const action = verb.slice('incident.'.length) as IncidentAction;
    if (!INCIDENT_ACTIONS.includes(action)) return say('That action is not known.');
    const card = await incidents.act(String(data.incidentId), action, actor, {
      ...(data.text !== undefined ? { text: data.text } : {}),
      ...(data.assignee !== undefined ? { assignee: data.assignee } : {}),
      ...(data.escalateTo !== undefined ? { escalateTo: data.escalateTo } : {}),
    });
    return { statusCode: 200, type: CARD, value: card as never };
  } catch (e) {
    if (e instanceof InvalidReport) return say(`Please check: ${e.message}`);
    if (e instanceof NotAllowed) return say('Only the safeguarding team and the people this incident was sent to can act on it.');
    throw e;
  }
}

/** The message action: "Report a concern" on any chat or channel message. */
export function reportMessageAction(incidents: IncidentService, directory: SchoolDirectory) {
  const tell = (value: string) => ({ task: { type: 'message' as const, value } });
  return {
    async fetch(_context: TurnContext, commandId: string, message: unknown) {
      if (commandId !== 'reportMessage') return tell('That action is not known.');
      return reportMessageTask((message ?? {}) as ReportedMessage);
    },
    async submit(context: TurnContext, commandId: string, data: FormData) {
      if (commandId !== 'reportMessage') return tell('That action is not known.');
      const actorId = context.activity.from.aadObjectId;
      const actor = actorId ? await directory.person(actorId) : undefined;
      if (!actor) return tell('Sorry: you are not in this school’s directory.');
      try {
        await incidents.report({ ...reportFromForm(data, new Date()), channel: 'message-action' }, actor);
        return tell('Thank you. Your concern has been passed to the safeguarding team.');
      } catch (e) {
        if (e instanceof InvalidReport) return tell(`Please check: ${e.message}`);
        throw e;
      }
    },
  };
}
