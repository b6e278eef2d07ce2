import { randomUUID } from 'node:crypto';
import type { ZodType } from 'zod';
import * as contract from '../src/contract';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { CATEGORIES as DOMAIN_CATEGORIES } from '../src/incidents/incident-report';
import { ESCALATE_TO as DOMAIN_ESCALATE_TO, INCIDENT_ACTIONS as DOMAIN_INCIDENT_ACTIONS } from '../src/incidents/incident-actions';
import { signInAs, startAppUnderTest, type AppUnderTest } from './support/running-app';

/**
 * The tab API contract holds on the demo: every route's answer parses with its response schema and
 * carries nothing the schema does not name (no row's column names, no ids the tab never needs).
 */
describe('the tab API contract, on the demo school', () => {
  let t: AppUnderTest;
  let k: ReturnType<typeof keyPeople>;
  beforeAll(async () => {
    t = await startAppUnderTest();
    k = keyPeople(t.school);
  });
  afterAll(() => t.close());

  /** Signed in once per persona, as the tab is (signing in for every call would meet the rate limit). */
  const tokens = new Map<string, string>();
  async function callAs(_app: unknown, personaId: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
    if (!tokens.has(personaId)) tokens.set(personaId, await signInAs(t.app, personaId));
    const res = await fetch(`${t.app.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${tokens.get(personaId)}`, 'content-type': 'application/json' },
    });
    return { status: res.status, body: await res.json() };
  }

  /** 200, parses, and parsing drops nothing: the answer is exactly what the contract says. */
  async function answers<S extends ZodType>(schema: S, personaId: string, path: string, body?: unknown): Promise<ReturnType<S['parse']>> {
    const res = await callAs(t.app, personaId, path, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    expect([path, res.status]).toEqual([path, 200]);
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw new Error(`${path}: ${JSON.stringify(parsed.error.issues.slice(0, 3))}`);
    expect([path, parsed.data]).toEqual([path, res.body]);
    return parsed.data as ReturnType<S['parse']>;
  }

  it('who am I, the demo personas and the IT admin’s activity log and permissions', async () => {
    await answers(contract.meResponse, k.teacher.id, '/api/me');
    await answers(contract.auditLogResponse, k.itAdmin.id, '/api/audit-log?limit=20');
    await answers(contract.permissionsResponse, k.itAdmin.id, '/api/admin/permissions');
    const personas = contract.personasResponse.parse(await (await fetch(`${t.app.url}/api/demo/personas`)).json());
    expect(personas.personas.length).toBeGreaterThan(0);
  });

  it('the tenant audit: run, latest, trend, raise a finding, accept one', async () => {
    await answers(contract.auditRunResponse, k.itAdmin.id, '/api/audit/run', {});
    const latest = await answers(contract.auditLatestResponse, k.itAdmin.id, '/api/audit/latest');
    await answers(contract.auditRunsResponse, k.itAdmin.id, '/api/audit/runs');
    const [first, second] = latest.findings;
    await answers(contract.raiseIncidentResponse, k.itAdmin.id, '/api/audit/findings/raise-incident', { findingKey: first!.key });
    await answers(contract.acceptFindingResponse, k.itAdmin.id, '/api/audit/acceptances', {
      findingKey: second!.key,
      reason: 'Agreed by the head for this term',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
  }, 60_000);

  it('incidents: report, confide, the queue, one incident, a chronology, the governors’ numbers, the access log', async () => {
    const report: contract.ReportConcernRequest = {
      submissionId: randomUUID(),
      category: 'conduct',
      subCategory: 'cyberbullying',
      whatHappened: 'Unkind messages about a Year 8 pupil in a class chat.',
      when: new Date().toISOString(),
      involved: [{ name: 'Jamie Brown', role: 'student' }],
    };
    const { incidentId } = await answers(contract.reportConcernResponse, k.teacher.id, '/api/incidents', report);
    await answers(contract.confideResponse, k.student.id, '/api/confide', { submissionId: randomUUID(), message: 'Someone keeps messaging me at night.' });
    await answers(contract.incidentListResponse, k.dsl.id, '/api/incidents?olderThanHours=&status=');
    await answers(contract.incidentDetail, k.dsl.id, `/api/incidents/${incidentId}`);
    await answers(contract.chronologyResponse, k.dsl.id, '/api/incidents/people/chronology?name=Jamie%20Brown');
    await answers(contract.governorsReportResponse, k.dsl.id, '/api/incidents/governors-report');
    await answers(contract.csvDownload, k.dsl.id, '/api/incidents/governors-report?format=csv');
    await answers(contract.safeguardingAccessLogResponse, k.dsl.id, '/api/incidents/access-log');
  });

  it('policies: the catalogue, publish, coverage, acceptances, mine, accept', async () => {
    await answers(contract.policiesResponse, k.itAdmin.id, '/api/policies');
    await answers(contract.publishResponse, k.itAdmin.id, '/api/policies/staff-aup/publish', {});
    const mine = await answers(contract.myPoliciesResponse, k.teacher.id, '/api/my/policies');
    const staffAup = mine.policies.find((p) => p.policyId === 'staff-aup')!;
    await answers(contract.acceptPolicyResponse, k.teacher.id, `/api/my/policies/${encodeURIComponent(staffAup.versionId)}/accept`, {});
    await answers(contract.coverageResponse, k.itAdmin.id, '/api/policies/staff-aup/coverage');
    await answers(contract.csvDownload, k.itAdmin.id, '/api/policies/staff-aup/coverage?format=csv');
    await answers(contract.csvDownload, k.itAdmin.id, '/api/policies/staff-aup/acceptances');
    const history = await answers(contract.acceptancesResponse, k.teacher.id, `/api/people/${k.teacher.id}/acceptances`);
    expect(history.acceptances).toEqual([expect.objectContaining({ policyId: 'staff-aup', version: 1, channel: 'tab' })]);
  });

  it('lessons: the teacher’s classes, start one, the list', async () => {
    const { classes } = await answers(contract.lessonClassesResponse, k.teacher.id, '/api/lessons/classes');
    // A class whose team has no one from outside the school (that would be refused by policy).
    const guests = new Set(t.school.users.filter((u) => u.userType === 'Guest').map((u) => u.id));
    const clean = classes.find((c) => !t.school.groups.find((g) => g.id === c.id)?.memberIds.some((id) => guests.has(id)))!;
    await answers(contract.startLessonResponse, k.teacher.id, '/api/lessons', { submissionId: randomUUID(), classId: clean.id, title: 'Contract check' });
    await answers(contract.lessonsResponse, k.teacher.id, '/api/lessons');
  });

  it('governance: half terms, the report and its page, reviews, training', async () => {
    const { halfTerms } = await answers(contract.halfTermsResponse, k.governor.id, '/api/governance/half-terms');
    const halfTerm = encodeURIComponent(halfTerms[0]!.id);
    await answers(contract.halfTermReportResponse, k.governor.id, `/api/governance/report?halfTerm=${halfTerm}`);
    await answers(contract.halfTermReportHtmlResponse, k.headteacher.id, `/api/governance/report/html?halfTerm=${halfTerm}`);
    await answers(contract.reviewsResponse, k.headteacher.id, '/api/governance/reviews');
    await answers(contract.reviewRecord, k.headteacher.id, '/api/governance/reviews/e-safety-policy', { changed: false, governorsApprovedOn: '2026-11-20' });
    await answers(contract.recordTrainingResponse, k.dsl.id, '/api/governance/training', {
      upn: k.teacher.userPrincipalName,
      course: 'Level 1 safeguarding',
      completedOn: '2026-09-04',
    });
    await answers(contract.importTrainingResponse, k.dsl.id, '/api/governance/training/import', {
      csv: `upn,course,completedOn\n${k.headteacher.userPrincipalName},Prevent,2026-09-05\n`,
    });
    await answers(contract.trainingResponse, k.headteacher.id, '/api/governance/training');
    await answers(contract.csvDownload, k.headteacher.id, '/api/governance/training?format=csv');
  });

  it('a request that breaks the contract is a 400 with one line naming the field', async () => {
    const bad = await callAs(t.app, k.teacher.id, '/api/lessons', {
      method: 'POST',
      body: JSON.stringify({ submissionId: randomUUID(), classId: 'x', title: 'ok title', extra: 1 }),
    });
    expect(bad.status).toBe(400);
    expect(contract.apiError.parse(bad.body).error.message).toMatch(/^extra: unknown key$/);
    const filter = await callAs(t.app, k.dsl.id, '/api/incidents?olderThanHours=-3');
    expect([filter.status, filter.body]).toEqual([
      400,
      { error: { code: 'invalid-filter', message: 'olderThanHours: olderThanHours must be a positive number' } },
    ]);
  });

  it('speaks of incidents in the same four Cs and sub-categories as the domain', () => {
    expect(contract.CATEGORIES).toEqual(DOMAIN_CATEGORIES);
  });

  it('offers the tab the same incident actions and escalations as the card', () => {
    expect(contract.INCIDENT_ACTIONS).toEqual(DOMAIN_INCIDENT_ACTIONS);
    expect(contract.ESCALATE_TO).toEqual(DOMAIN_ESCALATE_TO);
  });
});
