import type {
  AcceptanceRecord,
  AcceptPolicyResponse,
  AuditLatest,
  AuditControlsResponse,
  AuditProgressResponse,
  AuditRunResponse,
  AuditTrendPoint,
  ConfideRequest,
  Coverage,
  GovernorsRow,
  HalfTerm,
  HalfTermReport,
  ImportTrainingResponse,
  IncidentActionRequest,
  IncidentDetail,
  IncidentFilter,
  IncidentRow,
  InviteParentsResponse,
  LessonClass,
  Lesson,
  Me,
  MyPolicy,
  Persona,
  PersonChronology,
  PolicySummary,
  PublishResponse,
  RaiseIncidentResponse,
  RecordReviewRequest,
  RecordTrainingRequest,
  ReportConcernRequest,
  ReviewStatus,
  StartLessonRequest,
  TrainingRow,
} from './api-types';

export type * from './api-types';

/** The server refused or failed: `status` is the HTTP status, `message` the server's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, token: string | undefined, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.message ?? `The server answered ${res.status}`);
  return body as T;
}

const enc = encodeURIComponent;
const post = (body: unknown = {}): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

/** Calls nobody needs to be signed in for (outside Teams: the demo's personas). */
export const publicApi = {
  personas: (signal?: AbortSignal) => call<{ personas: Persona[] }>('/api/demo/personas', undefined, { signal }).then((r) => r.personas),
  demoSignIn: (personaId: string) => call<{ token: string }>('/api/demo/sign-in', undefined, post({ personaId })).then((r) => r.token),
  me: (token: string, signal?: AbortSignal) => call<Me>('/api/me', token, { signal }),
};

/**
 * The tab API for one signed-in person. Reads take the `AbortSignal` TanStack Query hands them, so
 * a page that unmounts (or a filter that changes) cancels the request it no longer needs.
 */
