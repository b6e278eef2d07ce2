/** The tab API, as the server defines it (src/server/create-server.ts). */
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

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, token?: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.message ?? `The server answered ${res.status}`);
  return body as T;
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
  policyId: string;
  version: number;
  acceptedAt: string;
  channel: string;
  textHash: string;
}

export interface LessonRow {
  id: string;
  title: string;
  className: string;
  startsAt: string;
  endsAt: string;
  joinUrl: string;
  announcedAt: string | null;
  endedAt: string | null;
  recordingCheckedAt: string | null;
  recordingFound: boolean | null;
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

export const api = {
  lessonClasses: (token: string) => call<{ classes: Array<{ id: string; displayName: string }> }>('/api/lessons/classes', token).then((r) => r.classes),
  /** `timeZone`: the school's; every lesson time is shown in it. */
  lessons: (token: string) => call<{ upcoming: LessonRow[]; past: LessonRow[]; timeZone: string }>('/api/lessons', token),
  /** `warning`: something the teacher relies on will not happen (the app is not in the meeting chat). */
  startLesson: (token: string, body: object) => call<{ lesson: LessonRow; created: boolean; postedToClass: boolean; warning?: string }>('/api/lessons', token, { method: 'POST', body: JSON.stringify(body) }),
  myPolicies: (token: string) => call<{ policies: MyPolicy[] }>('/api/my/policies', token).then((r) => r.policies),
  acceptPolicy: (token: string, versionId: string) => call<{ acceptedAt: string; version: number }>(`/api/my/policies/${encodeURIComponent(versionId)}/accept`, token, { method: 'POST', body: '{}' }),
  policies: (token: string) => call<{ policies: PolicySummary[] }>('/api/policies', token).then((r) => r.policies),
  publishPolicy: (token: string, policyId: string) => call<{ versionId: string; version: number; created: boolean; queued: number }>(`/api/policies/${encodeURIComponent(policyId)}/publish`, token, { method: 'POST', body: '{}' }),
  inviteParents: (token: string, policyId: string) => call<{ queued: number }>(`/api/policies/${encodeURIComponent(policyId)}/parents/invite`, token, { method: 'POST', body: '{}' }),
  coverage: (token: string, policyId: string) => call<Coverage>(`/api/policies/${encodeURIComponent(policyId)}/coverage`, token),
  coverageCsv: (token: string, policyId: string) => call<{ csv: string }>(`/api/policies/${encodeURIComponent(policyId)}/coverage?format=csv`, token).then((r) => r.csv),
  acceptancesCsv: (token: string, policyId: string) => call<{ csv: string }>(`/api/policies/${encodeURIComponent(policyId)}/acceptances`, token).then((r) => r.csv),
  personAcceptances: (token: string, personId: string) => call<{ acceptances: AcceptanceRecord[] }>(`/api/people/${encodeURIComponent(personId)}/acceptances`, token).then((r) => r.acceptances),
  me: (token: string) => call<Me>('/api/me', token),
  personas: () => call<{ personas: Persona[] }>('/api/demo/personas').then((r) => r.personas),
  auditLatest: (token: string) => call<AuditLatest>('/api/audit/latest', token),
  auditTrend: (token: string) => call<{ runs: AuditTrendPoint[] }>('/api/audit/runs', token).then((r) => r.runs),
  auditRun: (token: string) => call<{ findings: number; new: number; resolved: number }>('/api/audit/run', token, { method: 'POST', body: '{}' }),
  acceptFinding: (token: string, findingKey: string, reason: string, expiresAt: string) =>
    call('/api/audit/acceptances', token, { method: 'POST', body: JSON.stringify({ findingKey, reason, expiresAt }) }),
  raiseIncident: (token: string, findingKey: string) =>
    call<{ incidentId: string; created: boolean }>('/api/audit/findings/raise-incident', token, { method: 'POST', body: JSON.stringify({ findingKey }) }),
  reportConcern: (token: string, report: object) => call<{ incidentId: string }>('/api/incidents', token, { method: 'POST', body: JSON.stringify(report) }),
  confide: (token: string, body: object) => call<{ received: boolean }>('/api/confide', token, { method: 'POST', body: JSON.stringify(body) }),
  incidents: (token: string, filter: IncidentFilter = {}) => {
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
    return call<{ incidents: IncidentRow[] }>(`/api/incidents${q.toString() ? `?${q}` : ''}`, token).then((r) => r.incidents);
  },
  personChronology: (token: string, who: { id?: string; name: string }) =>
    call<PersonChronology>(`/api/incidents/people/chronology?${new URLSearchParams(who.id ? { id: who.id } : { name: who.name })}`, token),
  incident: (token: string, id: string) => call<IncidentDetail>(`/api/incidents/${encodeURIComponent(id)}`, token),
  governorsReport: (token: string) => call<{ rows: GovernorsRow[] }>('/api/incidents/governors-report', token).then((r) => r.rows),
  governorsReportCsv: (token: string) => call<{ csv: string }>('/api/incidents/governors-report?format=csv', token).then((r) => r.csv),
  halfTerms: (token: string) => call<{ halfTerms: HalfTerm[] }>('/api/governance/half-terms', token).then((r) => r.halfTerms),
  halfTermReport: (token: string, halfTerm: string) => call<HalfTermReport>(`/api/governance/report?${new URLSearchParams({ halfTerm })}`, token),
  halfTermReportHtml: (token: string, halfTerm: string) => call<{ filename: string; html: string }>(`/api/governance/report/html?${new URLSearchParams({ halfTerm })}`, token),
  reviews: (token: string) => call<{ reviews: ReviewStatus[] }>('/api/governance/reviews', token).then((r) => r.reviews),
  recordReview: (token: string, policyId: string, body: { changed: boolean; governorsApprovedOn: string | null; notes: string }) =>
    call<{ version: number | null }>(`/api/governance/reviews/${encodeURIComponent(policyId)}`, token, { method: 'POST', body: JSON.stringify(body) }),
  training: (token: string) => call<{ people: TrainingRow[] }>('/api/governance/training', token).then((r) => r.people),
  trainingCsv: (token: string) => call<{ csv: string }>('/api/governance/training?format=csv', token).then((r) => r.csv),
  importTraining: (token: string, csv: string) => call<{ imported: number; duplicates: number; errors: Array<{ line: number; message: string }> }>('/api/governance/training/import', token, { method: 'POST', body: JSON.stringify({ csv }) }),
  recordTraining: (token: string, body: object) => call<{ created: boolean }>('/api/governance/training', token, { method: 'POST', body: JSON.stringify(body) }),
  demoSignIn: (personaId: string) =>
    call<{ token: string }>('/api/demo/sign-in', undefined, { method: 'POST', body: JSON.stringify({ personaId }) }).then((r) => r.token),
};
