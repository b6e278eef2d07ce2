import { resolve } from 'node:path';
import { useDemoGraph } from '../../test/support/demo-graph';
import { loadSchoolConfig } from '../config/load-school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import { SchoolDirectory } from './school-directory';

const demoConfig = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));

describe('who is who in the school', () => {
  const ctx = useDemoGraph();

  it('classifies staff, students and governors by the configured groups', async () => {
    const dir = new SchoolDirectory(ctx.graph, demoConfig);
    const people = keyPeople(ctx.school);
    expect(await dir.person(people.teacher.id)).toMatchObject({ kind: 'staff', classifiedBy: 'group' });
    expect(await dir.person(people.student.userPrincipalName)).toMatchObject({ kind: 'student', classifiedBy: 'group' });
    // The demo's governor is also the chair, who receives concerns about the head (policy 002).
    expect(await dir.person(people.governor.id)).toMatchObject({ kind: 'governor', roles: ['governor', 'chair'] });
  });

  it('gives the DSL, the head and the IT admin their roles from the configuration', async () => {
    const dir = new SchoolDirectory(ctx.graph, demoConfig);
    const people = keyPeople(ctx.school);
    expect((await dir.person(people.dsl.id))!.roles).toEqual(expect.arrayContaining(['staff', 'dsl', 'safeguarding']));
    expect((await dir.person(people.deputyDsl.id))!.roles).toContain('safeguarding');
    expect((await dir.person(people.deputyDsl.id))!.roles).not.toContain('dsl');
    expect((await dir.person(people.headteacher.id))!.roles).toContain('headteacher');
    expect((await dir.person(people.itAdmin.id))!.roles).toContain('admin');
    expect((await dir.person(people.student.id))!.roles).toEqual(['student']);
  });

  it('falls back to the Education API when staff and student groups are not configured', async () => {
    const dir = new SchoolDirectory(ctx.graph, { ...demoConfig, groups: {} });
    const people = keyPeople(ctx.school);
    expect(await dir.person(people.teacher.id)).toMatchObject({ kind: 'staff', classifiedBy: 'education-api' });
    expect(await dir.person(people.student.id)).toMatchObject({ kind: 'student', classifiedBy: 'education-api' });
  });

  it('falls back to licences when the Education API is switched off', async () => {
    const dir = new SchoolDirectory(ctx.graph, { ...demoConfig, groups: {}, classification: { ...demoConfig.classification, useEducationApi: false } });
    const people = keyPeople(ctx.school);
    expect(await dir.person(people.teacher.id)).toMatchObject({ kind: 'staff', classifiedBy: 'licence' });
    expect(await dir.person(people.student.id)).toMatchObject({ kind: 'student', classifiedBy: 'licence' });
  });

  it('knows a guest is a guest', async () => {
    const guest = ctx.school.users.find((u) => u.userType === 'Guest')!;
    expect(await new SchoolDirectory(ctx.graph, demoConfig).person(guest.id)).toMatchObject({ kind: 'guest', roles: [] });
  });

  it('does not know someone who is not in the tenant', async () => {
    expect(await new SchoolDirectory(ctx.graph, demoConfig).person('nobody@demo-academy.org.uk')).toBeUndefined();
  });
});
