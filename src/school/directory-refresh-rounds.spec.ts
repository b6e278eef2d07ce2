import { resolve } from 'node:path';
import { engines, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import type { SchoolConfig } from '../config/school-config';
import type { GraphAccess } from '../graph/graph-access';
import { DirectoryRefresher } from './directory-refresh';
import { DirectoryStore } from './directory-store';

const demoConfig = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));

type Entry = Record<string, unknown> & { id: string };

/**
 * A Graph that answers each delta query with the rounds a test scripts: Microsoft's answers
 * (delta-query-overview.md) as they may come, an object more than once in a round included.
 */
function scriptedGraph() {
  const calls: string[] = [];
  const script = { users: [] as Entry[][], groups: new Map<string, Entry[][]>(), addresses: new Map<string, string>() };
  const graph = {
    calls,
    stats: { requests: 0 },
    async delta(path: string) {
      calls.push(path);
      if (path.startsWith('/users/delta') || path.startsWith('users-link')) return { items: script.users.shift() ?? [], deltaLink: 'users-link' };
      // A group query names its groups; its delta link names them too.
      const ids = [...path.matchAll(/id eq '([^']+)'/g)].map((m) => m[1]!);
      const group = ids.length ? ids : path.replace('groups-link:', '').split(',');
      // The last scripted round repeats (a group that no longer changes).
      const rounds = group.flatMap((id) => {
        const left = script.groups.get(id) ?? [];
        return (left.length > 1 ? left.shift() : left[0]) ?? [];
      });
      return { items: rounds, deltaLink: `groups-link:${group.join(',')}` };
    },
    async get(path: string) {
      calls.push(path);
      const mail = /mail eq '([^']+)'/.exec(path)?.[1] ?? '';
      const id = script.addresses.get(mail);
      return { value: id ? [{ id }] : [] };
    },
  };
  return { graph, script };
}

const person = (id: string, extra: Record<string, unknown> = {}): Entry => ({
  id,
  displayName: id,
  userPrincipalName: `${id}@school.uk`,
  userType: 'Member',
  ...extra,
});
const member = (id: string, extra: Record<string, unknown> = {}) => ({ '@odata.type': '#microsoft.graph.user', id, ...extra });
const subgroup = (id: string) => ({ '@odata.type': '#microsoft.graph.group', id });
const removed = { '@removed': { reason: 'deleted' } };
const STAFF = '11111111-1111-4111-8111-111111111111';

describe.each(engines)('the directory refresh applies Graph delta rounds as Microsoft documents them (%s)', (_engine, open) => {
  let storage: TestStorage;
  let store: DirectoryStore;
  beforeEach(async () => {
    storage = await open();
    store = new DirectoryStore(storage.storage.db);
  });
  afterEach(() => storage.dispose());

  function refresher(graph: ReturnType<typeof scriptedGraph>['graph'], groups: Partial<SchoolConfig['groups']>) {
    const config = { ...demoConfig, groups } as SchoolConfig;
    return new DirectoryRefresher({ graph: graph as unknown as GraphAccess, store, config });
  }
  const membersOf = async (groupId: string) =>
    (await store.members())
      .filter((m) => m.groupId === groupId)
      .map((m) => m.memberId)
      .sort();

  it('takes the last of several entries for one person in a round (delta-query-overview.md: an object may appear more than once)', async () => {
    const { graph, script } = scriptedGraph();
    script.users.push(
      [person('a'), person('b')],
      [person('a', { displayName: 'A2' }), { id: 'a', ...removed }, { id: 'b', ...removed }, person('b', { displayName: 'B again' })],
    );
    const r = refresher(graph, {});
    await r.refresh();
    await r.refresh();
    expect(await store.user('a')).toBeUndefined();
    expect(await store.user('b')).toMatchObject({ displayName: 'B again' });
  });

  it('takes the last entry for one person in a first round too: listed then @removed is not kept', async () => {
    const { graph, script } = scriptedGraph();
    script.users.push([person('a'), person('b'), { id: 'a', ...removed }]);
    await refresher(graph, {}).refresh();
    expect(await store.user('a')).toBeUndefined();
    expect(await store.user('b')).toBeDefined();
  });

  it('takes the last of several entries for one membership in a round: removed then added is a member, added then removed is not', async () => {
    const { graph, script } = scriptedGraph();
    script.users.push([person('a'), person('b')]);
    script.groups.set(STAFF, [
      [{ id: STAFF, 'members@delta': [member('a')] }],
      [
        { id: STAFF, 'members@delta': [member('a', removed), member('b')] },
        { id: STAFF, 'members@delta': [member('a'), member('b', removed)] },
      ],
    ]);
    const r = refresher(graph, { staff: STAFF });
    await r.refresh();
    expect(await r.refresh()).toMatchObject({ groups: 'delta' });
    expect(await membersOf(STAFF)).toEqual(['a']);
  });

  it('drops the memberships of a person deleted from the directory, whether or not the group round says so', async () => {
    const { graph, script } = scriptedGraph();
    script.users.push([person('a'), person('b')], [{ id: 'a', '@removed': { reason: 'changed' } }]);
    script.groups.set(STAFF, [[{ id: STAFF, 'members@delta': [member('a'), member('b')] }], []]);
    const r = refresher(graph, { staff: STAFF });
    await r.refresh();
    await r.refresh();
    expect(await membersOf(STAFF)).toEqual(['b']);
  });

  it('looks a group configured by address up again when the school changes the address', async () => {
    const { graph, script } = scriptedGraph();
    script.addresses.set('old-staff@school.uk', 'g-old').set('new-staff@school.uk', 'g-new');
    await refresher(graph, { staff: 'old-staff@school.uk' }).refresh();
    await refresher(graph, { staff: 'old-staff@school.uk' }).refresh();
    expect(graph.calls.filter((c) => c.startsWith('/groups?'))).toHaveLength(1);
    await refresher(graph, { staff: 'new-staff@school.uk' }).refresh();
    expect(graph.calls.filter((c) => c.startsWith('/groups?'))).toHaveLength(2);
    expect(JSON.parse((await store.sync('groups'))!.detail)).toMatchObject({ configured: { staff: 'g-new' }, addresses: { staff: 'new-staff@school.uk' } });
  });

  it('tracks only the groups it queried when nesting goes deeper than it follows, and resumes from deltas after', async () => {
    const { graph, script } = scriptedGraph();
    // staff > n1 > n2 > … > n7: each level a group nested in the one before.
    const chain = [STAFF, ...Array.from({ length: 7 }, (_, i) => `n${i + 1}`)];
    chain.forEach((id, i) => script.groups.set(id, [[{ id, 'members@delta': i + 1 < chain.length ? [subgroup(chain[i + 1]!)] : [] }], [{ id }]]));
    script.users.push([person('a')]);
    const r = refresher(graph, { staff: STAFF });
    await r.refresh();
    const queried = new Set(graph.calls.flatMap((c) => [...c.matchAll(/id eq '([^']+)'/g)].map((m) => m[1]!)));
    const detail = JSON.parse((await store.sync('groups'))!.detail) as { tracked: string[] };
    expect(detail.tracked.every((id) => queried.has(id))).toBe(true);
    expect(await r.refresh()).toMatchObject({ groups: 'delta' });
  });
});
