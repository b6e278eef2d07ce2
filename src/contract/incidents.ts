import { z } from 'zod';
import { instant } from './common';

/**
 * Incidents (policy 002 "Handling Incidents"): staff and governors report a concern, students
 * confide, the safeguarding team reads the queue. The four Cs with the sub-categories the school
 * policies list; the domain's report schema (src/incidents/incident-report.ts) uses the same words.
 */
export const CATEGORIES = {
  content: ['inappropriate-content', 'radicalisation', 'filtering-failure'],
  contact: ['grooming', 'sexting-sgii'],
  conduct: ['cyberbullying', 'misuse-of-equipment', 'staff-misuse', 'data-breach', 'not-sure'],
  commerce: ['scam-or-fraud', 'gambling'],
} as const;
export type Category = keyof typeof CATEGORIES;
export type SubCategory = (typeof CATEGORIES)[Category][number];
export const category = z.enum(Object.keys(CATEGORIES) as [Category, ...Category[]]);
export const subCategory = z.enum(Object.values(CATEGORIES).flat() as [SubCategory, ...SubCategory[]]);

export const involvedRole = z.enum(['student', 'staff', 'headteacher', 'governor', 'parent', 'external']);
export const involvedPerson = z.object({
  /** Entra object id for someone in the school; absent for someone outside it. */
  id: z.string().min(1).max(100).optional(),
  name: z.string().trim().min(1).max(200),
  role: involvedRole,
});
export type InvolvedPerson = z.infer<typeof involvedPerson>;

/** POST /api/incidents: a concern as the tab sends it (the server adds the channel). */
export const reportConcernRequest = z
  .object({
    /** The reporter's client key: the same key twice (double click, retry) is one incident. */
    submissionId: z.string().uuid('submissionId must be a UUID'),
    category,
    subCategory,
    involved: z.array(involvedPerson).max(20).default([]),
    whatHappened: z.string().trim().min(10, 'say what happened (at least 10 characters)').max(8000),
    when: z.string().datetime({ offset: true, message: 'when must be an ISO date-time' }),
    where: z.string().trim().max(500).default(''),
    actionsTaken: z.string().trim().max(4000).default(''),
    /** Illegal material or someone at immediate risk: police first, suspect not alerted. */
    illegalOrImmediateRisk: z.boolean().default(false),
    attachments: z
      .array(z.object({ name: z.string().max(300), url: z.string().url() }))
      .max(10)
      .default([]),
  })
  .strict()
  .refine((r) => (CATEGORIES[r.category] as readonly string[]).includes(r.subCategory), {
    message: 'that sub-category belongs to another category',
    path: ['subCategory'],
  });
export type ReportConcernRequest = z.input<typeof reportConcernRequest>;
/** `created: false`: the same submission was already received; nothing new was reported. */
export const reportConcernResponse = z.object({ incidentId: z.string(), created: z.boolean() });
export type ReportConcernResponse = z.infer<typeof reportConcernResponse>;

/** POST /api/confide: a student's message, short and child-friendly; the DSL decides the category. */
export const confideRequest = z
  .object({
    submissionId: z.string().uuid('submissionId must be a UUID'),
    message: z.string().trim().min(5, 'tell us a little more (at least 5 characters)').max(4000),
    unsafeNow: z.boolean().default(false),
  })
  .strict();
export type ConfideRequest = z.input<typeof confideRequest>;
/** The student learns it arrived, nothing about who reads it. */
export const confideResponse = z.object({ received: z.literal(true) });
export type ConfideResponse = z.infer<typeof confideResponse>;

/** GET /api/incidents: the safeguarding queue, filtered. */
export const incidentQuery = z.object({
  status: z.string().max(40).optional(),
  category: z.string().max(40).optional(),
  /** An empty field in the tab's filter means no filter. */
  olderThanHours: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number({ message: 'olderThanHours must be a positive number' }).positive('olderThanHours must be a positive number').optional(),
  ),
  /** A person's name or id: incidents that involve them. */
  person: z.string().max(200).optional(),
});
export type IncidentFilter = z.input<typeof incidentQuery>;
export const incidentRow = z.object({
  id: z.string(),
  reportedAt: instant,
  category: z.string(),
  subCategory: z.string(),
  urgent: z.boolean(),
  status: z.string(),
});
export type IncidentRow = z.infer<typeof incidentRow>;
export const incidentListResponse = z.object({ incidents: z.array(incidentRow) });
export type IncidentListResponse = z.infer<typeof incidentListResponse>;

/** GET /api/incidents/:id: one incident, for the people it is routed to (the read is logged). */
export const incidentDetail = z.object({
  id: z.string(),
  category: z.string(),
  subCategory: z.string(),
  whatHappened: z.string(),
  when: z.string(),
  where: z.string(),
  involved: z.array(z.string()),
  people: z.array(involvedPerson),
  urgent: z.boolean(),
  guidance: z.array(z.string()),
  status: z.enum(['new', 'acknowledged', 'closed']),
  /** `label` is what people read ("Flagged: still open at the end of the school day"); `kind` is for code. */
  history: z.array(z.object({ kind: z.string(), label: z.string(), at: instant, text: z.string() })),
});
export type IncidentDetail = z.infer<typeof incidentDetail>;

/** The actions on an incident, the same on its card and in the tab (policy 002). */
export const INCIDENT_ACTIONS = ['acknowledge', 'note', 'assign', 'escalate', 'inform-parents', 'close'] as const;
export const ESCALATE_TO = ['LADO', 'police', 'CEOP', "children's social care"] as const;

/** POST /api/incidents/:id/actions: the DSL, a deputy or a routed recipient acts from the tab; answers the incident as it now stands. */
export const incidentActionRequest = z
  .object({
    action: z.enum(INCIDENT_ACTIONS, { message: `action must be one of ${INCIDENT_ACTIONS.join(', ')}` }),
    text: z.string().max(4000).optional(),
    assignee: z.string().max(200).optional(),
    escalateTo: z.string().max(100).optional(),
  })
  .strict();
export type IncidentActionRequest = z.input<typeof incidentActionRequest>;

/** GET /api/incidents/people/chronology?id=|name=: everything logged about one person, oldest first. */
export const chronologyQuery = z
  .object({ id: z.string().min(1).max(100).optional(), name: z.string().trim().min(1).max(200).optional() })
  .refine((q) => q.id !== undefined || q.name !== undefined, { message: 'give the person’s id or name' });
export const chronologyResponse = z.object({
  person: z.object({ id: z.string().optional(), name: z.string() }),
  incidents: z.number(),
  entries: z.array(
    z.object({
      incidentId: z.string(),
      at: instant,
      kind: z.string(),
      label: z.string(),
      text: z.string(),
      category: z.string(),
      subCategory: z.string(),
      asReporter: z.boolean(),
    }),
  ),
});
export type PersonChronology = z.infer<typeof chronologyResponse>;

/** GET /api/incidents/governors-report: numbers per term and category, no names. */
export const governorsRow = z.object({
  term: z.string(),
  category: z.string(),
  subCategory: z.string(),
  incidents: z.number(),
  medianHoursToAcknowledge: z.number().nullable(),
  medianHoursToClose: z.number().nullable(),
});
export type GovernorsRow = z.infer<typeof governorsRow>;
export const governorsReportResponse = z.object({ rows: z.array(governorsRow) });
