import { resolve } from 'node:path';
import { loadSchoolConfig } from '../config/load-school-config';
import { incidentReportSchema, type IncidentReport } from './incident-report';
import { routeIncident } from './incident-routing';

const { safeguarding } = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const report = (over: Partial<IncidentReport> = {}): IncidentReport =>
  incidentReportSchema.parse({
    submissionId: '8a6e0804-2bd0-4672-b79e-d97358b37e55',
    category: 'conduct',
    subCategory: 'cyberbullying',
    whatHappened: 'Messages calling a Year 8 student names in the class chat.',
    when: '2026-11-23T10:15:00Z',
    channel: 'bot-command',
    ...over,
  });
const who = (r: ReturnType<typeof routeIncident>) => r.recipients.map((x) => x.as);

describe('002 "Handling Incidents": the DSL is the first point of contact', () => {
  it('sends a concern about students to the DSL and the deputies', () => {
    expect(who(routeIncident(report(), safeguarding))).toEqual(['dsl', 'deputy-dsl', 'deputy-dsl']);
  });

  it('sends a concern about staff misuse to the headteacher as well', () => {
    const r = routeIncident(report({ subCategory: 'staff-misuse', involved: [{ name: 'A Teacher', role: 'staff' }] }), safeguarding);
    expect(who(r)).toEqual(['headteacher', 'dsl', 'deputy-dsl', 'deputy-dsl']);
  });

  it('sends a concern about the headteacher to the chair of governors and the LADO, never to the head', () => {
    const r = routeIncident(
      report({ subCategory: 'staff-misuse', involved: [{ id: 'head-id', name: 'Helen Carter', role: 'staff' }] }),
      safeguarding,
      'head-id',
    );
    expect(who(r)).toEqual(['chair-of-governors', 'lado']);
    expect(r.recipients.some((x) => x.kind === 'person' && x.ref === safeguarding.headteacher)).toBe(false);
  });

  it('never sends a concern about the head to the head, even when the head is also the DSL', () => {
    const headIsDsl = { ...safeguarding, dsl: safeguarding.headteacher };
    const r = routeIncident(report({ involved: [{ name: 'Head', role: 'headteacher' }] }), headIsDsl);
    expect(r.recipients.every((x) => x.kind === 'contact')).toBe(true);
  });
});

describe('001 "Incident Management": illegal material goes to the police without alerting the suspect', () => {
  it('marks the incident urgent with the police, CEOP/IWF and do-not-alert steps', () => {
    const r = routeIncident(report({ illegalOrImmediateRisk: true }), safeguarding);
    expect(r.urgent).toBe(true);
    expect(r.guidance.join(' ')).toMatch(/police/);
    expect(r.guidance.join(' ')).toMatch(/CEOP/);
    expect(r.guidance.join(' ')).toMatch(/Do not alert the suspect/);
  });

  it('treats grooming as urgent even if the reporter did not tick the box', () => {
    expect(routeIncident(report({ category: 'contact', subCategory: 'grooming' }), safeguarding).urgent).toBe(true);
  });

  it('does not mark ordinary cyberbullying urgent', () => {
    expect(routeIncident(report(), safeguarding)).toMatchObject({ urgent: false, guidance: [] });
  });
});

describe('a report is checked before anything is written', () => {
  it('names the bad field', () => {
    const bad = incidentReportSchema.safeParse({ ...report(), whatHappened: 'short' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['whatHappened']);
  });

  it('refuses a sub-category from another of the four Cs', () => {
    const bad = incidentReportSchema.safeParse({ ...report(), category: 'content', subCategory: 'grooming' });
    expect(bad.error!.issues[0]).toMatchObject({ path: ['subCategory'], message: expect.stringMatching(/another category/) });
  });
});
