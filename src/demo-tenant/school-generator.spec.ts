import { DEFAULT_SIZE, generateSchool, keyPeople, sizeForUsers } from './school-generator';

describe('the demo school', () => {
  const school = generateSchool();

  it('has the size of a secondary: about 60 staff, 600 students, governors and a few guests', () => {
    const count = (role: string) => school.users.filter((u) => u.role === role).length;
    expect(count('staff')).toBe(DEFAULT_SIZE.staff);
    expect(count('student')).toBe(DEFAULT_SIZE.students);
    expect(count('governor')).toBe(DEFAULT_SIZE.governors);
    expect(count('guest')).toBeGreaterThan(0);
  });

  it('is the same school on every run with the same seed, and another with another seed', () => {
    const again = generateSchool();
    expect(again.users.map((u) => u.id)).toEqual(school.users.map((u) => u.id));
    expect(generateSchool({ seed: 7 }).users[10]!.id).not.toBe(school.users[10]!.id);
  });

  it('has the key people the demo config names', () => {
    const people = keyPeople(school);
    for (const p of Object.values(people)) expect(p).toBeDefined();
    expect(people.dsl.jobTitle).toBe('Designated Safeguarding Lead');
  });

  it('has class teams, a staff team, inbox rules, shared files and online meetings', () => {
    expect(school.groups.filter((g) => g.kind === 'class').length).toBe(24);
    expect(school.groups.some((g) => g.kind === 'staff-team')).toBe(true);
    expect(school.inboxRules.size).toBeGreaterThan(100);
    expect(school.drives.some((d) => d.items.some((i) => i.permissions.length > 0))).toBe(true);
    expect(school.onlineMeetings.length).toBeGreaterThan(5);
    expect(school.users.some((u) => !u.driveProvisioned && u.role === 'student')).toBe(true);
  });

  it('records every violation it seeds, one per audit control at least (Teams policies are seeded in config/demo-teams-policies.json; src/audit/controls/registry.spec.ts checks both)', () => {
    const rules = new Set(school.seededViolations.map((v) => v.rule));
    expect([...rules].sort()).toEqual([
      'groups.guest-in-student-group',
      'groups.guest-owner',
      'groups.ownerless-team',
      'groups.student-in-staff-group',
      'mail.inbox-rule.external-forward',
      'mail.mailbox.external-forward',
      'mail.tenant.auto-forward-allowed',
      'meetings.external-attendee',
      'meetings.lesson-not-recorded',
      'sharing.item.anonymous-link',
      'sharing.item.external-user',
      'sharing.tenant.anyone-links',
      'sharing.tenant.external-resharing',
      'sharing.tenant.no-domain-restriction',
      'tenant.cross-tenant-inbound-open',
      'tenant.guest-invites-open',
      'tenant.guest-role-member-access',
    ]);
  });

  it('scales the same school to N users for benchmarks', () => {
    const size = sizeForUsers(2000);
    expect(size.staff + size.students + size.governors).toBe(2000);
    const big = generateSchool({ size });
    expect(big.users.filter((u) => u.userType === 'Member' && u.role !== 'mailbox').length).toBe(2000);
    expect(big.seededViolations.length).toBe(school.seededViolations.length);
  });
});
