import { randomUUID } from 'node:crypto';
import { CardFactory, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type TurnContext } from 'botbuilder';
import { reportCard, reportThanksCard } from '../src/incidents/cards/report-card';
import { z } from 'zod';
import { INCIDENT_ACTIONS, InvalidReport, NoSuchIncident, NotAllowed, type IncidentAction, type IncidentService } from '../src/incidents/incident-service';
import type { SchoolDirectory } from '../src/school/school-directory';
import type { BotCommand } from './esafety-bot';
import { cardError, describeProblem } from './activity-checks';
import { TooManyRequests } from '../src/server/rate-limits';

/** The same per-person write allowance as the tab's API (src/server/rate-limits.ts). */
export interface WriteAllowance {
  spend(kind: 'personWrites', personId: string): Promise<void>;
}

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

type FormData = z.infer<typeof reportForm>;

// Adaptive Card inputs arrive as strings (Input.Toggle as "true"/"false"); a missing input is
// absent, never null. Anything else did not come from our card.
const text = (max: number) => z.string().max(max).optional();
const reportForm = z.object({
  submissionId: text(100),
  kind: text(100),
  about: text(40),
  involved: text(2000),
  whatHappened: text(10_000),
  where: text(500),
  illegal: z.union([z.literal('true'), z.literal('false'), z.boolean().transform(String)]).optional(),
});
const actionData = z.object({
  incidentId: z.string().min(1).max(100),
  text: text(4000),
  assignee: text(320),
  escalateTo: text(100),
});

// What Teams sends in messagePayload; only these fields are read, each checked for its type.
const reportedMessage = z.object({
  body: z.object({ content: z.string().max(100_000).optional() }).optional(),
  from: z.object({ user: z.object({ displayName: z.string().max(500).optional() }).nullish() }).nullish(),
  // A time that is not ISO 8601 is left out of the prefill rather than shown half-cut.
  createdDateTime: z.iso.datetime({ offset: true }).optional().catch(undefined),
  linkToMessage: z.string().max(2000).optional(),
});

/** What Teams sends with a message action: the message the person chose to report. */
export type ReportedMessage = z.infer<typeof reportedMessage>;

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
  limits?: WriteAllowance,
): Promise<AdaptiveCardInvokeResponse | undefined> {
  const verb = value.action.verb ?? '';
  if (!verb.startsWith('incident.')) return undefined;
  const actorId = context.activity.from.aadObjectId;
  const actor = actorId ? await directory.person(actorId) : undefined;
  if (!actor) return say('Sorry: you are not in this school’s directory.');
  const raw: unknown = value.action.data ?? {};
  try {
    if (verb === 'incident.submit') {
      const form = reportForm.safeParse(raw);
      if (!form.success) return cardError(400, 'BadRequest', `Please check: ${describeProblem(form.error)}`);
      await limits?.spend('personWrites', actor.id);
      await incidents.report(reportFromForm(form.data, new Date()), actor);
      return { statusCode: 200, type: CARD, value: reportThanksCard() as never };
    }
    const action = verb.slice('incident.'.length) as IncidentAction;
    if (!INCIDENT_ACTIONS.includes(action)) return say('That action is not known.');
    const parsed = actionData.safeParse(raw);
    if (!parsed.success) return cardError(400, 'BadRequest', `Please check: ${describeProblem(parsed.error)}`);
    const data = parsed.data;
    await limits?.spend('personWrites', actor.id);
    const card = await incidents.act(data.incidentId, action, actor, {
      ...(data.text !== undefined ? { text: data.text } : {}),
      ...(data.assignee !== undefined ? { assignee: data.assignee } : {}),
      ...(data.escalateTo !== undefined ? { escalateTo: data.escalateTo } : {}),
    });
    return { statusCode: 200, type: CARD, value: card as never };
  } catch (e) {
    if (e instanceof InvalidReport) return say(`Please check: ${e.message}`);
    if (e instanceof NotAllowed) return say('Only the safeguarding team and the people this incident was sent to can act on it.');
    if (e instanceof NoSuchIncident) return cardError(404, 'NotFound', 'That incident does not exist.');
    if (e instanceof TooManyRequests) return cardError(429, 'TooManyRequests', e.message);
    throw e;
  }
}

/** The message action: "Report a concern" on any chat or channel message. */
export function reportMessageAction(incidents: IncidentService, directory: SchoolDirectory, limits?: WriteAllowance) {
  const tell = (value: string) => ({ task: { type: 'message' as const, value } });
  return {
    async fetch(_context: TurnContext, commandId: string, message: unknown) {
      if (commandId !== 'reportMessage') return tell('That action is not known.');
      const parsed = reportedMessage.safeParse(message ?? {});
      return reportMessageTask(parsed.success ? parsed.data : {});
    },
    async submit(context: TurnContext, commandId: string, raw: Record<string, unknown>) {
      if (commandId !== 'reportMessage') return tell('That action is not known.');
      const form = reportForm.safeParse(raw);
      if (!form.success) return tell(`Please check: ${describeProblem(form.error)}`);
      const data = form.data;
      const actorId = context.activity.from.aadObjectId;
      const actor = actorId ? await directory.person(actorId) : undefined;
      if (!actor) return tell('Sorry: you are not in this school’s directory.');
      try {
        await limits?.spend('personWrites', actor.id);
        await incidents.report({ ...reportFromForm(data, new Date()), channel: 'message-action' }, actor);
        return tell('Thank you. Your concern has been passed to the safeguarding team.');
      } catch (e) {
        if (e instanceof InvalidReport) return tell(`Please check: ${e.message}`);
        if (e instanceof TooManyRequests) return tell(e.message);
        throw e;
      }
    },
  };
}
