import type { Person } from '../school/school-directory';
import { FindingAcceptances, InvalidFindingAcceptance } from './finding-acceptance';
import { FindingIncidents, NoSuchFinding, subCategoryFor, submissionIdFor, type IncidentReporter } from './finding-incidents';
import { findingKey, type ReportedFinding } from './findings';

const admin = {
  id: 'admin-1',
  displayName: 'Sam Patel',
  userPrincipalName: 'sam@school.example',
  mail: null,
  kind: 'staff',
  classifiedBy: 'group',
  roles: ['admin'],
} satisfies Person;
const now = new Date('2026-11-23T10:00:00Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();

describe('accepting a finding’s risk', () => {
  const accepted: Array<{ key: string; expires: Date }> = [];
  const acceptances = new FindingAcceptances({
    store: {
      accept: async (key, reason, expires, by) => (
        accepted.push({ key, expires }),
        { id: 'a1', findingKey: key, reason, acceptedBy: by, acceptedAt: now.toISOString(), expiresAt: expires.toISOString() }
      ),
    },
    now: () => now,
  });

  it('lasts a year at most: the school reviews it again then', async () => {
    await expect(acceptances.accept({ findingKey: 'k1', reason: 'agreed by the head', expiresAt: days(367) }, admin)).rejects.toThrow(
      new InvalidFindingAcceptance('an acceptance lasts a year at most: review it again then'),
    );
    await expect(acceptances.accept({ findingKey: 'k1', reason: 'agreed by the head', expiresAt: days(365) }, admin)).resolves.toMatchObject({
      findingKey: 'k1',
      acceptedBy: 'admin-1',
    });
  });

  it('must end in the future', async () => {
    await expect(acceptances.accept({ findingKey: 'k2', reason: 'agreed by the head', expiresAt: days(0) }, admin)).rejects.toMatchObject({
      kind: 'invalid',
      code: 'invalid-acceptance',
      message: 'expiresAt must be in the future',
    });
    expect(accepted.map((a) => a.key)).toEqual(['k1']);
  });
});

describe('raising a finding as an incident for the DSL', () => {
  const finding = (rule: string): ReportedFinding => ({
    rule,
    control: 'ESAFETY.MAIL.1v1',
    title: 'Mail forwarded outside the school',
    severity: 'high',
    subject: { type: 'user', id: 'u1', name: 'Year 9 pupil' },
    detail: 'forwards mail outside the school',
    policyRef: { document: 'E-Safety Policy', section: 'clause 4', quote: 'q', citation: 'clause 4 of the E-Safety Policy' },
    fix: 'f',
  });
  const run = { id: 'run-1', finishedAt: '2026-11-23T09:00:00Z' };

  it('treats mail forwarded out and files shared out as a data breach; the rest is for the DSL to judge', () => {
    expect([
      subCategoryFor({ rule: 'mail.forwarding-external' }),
      subCategoryFor({ rule: 'sharing.anonymous-link' }),
      subCategoryFor({ rule: 'groups.guest-in-student-group' }),
    ]).toEqual(['data-breach', 'data-breach', 'not-sure']);
  });

  it('reports the same finding of the same run with the same submission id, so twice is one incident', async () => {
    const reported: Parameters<IncidentReporter['report']>[0][] = [];
    const raising = new FindingIncidents({
      tenantId: 't1',
      store: { lastRun: async () => run as never, findings: async () => [finding('mail.forwarding-external')] },
      incidents: { report: async (r) => (reported.push(r), { incidentId: 'i1', created: reported.length === 1 }) },
    });
    const key = findingKey(finding('mail.forwarding-external'));
    await raising.raise({ findingKey: key, note: 'Parent called' }, admin);
    await raising.raise({ findingKey: key, note: '' }, admin);
    expect(reported.map((r) => r.submissionId)).toEqual([submissionIdFor('run-1', key), submissionIdFor('run-1', key)]);
    expect(reported[0]).toMatchObject({
      category: 'conduct',
      subCategory: 'data-breach',
      when: run.finishedAt,
      channel: 'audit-finding',
      whatHappened: expect.stringMatching(/Admin's note: Parent called$/),
    });
    await expect(raising.raise({ findingKey: 'not-a-key', note: '' }, admin)).rejects.toThrow(NoSuchFinding);
  });
});
