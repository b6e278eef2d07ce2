import { HEADTEACHER_PLACEHOLDER } from '../involved-people';
import { z } from 'zod';
import { cardActions } from '../../cards/card-actions';
import type { IncidentAction } from '../incident-service';

// Adaptive Card inputs arrive as strings (Input.Toggle as "true"/"false"); a missing input is
// absent, never null. Anything else did not come from our card.
const text = (max: number) => z.string().max(max).optional();

/** The report form (report-card.ts): by Action.Execute in chat, by Action.Submit in the message action's dialog. */
export const reportForm = z.object({
  submissionId: text(100),
  kind: text(100),
  about: text(40),
  involved: text(2000),
  whatHappened: text(10_000),
  where: text(500),
  illegal: z.union([z.literal('true'), z.literal('false'), z.boolean().transform(String)]).optional(),
});
export type ReportForm = z.output<typeof reportForm>;

/** What the incident card's buttons bring back (incident-card.ts): the incident and the inputs beside them. */
const incidentActionData = z.object({
  incidentId: z.string().min(1).max(100),
  text: text(4000),
  assignee: text(320),
  escalateTo: text(100),
});
export type IncidentActionData = z.output<typeof incidentActionData>;

/** Every verb the incident cards carry, with its data. */
export const incidentCardActions = cardActions('incident', {
  'incident.submit': reportForm,
  'incident.acknowledge': incidentActionData,
  'incident.note': incidentActionData,
  'incident.assign': incidentActionData,
  'incident.escalate': incidentActionData,
  'incident.inform-parents': incidentActionData,
  'incident.close': incidentActionData,
});
export type IncidentCardVerb = (typeof incidentCardActions.verbs)[number];

/** The DSL's action a card verb names (`incident.inform-parents` is `inform-parents`). */
export function incidentActionOf(verb: Exclude<IncidentCardVerb, 'incident.submit'>): IncidentAction {
  return verb.slice('incident.'.length) as IncidentAction;
}

/** The card form's fields as the report the domain validates. */
export function reportFromForm(data: ReportForm, now: Date, channel: 'bot-command' | 'message-action' = 'bot-command') {
  const [category, subCategory] = (data.kind ?? '').split('/');
  const names = (data.involved ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  return {
    submissionId: data.submissionId,
    category,
    subCategory,
    whatHappened: data.whatHappened ?? '',
    involved: involvedFromForm(names, data.about),
    when: now.toISOString(),
    where: data.where ?? '',
    illegalOrImmediateRisk: data.illegal === 'true',
    channel,
  };
}

/** The card's own data, stripped of inputs left empty, as `IncidentService.act` takes it. */
export function actionDetails(data: IncidentActionData): { text?: string; assignee?: string; escalateTo?: string } {
  return {
    ...(data.text !== undefined ? { text: data.text } : {}),
    ...(data.assignee !== undefined ? { assignee: data.assignee } : {}),
    ...(data.escalateTo !== undefined ? { escalateTo: data.escalateTo } : {}),
  };
}

/**
 * The people a form names. "About the headteacher" adds the head, and names no one else as the head:
 * the intake recognises each name in the directory (involved-people.ts).
 */
export function involvedFromForm(names: string[], about: string | undefined): Array<{ name: string; role: 'student' | 'staff' | 'headteacher' }> {
  const named = names.map((name) => ({ name, role: about === 'staff' ? ('staff' as const) : ('student' as const) }));
  if (about === 'headteacher') return [...named, { name: HEADTEACHER_PLACEHOLDER, role: 'headteacher' }];
  if (about === 'staff' && !named.length) return [{ name: 'a member of staff', role: 'staff' }];
  return named;
}
