import { z } from 'zod';
import { instant } from './common';

/** The areas of the tenant the audit reads, one coverage entry each (src/audit/controls/areas.ts). */
export const AUDIT_AREAS = [
  'directory',
  'groups.membership',
  'mail.inbox-rules',
  'mail.mailbox-forwarding',
  'mail.tenant-auto-forward',
  'sharing.tenant-settings',
  'sharing.items',
  'tenant.guest-settings',
  'tenant.cross-tenant-access',
  'meetings.calendars',
  'teams.policies',
] as const;

export type AuditArea = (typeof AUDIT_AREAS)[number];

export const isAuditArea = (s: string): s is AuditArea => (AUDIT_AREAS as readonly string[]).includes(s);

/** The IT admin's tenant audit: latest findings, trend over runs, run now, accept or raise a finding. */

export const severity = z.enum(['high', 'medium', 'low']);
export type Severity = z.infer<typeof severity>;

/** The clause of the school's policy the finding breaks. */
/** The school's own clause a finding breaks: its document, where in it, its words, and how a person says it. */
export const policyReference = z.object({ document: z.string(), section: z.string(), quote: z.string(), citation: z.string() });

export const auditFinding = z.object({
  /** Stable across runs: what acceptances and "raise as incident" refer to. */
  key: z.string(),
  rule: z.string(),
  /** The catalogue control it fails (`ESAFETY.MAIL.1v1`) and its title. */
  control: z.string(),
  title: z.string(),
  severity,
  subject: z.object({ type: z.string(), id: z.string(), name: z.string() }),
  detail: z.string(),
  policyRef: policyReference,
  fix: z.string(),
  /** The exact change for this subject, where there is one. */
  action: z.string().optional(),
  /** The school accepted the risk until `expiresAt`. */
  accepted: z.object({ reason: z.string(), expiresAt: instant, acceptedBy: z.string() }).optional(),
});
export type AuditFinding = z.infer<typeof auditFinding>;

/** What each part of the tenant the run could read. */
export const auditCoverage = z.object({ check: z.string(), status: z.enum(['checked', 'partial', 'not-checked']), reason: z.string().optional() });

/** GET /api/audit/latest: `run: null` before the first audit. */
export const auditLatestResponse = z.object({
  run: z
    .object({
      id: z.string(),
      finishedAt: instant,
      stats: z.object({ requests: z.number(), throttled: z.number(), batches: z.number().optional(), resourceUnits: z.number().optional() }),
      coverage: z.array(auditCoverage),
    })
    .nullable(),
  findings: z.array(auditFinding),
  /** Against the run before: keys of new findings, and how many were resolved. */
  changes: z.object({ new: z.array(z.string()), resolved: z.number() }).nullable(),
});
export type AuditLatest = z.infer<typeof auditLatestResponse>;

/** GET /api/audit/runs: findings per severity over the last runs, oldest first. */
export const auditTrendPoint = z.object({ id: z.string(), finishedAt: instant, high: z.number(), medium: z.number(), low: z.number() });
export type AuditTrendPoint = z.infer<typeof auditTrendPoint>;
export const auditRunsResponse = z.object({ runs: z.array(auditTrendPoint) });

/** POST /api/audit/run: one manual run at a time (409 while one is running). */
export const auditRunResponse = z.object({ runId: z.string(), findings: z.number(), new: z.number(), resolved: z.number() });
export type AuditRunResponse = z.infer<typeof auditRunResponse>;

const findingKey = z.string().min(3, 'findingKey is the key of a finding of the latest run').max(2000);

/** POST /api/audit/findings/raise-incident: a finding with a safeguarding angle goes to the DSL. */
export const raiseIncidentRequest = z.object({ findingKey, note: z.string().trim().max(2000).default('') }).strict();
export type RaiseIncidentRequest = z.input<typeof raiseIncidentRequest>;
/** Raising the same finding of the same run twice is one incident (`created: false`). */
export const raiseIncidentResponse = z.object({ incidentId: z.string(), created: z.boolean() });
export type RaiseIncidentResponse = z.infer<typeof raiseIncidentResponse>;

/** POST /api/audit/acceptances: the school accepts a finding's risk for a while (a year at most). */
export const acceptFindingRequest = z
  .object({
    findingKey,
    reason: z.string().trim().min(5, 'say why the finding is accepted (at least 5 characters)').max(1000),
    expiresAt: z.string().datetime({ offset: true, message: 'expiresAt must be an ISO date-time' }),
  })
  .strict();
export type AcceptFindingRequest = z.input<typeof acceptFindingRequest>;
export const findingAcceptance = z.object({
  id: z.string(),
  findingKey: z.string(),
  reason: z.string(),
  acceptedBy: z.string(),
  acceptedAt: instant,
  expiresAt: instant,
});
export const acceptFindingResponse = z.object({ acceptance: findingAcceptance });
export type AcceptFindingResponse = z.infer<typeof acceptFindingResponse>;

/** GET /api/admin/permissions: which parts of the app the granted Graph permissions allow. */
export const permissionsResponse = z.object({
  granted: z.array(z.string()).nullable(),
  capabilities: z
    .array(z.object({ feature: z.string(), what: z.string(), available: z.boolean(), missing: z.array(z.string()), note: z.string().optional() }))
    .nullable(),
  mail: z
    .object({
      status: z.enum(['not-yet-sent', 'sent', 'refused']),
      mailbox: z.string(),
      at: z.string().optional(),
      detail: z.string().optional(),
      grantedIn: z.literal('exchange'),
      note: z.string(),
    })
    .nullable(),
});
export type PermissionsResponse = z.infer<typeof permissionsResponse>;

/** GET /api/audit/progress: the run under way on this instance (null when none), each area's done/total and the time left. */
export const auditProgressView = z.object({
  startedAt: instant,
  areas: z.array(z.object({ area: z.string(), done: z.number(), total: z.number(), state: z.enum(['waiting', 'reading', 'done']) })),
  /** At least this long still to go, at the pace the binding limit allows; null before the audit knows. */
  timeLeftMs: z.number().nullable(),
  limitedBy: z.string().nullable(),
});
export const auditProgressResponse = z.object({ progress: auditProgressView.nullable() });
export type AuditProgressResponse = z.infer<typeof auditProgressResponse>;

/** GET /api/audit/controls: the catalogue of controls (the tab's filters come from it) and each one's result in the latest run. */
export const auditControl = z.object({
  id: z.string(),
  rule: z.string(),
  title: z.string(),
  severity,
  area: z.string(),
  clause: policyReference.extend({ key: z.string() }),
  rationale: z.string(),
  remediation: z.object({ adminCentre: z.string(), steps: z.array(z.string()).readonly() }),
});
export const controlResult = z.object({
  control: z.string(),
  rule: z.string(),
  status: z.enum(['pass', 'fail', 'not-checked']),
  findings: z.number(),
  reason: z.string().optional(),
});
export const auditControlsResponse = z.object({
  areas: z.array(z.string()).readonly(),
  controls: z.array(auditControl),
  latest: z.object({ runId: z.string(), finishedAt: instant, results: z.array(controlResult).nullable() }).nullable(),
});
export type AuditControl = z.infer<typeof auditControl>;
export type AuditControlsResponse = z.infer<typeof auditControlsResponse>;
