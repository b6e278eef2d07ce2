import { z } from 'zod';

/** A student's Confide message: short and child-friendly; the DSL decides the category. */
export const confideSchema = z
  .object({
    submissionId: z.string().uuid('submissionId must be a UUID'),
    message: z.string().trim().min(5, 'tell us a little more (at least 5 characters)').max(4000),
    unsafeNow: z.boolean().default(false),
  })
  .strict();

/**
 * An e-safety concern as reported (policy 002 "Handling Incidents": the DSL is the first point of
 * contact, reported the same day). The four Cs with the sub-categories the school policies list.
 */
export const CATEGORIES = {
  content: ['inappropriate-content', 'radicalisation', 'filtering-failure'],
  contact: ['grooming', 'sexting-sgii'],
  conduct: ['cyberbullying', 'misuse-of-equipment', 'staff-misuse', 'data-breach', 'not-sure'],
  commerce: ['scam-or-fraud', 'gambling'],
} as const;
export type Category = keyof typeof CATEGORIES;
export type SubCategory = (typeof CATEGORIES)[Category][number];

const subCategories = Object.values(CATEGORIES).flat() as [SubCategory, ...SubCategory[]];

export const involvedPerson = z.object({
  /** Entra object id for someone in the school; absent for someone outside it. */
  id: z.string().min(1).max(100).optional(),
  name: z.string().trim().min(1).max(200),
  role: z.enum(['student', 'staff', 'headteacher', 'governor', 'parent', 'external']),
});

export const incidentReportSchema = z
  .object({
    /** The reporter's client key: the same key twice (double click, retry) is one incident. */
    submissionId: z.string().uuid('submissionId must be a UUID'),
    category: z.enum(Object.keys(CATEGORIES) as [Category, ...Category[]]),
    subCategory: z.enum(subCategories),
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
    channel: z.enum(['bot-command', 'message-action', 'tab', 'confide', 'audit-finding']),
  })
  .strict()
  .refine((r) => (CATEGORIES[r.category] as readonly string[]).includes(r.subCategory), {
    message: 'that sub-category belongs to another category',
    path: ['subCategory'],
  });

export type IncidentReport = z.infer<typeof incidentReportSchema>;
