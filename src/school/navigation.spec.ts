import { navigationFor } from './navigation';

const ids = (roles: Parameters<typeof navigationFor>[0]) => navigationFor(roles).map((n) => n.id);

describe('each person sees the pages of their role', () => {
  it('a student sees their policies and the Confide button, nothing about incidents or the audit', () => {
    expect(ids(['student'])).toEqual(['home', 'my-policies', 'confide']);
  });
  it('a teacher can report a concern and run lessons', () => {
    expect(ids(['staff', 'teacher'])).toEqual(['home', 'my-policies', 'report', 'lessons']);
  });
  it('the DSL also sees the incident queue', () => {
    expect(ids(['staff', 'teacher', 'dsl', 'safeguarding'])).toContain('incidents');
  });
  it('an IT admin sees policies and the tenant audit', () => {
    expect(ids(['staff', 'teacher', 'admin'])).toEqual(expect.arrayContaining(['policies', 'audit']));
    expect(ids(['staff', 'teacher', 'admin'])).not.toContain('incidents');
  });
  it('governors and the head see the half-termly report (policies 001 and 003); the DSL and head see training', () => {
    expect(ids(['governor'])).toContain('governors-report');
    expect(ids(['staff', 'headteacher'])).toEqual(expect.arrayContaining(['governors-report', 'training']));
    expect(ids(['staff', 'teacher', 'dsl'])).toContain('training');
    expect(ids(['staff', 'teacher', 'dsl'])).not.toContain('governors-report');
    expect(ids(['staff', 'teacher', 'admin'])).not.toContain('governors-report');
  });

  it('the head and the chair of governors see the incidents sent to them; other governors do not (policy 002)', () => {
    expect(ids(['staff', 'headteacher'])).toContain('incidents');
    expect(ids(['governor', 'chair'])).toContain('incidents');
    expect(ids(['governor'])).not.toContain('incidents');
  });
});
