import { auditContext, type AuditContext } from '../../src/audit/rules/rule';
import { emptySnapshot, type SnapshotUser, type TenantSnapshot } from '../../src/audit/snapshot';

export const DOMAIN = 'school.org.uk';

/** A tiny school for one rule at a time: staff, students, a guest, and the two configured groups. */
export function tinySchool(mutate: (s: TenantSnapshot) => void = () => undefined): { snapshot: TenantSnapshot; ctx: AuditContext } {
  const snapshot = emptySnapshot('t', new Date('2026-11-23T09:00:00Z'));
  const user = (id: string, upn: string, userType: SnapshotUser['userType'] = 'Member'): SnapshotUser => ({ id, displayName: id, userPrincipalName: upn, mail: upn, userType });
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
  snapshot.coverage = ['mail.inbox-rules', 'sharing.tenant-settings', 'sharing.items', 'groups.membership', 'tenant.guest-settings', 'tenant.cross-tenant-access', 'meetings.calendars', 'teams.policies'].map((check) => ({ check, status: 'checked' as const }));
  mutate(snapshot);
  return { snapshot, ctx: auditContext(snapshot, { school: { name: 'S', tenantId: 't', mailDomains: [DOMAIN], timeZone: 'Europe/London' }, groups: { staff: `staff@${DOMAIN}`, students: `students@${DOMAIN}` } }) };
}

export const to = (address: string) => ({ emailAddress: { address } });
