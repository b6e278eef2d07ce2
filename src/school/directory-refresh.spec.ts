import { resolve } from 'node:path';
import pino from 'pino';
import { useDemoGraph } from '../../test/support/demo-graph';
import { countingDb } from '../../test/support/counting-db';
import { engines, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import type { DemoUser } from '../demo-tenant/school-model';
import { GraphAccess } from '../graph/graph-access';
import { tokenSourceFor } from '../graph/graph-auth';
import { JobRunner } from '../jobs/job-runner';
import { JobLeases } from '../storage/job-lease';
import { DIRECTORY_JOB, DirectoryRefresher, scheduleDirectoryRefresh } from './directory-refresh';
import { DirectoryStore } from './directory-store';
import { SchoolDirectory, type DirectoryFreshness, type SchoolDirectoryOptions } from './school-directory';

const demoConfig = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const BASE = 'https://graph.microsoft.com/v1.0';
const silent = pino({ level: 'silent' });

/** An app instance: its own Graph client (its requests recorded), directory and refresher, on a shared database. */
function instance(storage: TestStorage, config = demoConfig, options: { now?: () => number } & SchoolDirectoryOptions = {}) {
  const graph = new GraphAccess({ baseUrl: BASE, tokens: tokenSourceFor({ mode: 'demo' }, BASE), sleep: async () => undefined });
  const paths: string[] = [];
  const get = graph.get.bind(graph);
  graph.get = ((path: string, headers?: Record<string, string>) => {
    paths.push(graph.relative(path));
    return get(path, headers);
  }) as typeof graph.get;
  const store = new DirectoryStore(storage.storage.db);
  const directory = new SchoolDirectory(graph, config, 5 * 60_000, options.now ?? Date.now, store, options);
  const refresher = new DirectoryRefresher({ graph, store, config, onRefreshed: () => directory.localChanged() });
  return { graph, paths, store, directory, refresher };
}

function newStarter(template: DemoUser, n: number): DemoUser {
  return {
    ...template,
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    displayName: `New Starter ${n}`,
    userPrincipalName: `new.starter${n}@demo-academy.org.uk`,
    mail: `new.starter${n}@demo-academy.org.uk`,
  };
}

describe.each(engines)('the school directory kept from Graph deltas (%s)', (_engine, open) => {
  const ctx = useDemoGraph({ size: { staff: 120, students: 1_000, governors: 10 } });
  let storage: TestStorage;
  beforeEach(async () => {
    storage = await open();
  });
  afterEach(() => storage.dispose());

  it('answers person() for 1,000 different people with no Graph request after a sync, as Graph would have', async () => {
    const a = instance(storage);
    expect(await a.refresher.refresh()).toMatchObject({ users: 'full', groups: 'full' });
    const people = ctx.school.users.filter((u) => u.userType === 'Member').slice(0, 1_000);
    expect(people).toHaveLength(1_000);
    const before = ctx.tenant.stats.requests;
    const found = [];
    for (const u of people) found.push(await a.directory.person(u.id));
    expect(ctx.tenant.stats.requests - before).toBe(0);
    // The same answers as read from Graph (kinds, and the configured people's roles).
    const fromGraph = new SchoolDirectory(ctx.graph, demoConfig);
    const k = keyPeople(ctx.school);
    for (const u of [k.teacher, k.student, k.governor, k.dsl, k.deputyDsl, k.headteacher, k.itAdmin])
      expect(found.find((p) => p?.id === u.id) ?? (await a.directory.person(u.id))).toEqual(await fromGraph.person(u.id));
    expect(found.filter((p) => p?.kind === 'student').length).toBeGreaterThan(800);
    expect(await a.directory.person(k.teacher.userPrincipalName.toUpperCase())).toMatchObject({ id: k.teacher.id, kind: 'staff' });
  });

  it('reads the people of the copy once per generation, not once per click', async () => {
    const a = instance(storage);
    await a.refresher.refresh();
    const counted = countingDb(storage.storage.db);
    const directory = new SchoolDirectory(a.graph, demoConfig, 5 * 60_000, Date.now, new DirectoryStore(counted.db));
    const people = ctx.school.users.filter((u) => u.userType === 'Member').slice(0, 500);
    for (const u of people) expect(await directory.person(u.id)).toMatchObject({ id: u.id });
    const first = counted.work.statements;
    // 500 people cost a handful of statements (the copy's state, its groups, its people), not 500.
    expect(first).toBeLessThan(10);
    // By sign-in name or mail, in any case, as the store answers.
    const k = keyPeople(ctx.school);
    expect(await directory.person(k.teacher.userPrincipalName.toUpperCase())).toMatchObject({ id: k.teacher.id });
    expect(await directory.person(k.teacher.mail.toUpperCase())).toMatchObject({ id: k.teacher.id });
    expect(counted.work.statements).toBe(first);
  });

  it('knows a new member of the staff group as staff after the next refresh, from a delta', async () => {
    const a = instance(storage);
    await a.refresher.refresh();
    const staff = ctx.school.groups.find((g) => g.kind === 'staff')!;
    const starter = newStarter(
      ctx.school.users.find((u) => u.role === 'staff')!,
      1,
    );
    ctx.school.users.push(starter);
    staff.memberIds.push(starter.id);
    try {
      expect(await a.refresher.refresh()).toMatchObject({ users: 'delta', groups: 'delta' });
      const before = ctx.tenant.stats.requests;
      expect(await a.directory.person(starter.id)).toMatchObject({ kind: 'staff', classifiedBy: 'group', roles: ['staff', 'teacher'] });
      expect(ctx.tenant.stats.requests).toBe(before);
    } finally {
      ctx.school.users.splice(ctx.school.users.indexOf(starter), 1);
      staff.memberIds.splice(staff.memberIds.indexOf(starter.id), 1);
    }
  });

  it('no longer counts someone removed from the staff group as staff after the next refresh', async () => {
    const a = instance(storage);
    await a.refresher.refresh();
    const staff = ctx.school.groups.find((g) => g.kind === 'staff')!;
    const leaver = keyPeople(ctx.school).teacher.id;
    expect(await a.directory.person(leaver)).toMatchObject({ kind: 'staff' });
    staff.memberIds.splice(staff.memberIds.indexOf(leaver), 1);
    try {
      await a.refresher.refresh();
      expect(await a.directory.person(leaver)).toMatchObject({ kind: 'unknown' });
    } finally {
      staff.memberIds.push(leaver);
    }
  });

  it('forgets someone deleted from the tenant after the next refresh: not staff, not a person, as Graph would answer', async () => {
    const a = instance(storage);
    await a.refresher.refresh();
    const leaver = keyPeople(ctx.school).teacher;
    const at = ctx.school.users.indexOf(leaver);
    ctx.school.users.splice(at, 1);
    try {
      expect(await a.refresher.refresh()).toMatchObject({ users: 'delta', groups: 'delta' });
      expect((await a.directory.groupMembers('staff'))!.has(leaver.id)).toBe(false);
      expect(await a.directory.person(leaver.id)).toBeUndefined();
      expect((await a.store.members()).some((m) => m.memberId === leaver.id)).toBe(false);
    } finally {
      ctx.school.users.splice(at, 0, leaver);
    }
  });

  it('counts the members of a group nested in the staff group as staff (transitive membership, worked out locally)', async () => {
    const a = instance(storage);
    await a.refresher.refresh();
    const staff = ctx.school.groups.find((g) => g.kind === 'staff')!;
    const supply = newStarter(
      ctx.school.users.find((u) => u.role === 'staff')!,
      3,
    );
    const supplyGroup = {
      ...staff,
      id: '00000000-0000-4000-8000-0000000000a1',
      displayName: 'Supply staff',
      mail: 'supply@demo-academy.org.uk',
      memberIds: [supply.id],
    };
    ctx.school.users.push(supply);
    ctx.school.groups.push(supplyGroup);
    staff.memberIds.push(supplyGroup.id);
    try {
      // The tracked groups grew: a full round of groups, the nested one included.
      expect(await a.refresher.refresh()).toMatchObject({ users: 'delta', groups: 'full' });
      expect(await a.directory.person(supply.id)).toMatchObject({ kind: 'staff' });
      expect((await a.directory.groupMembers('staff'))!.has(supply.id)).toBe(true);
      expect((await a.directory.names()).get(supply.id)).toEqual({ displayName: 'New Starter 3', userPrincipalName: supply.userPrincipalName });
    } finally {
      staff.memberIds.pop();
      ctx.school.groups.pop();
      ctx.school.users.pop();
    }
  });

  it('reads someone who joined since the last refresh from Graph once, and remembers who is not in the tenant', async () => {
    const a = instance(storage);
    await a.refresher.refresh();
    const starter = newStarter(
      ctx.school.users.find((u) => u.role === 'student')!,
      2,
    );
    ctx.school.users.push(starter);
    try {
      let before = ctx.tenant.stats.requests;
      expect(await a.directory.person(starter.id)).toMatchObject({ id: starter.id, displayName: 'New Starter 2' });
      expect(await a.directory.person(starter.id)).toMatchObject({ id: starter.id });
      expect(ctx.tenant.stats.requests - before).toBe(1);
      before = ctx.tenant.stats.requests;
      expect(await a.directory.person('nobody@demo-academy.org.uk')).toBeUndefined();
      expect(await a.directory.person('nobody@demo-academy.org.uk')).toBeUndefined();
      expect(await a.directory.userIdOf('nobody@demo-academy.org.uk')).toBeUndefined();
      expect(await a.directory.userIdOf('nobody@demo-academy.org.uk')).toBeUndefined();
      expect(ctx.tenant.stats.requests - before).toBe(2);
    } finally {
      ctx.school.users.splice(ctx.school.users.indexOf(starter), 1);
    }
  });

  it('joins a refresh already under way in the process instead of reading the groups again', async () => {
    const a = instance(storage);
    const [one, two] = await Promise.all([a.refresher.refresh(), a.refresher.refresh()]);
    expect(one).toBe(two);
    expect(a.paths.filter((p) => p.startsWith('/groups/delta?$filter=')).length).toBe(1);
    expect(a.paths.filter((p) => p.startsWith('/users/delta?$select=')).length).toBe(1);
  });

  it('has one of two instances sharing the database refresh, so each group is read once, and both answer from it', async () => {
    const a = instance(storage);
    const b = instance(storage);
    const runnerA = new JobRunner({ leases: new JobLeases(storage.storage.db, 'instance-a'), logger: silent });
    const runnerB = new JobRunner({ leases: new JobLeases(storage.storage.db, 'instance-b'), logger: silent });
    scheduleDirectoryRefresh(runnerA, a.refresher);
    scheduleDirectoryRefresh(runnerB, b.refresher);
    const ran = await Promise.all([runnerA.runNow(DIRECTORY_JOB), runnerB.runNow(DIRECTORY_JOB)]);
    expect(ran.filter(Boolean)).toHaveLength(1);
    const groupReads = [...a.paths, ...b.paths].filter((p) => p.startsWith('/groups/delta'));
    const groupPages = groupReads.length;
    expect([...a.paths, ...b.paths].filter((p) => p.startsWith('/groups/delta?$filter=')).length).toBe(1);
    expect(a.paths.some((p) => p.startsWith('/groups/delta')) && b.paths.some((p) => p.startsWith('/groups/delta'))).toBe(false);
    expect(groupPages).toBeGreaterThan(0);
    const teacher = keyPeople(ctx.school).teacher.id;
    const before = ctx.tenant.stats.requests;
    expect(await a.directory.person(teacher)).toMatchObject({ kind: 'staff' });
    expect(await b.directory.person(teacher)).toMatchObject({ kind: 'staff' });
    expect(ctx.tenant.stats.requests).toBe(before);
  });

  it("keeps answering clicks from the previous refresh while another instance's refresh is read, then answers from the new one", async () => {
    const a = instance(storage);
    let now = Date.parse('2026-09-01T08:00:00Z');
    const b = instance(storage, demoConfig, { now: () => now });
    await a.refresher.refresh();
    const k = keyPeople(ctx.school);
    expect(await b.directory.person(k.teacher.id)).toMatchObject({ kind: 'staff' });
    const staff = ctx.school.groups.find((g) => g.kind === 'staff')!;
    const starter = newStarter(
      ctx.school.users.find((u) => u.role === 'staff')!,
      2,
    );
    ctx.school.users.push(starter);
    staff.memberIds.push(starter.id);
    try {
      await a.refresher.refresh();
      // B notices the new generation at its next look, and reads it: slowly, as 50,000 people take a second.
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const everyone = b.store.everyone.bind(b.store);
      b.store.everyone = async () => {
        await gate;
        return everyone();
      };
      now += 60_000;
      // Not held up by the read: answered from the generation before.
      expect(await b.directory.person(k.teacher.id)).toMatchObject({ kind: 'staff' });
      expect((await b.directory.groupMembers('staff'))!.has(starter.id)).toBe(false);
      open();
      await b.directory.localChanged();
      const before = ctx.tenant.stats.requests;
      expect(await b.directory.person(starter.id)).toMatchObject({ kind: 'staff', classifiedBy: 'group' });
      expect(ctx.tenant.stats.requests).toBe(before);
    } finally {
      ctx.school.users.splice(ctx.school.users.indexOf(starter), 1);
      staff.memberIds.splice(staff.memberIds.indexOf(starter.id), 1);
    }
  });

  it('asks the Education API for a person once per directory generation when staff and students groups are not both configured', async () => {
    const config = { ...demoConfig, groups: { ...demoConfig.groups, students: undefined } };
    const a = instance(storage, config);
    await a.refresher.refresh();
    const student = keyPeople(ctx.school).student.id;
    const before = ctx.tenant.stats.requests;
    expect(await a.directory.person(student)).toMatchObject({ kind: 'student', classifiedBy: 'education-api' });
    expect(await a.directory.person(student)).toMatchObject({ kind: 'student', classifiedBy: 'education-api' });
    expect(a.paths.filter((p) => p.startsWith('/education/users/'))).toHaveLength(1);
    expect(ctx.tenant.stats.requests - before).toBe(1);
  });

  it('reads people from Graph again, and says so once, when the copy has not been refreshed for three refresh intervals', async () => {
    let later = 0;
    const warnings: DirectoryFreshness[] = [];
    const a = instance(storage, demoConfig, { now: () => Date.now() + later, maxStaleMs: 15 * 60_000, onStale: (f) => warnings.push(f) });
    await a.refresher.refresh();
    const teacher = keyPeople(ctx.school).teacher.id;
    let before = ctx.tenant.stats.requests;
    expect(await a.directory.person(teacher)).toMatchObject({ kind: 'staff' });
    expect(ctx.tenant.stats.requests).toBe(before);
    expect(await a.directory.freshness()).toMatchObject({ local: true, stale: false });

    // Refreshes kept failing: sixteen minutes since the copy's older part was refreshed.
    later = 16 * 60_000;
    before = ctx.tenant.stats.requests;
    expect(await a.directory.person(teacher)).toMatchObject({ kind: 'staff' });
    expect(ctx.tenant.stats.requests).toBeGreaterThan(before);
    expect(await a.directory.freshness()).toMatchObject({ local: false, stale: true, oldestSyncedAt: expect.any(String) });
    await a.directory.person(teacher);
    expect(warnings).toHaveLength(1);
  });

  it('reads the group memberships again after a failed read instead of failing every later role check', async () => {
    const a = instance(storage);
    await a.refresher.refresh();
    const members = a.store.members.bind(a.store);
    let failures = 1;
    a.store.members = () => (failures-- > 0 ? Promise.reject(new Error('database connection lost')) : members());
    await expect(a.directory.groupMembers('staff')).rejects.toThrow('database connection lost');
    expect((await a.directory.groupMembers('staff'))!.has(keyPeople(ctx.school).teacher.id)).toBe(true);
  });

  it('starts a full round again when Graph no longer honours its delta links (410)', async () => {
    const a = instance(storage);
    await a.refresher.refresh();
    ctx.tenant.expireDeltaLinks();
    expect(await a.refresher.refresh()).toMatchObject({ users: 'full', groups: 'full' });
    expect(await a.directory.person(keyPeople(ctx.school).student.id)).toMatchObject({ kind: 'student' });
  });
});
