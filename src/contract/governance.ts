import { z } from 'zod';
import { instant } from './common';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Governance (policies 001 and 003): the half-termly e-safety report for the governing body
 * (numbers only, never a name), policy reviews, staff training records.
 */

/** A number in the report, with where it comes from so a governor can ask. */
export const figureSource = z.object({ register: z.string(), filter: z.string() });
export const figure = z.object({ value: z.number().nullable(), source: figureSource });
export type Figure = z.infer<typeof figure>;

export const halfTerm = z.object({ id: z.string(), label: z.string(), from: instant, to: instant });
export type HalfTerm = z.infer<typeof halfTerm>;
export const halfTermsResponse = z.object({ halfTerms: z.array(halfTerm) });

/** `?halfTerm=2026-27 autumn 1`; the current half term if not given. */
export const halfTermQuery = z.object({ halfTerm: z.string().max(40).optional() });

export const reviewStatus = z.object({
  policyId: z.string(),
  title: z.string(),
  version: z.number().nullable(),
  publishedAt: instant.nullable(),
  /** YYYY-MM-DD, or null for a policy never published (nothing to review yet). */
  reviewBy: z.string().nullable(),
  /** Where the date came from, so a governor can see why it is what it is. */
  reviewBySource: z.enum(['config', 'last review + 1 year', 'publication + 1 year', 'not published']),
  status: z.enum(['overdue', 'due', 'upcoming', 'not published']),
  lastReview: z.object({ reviewedAt: instant, changed: z.boolean(), governorsApprovedOn: z.string().nullable() }).nullable(),
});
export type ReviewStatus = z.infer<typeof reviewStatus>;
export const reviewsResponse = z.object({ reviews: z.array(reviewStatus) });

/** A policy review as done: by whom, when, changed or not, approved by governors on what date. */
export const reviewRecord = z.object({
  id: z.string(),
  policyId: z.string(),
  reviewedAt: instant,
  changed: z.boolean(),
  governorsApprovedOn: z.string().nullable(),
  notes: z.string(),
  version: z.number().nullable(),
});
export type ReviewRecord = z.infer<typeof reviewRecord>;

const trainingCounts = z.object({ current: z.number(), expiring: z.number(), expired: z.number(), missing: z.number() });

/** GET /api/governance/report */
export const halfTermReportResponse = z.object({
  school: z.string(),
  halfTerm,
  generatedAt: instant,
  asAt: instant,
  incidents: z.object({
    total: figure,
    byCategory: z.array(z.object({ category: z.string(), subCategory: z.string(), incidents: figure })),
    byOutcome: z.array(z.object({ outcome: z.string(), incidents: figure })),
    escalations: z.array(z.object({ to: z.string(), incidents: figure })),
    medianHoursToAcknowledge: figure,
    medianHoursToClose: figure,
    trend: z.array(z.object({ halfTerm: z.string(), incidents: figure })),
  }),
  coverage: z.object({
    policies: z.array(
      z.object({
        policyId: z.string(),
        title: z.string(),
        version: z.number().nullable(),
        audiences: z.array(z.object({ audience: z.string(), accepted: figure, pending: figure, overdue: figure, unreachable: figure })),
      }),
    ),
    source: figureSource,
  }),
  audit: z.object({
    runs: figure,
    open: figure,
    new: figure,
    resolved: figure,
    trend: z.array(z.object({ finishedAt: instant, high: z.number(), medium: z.number(), low: z.number() })),
    source: figureSource,
  }),
  lessons: z.object({ held: figure, recorded: figure, announced: figure, recordedShare: z.number().nullable(), announcedShare: z.number().nullable() }),
  actions: z.array(z.object({ action: z.string(), count: figure })),
  reviews: z.object({ due: z.array(reviewStatus), done: z.array(reviewRecord), source: figureSource }),
  training: z.object({ asAt: instant, counts: z.record(z.string(), trainingCounts), source: figureSource }).nullable(),
});
export type HalfTermReport = z.infer<typeof halfTermReportResponse>;

/** GET /api/governance/report/html: the report as a standalone page to save or print. */
export const halfTermReportHtmlResponse = z.object({ filename: z.string(), html: z.string() });

/** POST /api/governance/reviews/:policyId */
export const recordReviewRequest = z
  .object({
    changed: z.boolean(),
    governorsApprovedOn: z.string().regex(DATE, 'governorsApprovedOn must be a date such as 2026-11-20').nullable().default(null),
    notes: z.string().trim().max(4000).default(''),
    /** The new text when it changed; the policy's file as it is now if not given. */
    text: z.string().trim().min(20, 'the policy text is too short').max(200_000).optional(),
  })
  .strict();
export type RecordReviewRequest = z.input<typeof recordReviewRequest>;

/** GET /api/governance/training (`?format=csv`: the same as a download) */
export const trainingRow = z.object({
  personId: z.string(),
  name: z.string(),
  upn: z.string(),
  audience: z.string(),
  status: z.enum(['current', 'expiring', 'expired', 'missing']),
  course: z.string().nullable(),
  completedOn: z.string().nullable(),
  expiresOn: z.string().nullable(),
  evidenceUrl: z.string().nullable(),
});
export type TrainingRow = z.infer<typeof trainingRow>;
export const trainingResponse = z.object({ people: z.array(trainingRow) });

/** POST /api/governance/training: one completed course. */
export const recordTrainingRequest = z
  .object({
    upn: z.string().trim().email('upn must be the person\u2019s school email address'),
    course: z.string().trim().min(3, 'name the course').max(200),
    completedOn: z.string().regex(DATE, 'completedOn must be a date such as 2026-09-04'),
    /** When a refresher is due; a year after completion (annual refresher) if not given. */
    expiresOn: z.string().regex(DATE, 'expiresOn must be a date such as 2027-09-04').optional(),
    evidenceUrl: z.string().trim().url('evidenceUrl must be a link to the certificate or register').or(z.literal('')).default(''),
  })
  .strict();
export type RecordTrainingRequest = z.input<typeof recordTrainingRequest>;
export const recordTrainingResponse = z.object({ created: z.boolean() });

/** POST /api/governance/training/import: a register exported as CSV. */
export const importTrainingRequest = z.object({ csv: z.string({ message: 'send the CSV as {"csv": "..."}' }) });
export const importTrainingResponse = z.object({
  imported: z.number(),
  duplicates: z.number(),
  errors: z.array(z.object({ line: z.number(), message: z.string() })),
});
export type ImportTrainingResponse = z.infer<typeof importTrainingResponse>;
