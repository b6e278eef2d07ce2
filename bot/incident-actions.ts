import { randomUUID } from 'node:crypto';
import { CardFactory } from 'botbuilder';
import { z } from 'zod';
import { actionDetails, incidentActionOf, reportForm, reportFromForm, type incidentCardActions } from '../src/incidents/cards/incident-card-actions';
import { reportCard, reportThanksCard } from '../src/incidents/cards/report-card';
import type { IncidentService } from '../src/incidents/incident-service';
import { describeProblem } from './activity-checks';
import { sentenceFor } from './bot-errors';
import { personOf, type BotCommand, type BotTurn, type CardActionHandlers } from './card-action-router';

/** The same per-person write allowance as the tab's API (src/server/rate-limits.ts). */
export interface WriteAllowance {
  spend(kind: 'personWrites', personId: string): Promise<void>;
}

export function reportCommand(): BotCommand {
  return {
    command: 'report',
    description: 'Report an e-safety concern to the safeguarding team',
    // Each form carries its own submission id: a double click or a retry is one incident.
    run: (turn) => turn.send(reportCard(randomUUID())),
  };
}

type IncidentHandlers = CardActionHandlers<(typeof incidentCardActions)['contract']>;

/** The incident cards' buttons: a report sent, or the DSL acting on one. */
export function incidentCardHandlers(incidents: IncidentService, limits?: WriteAllowance): IncidentHandlers {
  const act =
    (verb: Parameters<typeof incidentActionOf>[0]): IncidentHandlers['incident.note'] =>
    async (data, { person }) => {
      await limits?.spend('personWrites', person.id);
      return { card: await incidents.act(data.incidentId, incidentActionOf(verb), person, actionDetails(data)) };
    };
  return {
    'incident.submit': async (form, { person }) => {
      await limits?.spend('personWrites', person.id);
      await incidents.report(reportFromForm(form, new Date()), person);
      return { card: reportThanksCard() };
    },
    'incident.acknowledge': act('incident.acknowledge'),
    'incident.note': act('incident.note'),
    'incident.assign': act('incident.assign'),
    'incident.escalate': act('incident.escalate'),
    'incident.inform-parents': act('incident.inform-parents'),
    'incident.close': act('incident.close'),
  };
}

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

const plain = (html: string) =>
  html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .trim();

/** The report form, prefilled with the reported message, for the message action's dialog. */
export function reportMessageTask(message: ReportedMessage) {
  const author = message.from?.user?.displayName ?? 'someone';
  const when = (message.createdDateTime ?? '').slice(0, 16).replace('T', ' ');
  const text = plain(message.body?.content ?? '').slice(0, 3000);
  const whatHappened = `Reported message from ${author}${when ? ` at ${when}` : ''}:\n"${text}"${message.linkToMessage ? `\nLink: ${message.linkToMessage}` : ''}`;
  return {
    task: {
      type: 'continue' as const,
      value: {
        title: 'Report a concern',
        height: 'large' as const,
        width: 'medium' as const,
        card: CardFactory.adaptiveCard(reportCard(randomUUID(), { prefill: { whatHappened, where: 'Teams message' }, inTaskModule: true })),
      },
    },
  };
}

/** The message action: "Report a concern" on any chat or channel message. */
export function reportMessageAction(incidents: IncidentService, limits?: WriteAllowance) {
  const tell = (value: string) => ({ task: { type: 'message' as const, value } });
  return {
    async fetch(_turn: BotTurn, commandId: string, message: unknown) {
      if (commandId !== 'reportMessage') return tell('That action is not known.');
      const parsed = reportedMessage.safeParse(message ?? {});
      return reportMessageTask(parsed.success ? parsed.data : {});
    },
    async submit(turn: BotTurn, commandId: string, raw: Record<string, unknown>) {
      if (commandId !== 'reportMessage') return tell('That action is not known.');
      const form = reportForm.safeParse(raw);
      if (!form.success) return tell(`Please check: ${describeProblem(form.error)}`);
      try {
        const person = personOf(turn);
        await limits?.spend('personWrites', person.id);
        await incidents.report(reportFromForm(form.data, new Date(), 'message-action'), person);
        return tell('Thank you. Your concern has been passed to the safeguarding team.');
      } catch (e) {
        return tell(sentenceFor(e));
      }
    },
  };
}