export function createApi(token: string) {
  const get = <T>(path: string, signal?: AbortSignal) => call<T>(path, token, { signal });
  const send = <T>(path: string, body?: unknown) => call<T>(path, token, post(body));
  return {
    lessonClasses: (signal?: AbortSignal) => get<{ classes: LessonClass[] }>('/api/lessons/classes', signal).then((r) => r.classes),
    /** `timeZone`: the school's; every lesson time is shown in it. */
    lessons: (signal?: AbortSignal) => get<{ upcoming: Lesson[]; past: Lesson[]; timeZone: string }>('/api/lessons', signal),
    /** `warning`: something the teacher relies on will not happen (the app is not in the meeting chat). */
    startLesson: (body: StartLessonRequest) => send<{ lesson: Lesson; created: boolean; postedToClass: boolean; warning?: string }>('/api/lessons', body),
    myPolicies: (signal?: AbortSignal) => get<{ policies: MyPolicy[] }>('/api/my/policies', signal).then((r) => r.policies),
    acceptPolicy: (versionId: string) => send<AcceptPolicyResponse>(`/api/my/policies/${enc(versionId)}/accept`),
    policies: (signal?: AbortSignal) => get<{ policies: PolicySummary[] }>('/api/policies', signal).then((r) => r.policies),
    publishPolicy: (policyId: string) => send<PublishResponse>(`/api/policies/${enc(policyId)}/publish`),
    inviteParents: (policyId: string) => send<InviteParentsResponse>(`/api/policies/${enc(policyId)}/parents/invite`),
    coverage: (policyId: string, signal?: AbortSignal) => get<Coverage>(`/api/policies/${enc(policyId)}/coverage`, signal),
    coverageCsv: (policyId: string) => get<{ csv: string }>(`/api/policies/${enc(policyId)}/coverage?format=csv`).then((r) => r.csv),
    acceptancesCsv: (policyId: string) => get<{ csv: string }>(`/api/policies/${enc(policyId)}/acceptances`).then((r) => r.csv),
    personAcceptances: (personId: string, signal?: AbortSignal) =>
      get<{ acceptances: AcceptanceRecord[] }>(`/api/people/${enc(personId)}/acceptances`, signal).then((r) => r.acceptances),
    auditLatest: (signal?: AbortSignal) => get<AuditLatest>('/api/audit/latest', signal),
    auditControls: (signal?: AbortSignal) => get<AuditControlsResponse>('/api/audit/controls', signal),
    auditProgress: (signal?: AbortSignal) => get<AuditProgressResponse>('/api/audit/progress', signal).then((r) => r.progress),
    auditTrend: (signal?: AbortSignal) => get<{ runs: AuditTrendPoint[] }>('/api/audit/runs', signal).then((r) => r.runs),
    auditRun: () => send<AuditRunResponse>('/api/audit/run'),
    acceptFinding: (findingKey: string, reason: string, expiresAt: string) => send('/api/audit/acceptances', { findingKey, reason, expiresAt }),
    raiseIncident: (findingKey: string) => send<RaiseIncidentResponse>('/api/audit/findings/raise-incident', { findingKey }),
    reportConcern: (report: ReportConcernRequest) => send<{ incidentId: string }>('/api/incidents', report),
    confide: (body: ConfideRequest) => send<{ received: boolean }>('/api/confide', body),
    incidents: (filter: IncidentFilter = {}, signal?: AbortSignal) => {
      const q = new URLSearchParams(
        Object.entries(filter)
          .filter(([, v]) => v !== undefined && v !== '')
          .map(([k, v]) => [k, String(v)]),
      );
      return get<{ incidents: IncidentRow[] }>(`/api/incidents${q.toString() ? `?${q}` : ''}`, signal).then((r) => r.incidents);
    },
    personChronology: (who: { id?: string; name: string }, signal?: AbortSignal) =>
      get<PersonChronology>(`/api/incidents/people/chronology?${new URLSearchParams(who.id ? { id: who.id } : { name: who.name })}`, signal),
    incident: (id: string, signal?: AbortSignal) => get<IncidentDetail>(`/api/incidents/${enc(id)}`, signal),
    actOnIncident: (id: string, action: IncidentActionRequest) => send<IncidentDetail>(`/api/incidents/${enc(id)}/actions`, action),
    governorsReport: (signal?: AbortSignal) => get<{ rows: GovernorsRow[] }>('/api/incidents/governors-report', signal).then((r) => r.rows),
    governorsReportCsv: () => get<{ csv: string }>('/api/incidents/governors-report?format=csv').then((r) => r.csv),
    halfTerms: (signal?: AbortSignal) => get<{ halfTerms: HalfTerm[] }>('/api/governance/half-terms', signal).then((r) => r.halfTerms),
    halfTermReport: (halfTerm: string, signal?: AbortSignal) => get<HalfTermReport>(`/api/governance/report?${new URLSearchParams({ halfTerm })}`, signal),
    halfTermReportHtml: (halfTerm: string) => get<{ filename: string; html: string }>(`/api/governance/report/html?${new URLSearchParams({ halfTerm })}`),
    reviews: (signal?: AbortSignal) => get<{ reviews: ReviewStatus[] }>('/api/governance/reviews', signal).then((r) => r.reviews),
    recordReview: (policyId: string, body: RecordReviewRequest) => send<{ version: number | null }>(`/api/governance/reviews/${enc(policyId)}`, body),
    training: (signal?: AbortSignal) => get<{ people: TrainingRow[] }>('/api/governance/training', signal).then((r) => r.people),
    trainingCsv: () => get<{ csv: string }>('/api/governance/training?format=csv').then((r) => r.csv),
    importTraining: (csv: string) => send<ImportTrainingResponse>('/api/governance/training/import', { csv }),
    recordTraining: (body: RecordTrainingRequest) => send<{ created: boolean }>('/api/governance/training', body),
  };
}

export type Api = ReturnType<typeof createApi>;
