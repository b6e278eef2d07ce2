import { controlOf } from '../../src/audit/controls/catalogue';
import { reportFinding } from '../../src/audit/controls/report-finding';
import type { ReportedFinding } from '../../src/audit/findings';
import { auditContext, type AuditContext, type AuditRule } from '../../src/audit/rules/rule';
import type { AuditArea } from '../../src/audit/controls/areas';
import { emptySnapshot, type SnapshotUser, type TenantSnapshot } from '../../src/audit/snapshot';

export const DOMAIN = 'school.org.uk';

/** A tiny school for one rule at a time: staff, students, a guest, and the two configured groups. */
export function tinySchool(mutate: (s: TenantSnapshot) => void = () => undefined): { snapshot: TenantSnapshot; ctx: AuditContext } {
  const snapshot = emptySnapshot('t', new Date('2026-11-23T09:00:00Z'));
  const user = (id: string, upn: string, userType: SnapshotUser['userType'] = 'Member'): SnapshotUser => ({
    id,
    displayName: id,
    userPrincipalName: upn,
    mail: upn,
    userType,
  });
  snapshot.users = [
    user('teacher', `teacher@${DOMAIN}`),
    user('head', `head@${DOMAIN}`),
    user('admin', `admin@${DOMAIN}`),
    user('pupil', `pupil@students.${DOMAIN}`),
    user('pupil2', `pupil2@students.${DOMAIN}`),
    user('guest', 'tutor@tutoring.example.com', 'Guest'),
  ];
  snapshot.groups = [
    { id: 'staff', displayName: 'All Staff', mail: `staff@${DOMAIN}`, isTeam: false, memberIds: ['teacher', 'head', 'admin'], ownerIds: ['head'] },
    { id: 'students', displayName: 'All Students', mail: `students@${DOMAIN}`, isTeam: false, memberIds: ['pupil', 'pupil2'], ownerIds: ['admin'] },
  ];
  snapshot.coverage = [
    'mail.inbox-rules',
    'sharing.tenant-settings',
    'sharing.items',
    'groups.membership',
    'tenant.guest-settings',
    'tenant.cross-tenant-access',
    'meetings.calendars',
    'teams.policies',
  ].map((check) => ({ check: check as AuditArea, status: 'checked' as const }));
  mutate(snapshot);
  return {
    snapshot,
    ctx: auditContext(snapshot, {
      school: { name: 'S', tenantId: 't', mailDomains: [DOMAIN], timeZone: 'Europe/London' },
      groups: { staff: `staff@${DOMAIN}`, students: `students@${DOMAIN}` },
    }),
  };
}

export const to = (address: string) => ({ emailAddress: { address } });

/** One rule's findings on a tiny school, as reported: with its control's severity, clause and fix. */
export function findingsOf(rule: AuditRule, x: { snapshot: TenantSnapshot; ctx: AuditContext }): ReportedFinding[] {
  const out = rule.evaluate(x.snapshot, x.ctx);
  if ('notChecked' in out) throw new Error(`${rule.rule} was not checked: ${out.notChecked}`);
  return out.map((f) => reportFinding(controlOf(f.rule)!, f));
}
