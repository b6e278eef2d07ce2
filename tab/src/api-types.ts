/**
 * The tab API's shapes, as the server answers them (src/server/*-routes.ts). Kept by hand until the
 * shared contract (src/contract) lands; then these become re-exports of its types.
 */
export interface Me {
  school: string;
  person: { id: string; displayName: string; kind: string; roles: string[] };
  navigation: Array<{ id: string; label: string }>;
}

export interface Persona {
  id: string;
  displayName: string;
  userPrincipalName: string;
  description: string;
}


export interface AuditFinding {
  key: string;
  rule: string;
  severity: 'high' | 'medium' | 'low';
  subject: { type: string; id: string; name: string };
  detail: string;
  policyRef: { file: string; heading: string; quote: string };
  fix: string;
  accepted?: { reason: string; expiresAt: string; acceptedBy: string };
}

export interface AuditLatest {
  run: { id: string; finishedAt: string; stats: { requests: number; throttled: number }; coverage: Array<{ check: string; status: string; reason?: string }> } | null;
  findings: AuditFinding[];
  changes: { new: string[]; resolved: number } | null;
}

export interface AuditTrendPoint {
  id: string;
  finishedAt: string;
  high: number;
  medium: number;
  low: number;
}

export interface IncidentRow {
  id: string;
  reportedAt: string;
  category: string;
  subCategory: string;
  urgent: boolean;
  status: string;
}

export interface IncidentDetail {
  id: string;
  category: string;
  subCategory: string;
  whatHappened: string;
  when: string;
  where: string;
  involved: string[];
  people: Array<{ id?: string; name: string; role: string }>;
  urgent: boolean;
  guidance: string[];
  status: string;
  history: Array<{ kind: string; at: string; text: string }>;
}

export interface IncidentFilter {
  status?: string;
  category?: string;
  olderThanHours?: number;
  person?: string;
}

export interface PersonChronology {
  person: { id?: string; name: string };
  incidents: number;
  entries: Array<{ incidentId: string; at: string; kind: string; text: string; category: string; subCategory: string }>;
}

export interface GovernorsRow {
  term: string;
  category: string;
  subCategory: string;
  incidents: number;
  medianHoursToAcknowledge: number | null;
  medianHoursToClose: number | null;
}

export interface MyPolicy {
  policyId: string;
  title: string;
  version: number;
  versionId: string;
  status: 'accepted' | 'pending';
  acceptedAt: string | null;
  text: string;
  clauses: string[];
}

export interface PolicySummary {
  policyId: string;
  title: string;
  audience: string[];
  latestVersion: number | null;
  draftChanged: boolean;
}

export type AcceptanceStatus = 'accepted' | 'pending' | 'overdue' | 'unreachable';

export interface Coverage {
  policyId: string;
  title: string;
  version: number | null;
  publishedAt: string | null;
  deadline: string | null;
  counts: Record<string, Record<AcceptanceStatus, number>>;
  overTime: Array<{ day: string; accepted: number }>;
  people: Array<{ personId: string; name: string; upn: string; audience: string; status: AcceptanceStatus; acceptedVersion: number | null; acceptedAt: string | null }>;
  /** For student policies once parents were asked: children with a parent's counter-signature. */
  parents?: { invited: number; signed: number };
}

export interface AcceptanceRecord {
  policy_id: string;
  version: number;
  accepted_at: string;
  channel: string;
  text_hash: string;
}

export interface LessonRow {
  id: string;
  title: string;
  class_name: string;
  starts_at: string;
  ends_at: string;
  join_url: string;
  announced_at: string | null;
  ended_at: string | null;
  recording_checked_at: string | null;
  recording_found: number | null;
}

/** The half-termly e-safety report (src/governance/half-term-report.ts). */
export interface Figure {
  value: number | null;
  source: { register: string; filter: string };
}
export interface HalfTerm {
  id: string;
  label: string;
  from: string;
  to: string;
}
export interface ReviewStatus {
  policyId: string;
  title: string;
  version: number | null;
  reviewBy: string | null;
  reviewBySource: string;
  status: 'overdue' | 'due' | 'upcoming' | 'not published';
  lastReview: { reviewedAt: string; changed: boolean; governorsApprovedOn: string | null } | null;
}
export interface HalfTermReport {
  school: string;
  halfTerm: HalfTerm;
  generatedAt: string;
  asAt: string;
  incidents: {
    total: Figure;
    byCategory: Array<{ category: string; subCategory: string; incidents: Figure }>;
    byOutcome: Array<{ outcome: string; incidents: Figure }>;
    escalations: Array<{ to: string; incidents: Figure }>;
    medianHoursToAcknowledge: Figure;
    medianHoursToClose: Figure;
    trend: Array<{ halfTerm: string; incidents: Figure }>;
  };
  coverage: { policies: Array<{ policyId: string; title: string; version: number | null; audiences: Array<{ audience: string; accepted: Figure; pending: Figure; overdue: Figure; unreachable: Figure }> }> };
  audit: { runs: Figure; open: Figure; new: Figure; resolved: Figure; trend: Array<{ finishedAt: string; high: number; medium: number; low: number }> };
  lessons: { held: Figure; recorded: Figure; announced: Figure; recordedShare: number | null; announcedShare: number | null };
  actions: Array<{ action: string; count: Figure }>;
  reviews: { due: ReviewStatus[]; done: Array<{ policyId: string; reviewedAt: string; changed: boolean; governorsApprovedOn: string | null }> };
  training: { counts: Record<string, { current: number; expiring: number; expired: number; missing: number }> } | null;
}
export interface TrainingRow {
  personId: string;
  name: string;
  upn: string;
  audience: string;
  status: 'current' | 'expiring' | 'expired' | 'missing';
  course: string | null;
  completedOn: string | null;
  expiresOn: string | null;
  evidenceUrl: string | null;
}

