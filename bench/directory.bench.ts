/**
 * The school directory kept from Graph deltas (issue #16): `npm run bench:directory -- [--users 2000,50000] [--json]`.
 *
 * For each size, a demo school's directory is read into the database whole (a first refresh:
 * /users/delta and /groups/delta from the start), then 1% of the school changes (new starters,
 * leavers, renamed people, people moving between the tracked groups) and the next refresh reads only
 * that. Printed against the full refresh measured in the same run:
 *   requests of the delta refresh / requests of the full refresh   (small: it reads the change, not the school)
 *   wall time of the delta refresh / wall time of the full refresh
 *   differences between the copy kept by deltas and a fresh full read of the changed school (0)
 * The demo tenant answers in this process (msw), so wall time includes the simulated Graph's work.
 * With --json, one JSON object per size on its own line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setupServer } from 'msw/node';
import { loadSchoolConfig } from '../src/config/load-school-config';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { generateSchool, sizeForUsers } from '../src/demo-tenant/school-generator';
import type { DemoSchool, DemoUser } from '../src/demo-tenant/school-model';
import { GraphAccess } from '../src/graph/graph-access';
import { tokenSourceFor } from '../src/graph/graph-auth';
import { DirectoryRefresher } from '../src/school/directory-refresh';
import { DirectoryStore } from '../src/school/directory-store';
import { openStorage, type Storage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const sizes = arg('users', '2000,50000').split(',').map(Number);
const asJson = process.argv.includes('--json');
const say = (line: string) => (asJson ? process.stderr : process.stdout).write(`${line}\n`);
const BASE = 'https://graph.microsoft.com/v1.0';
const config = loadSchoolConfig(resolve(__dirname, '..', '..', 'config', 'demo-school.yaml'));

async function freshStorage(): Promise<Storage> {
  const storage = openStorage(`sqlite:${join(mkdtempSync(join(tmpdir(), 'directory-bench-')), 'directory.db')}`);
  await migrateToLatest(storage);
  return storage;
}

function refresherOn(storage: Storage) {
  const graph = new GraphAccess({ baseUrl: BASE, tokens: tokenSourceFor({ mode: 'demo' }, BASE) });
  const store = new DirectoryStore(storage.db);
  return { store, refresher: new DirectoryRefresher({ graph, store, config }) };
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** 1% of the school changes: new starters and leavers (each in the tracked groups), renames, moves between groups. */
function changeOnePercent(school: DemoSchool): number {
  const members = school.users.filter((u) => u.userType === 'Member');
  const step = Math.max(1, Math.floor(100 / 0.25));
  const staff = school.groups.find((g) => g.kind === 'staff')!;
  const students = school.groups.find((g) => g.kind === 'students')!;
  let changed = 0;
  // A quarter of the change each: leavers, starters, renames, moves.
  const leavers = members.filter((_, i) => i % step === 1);
  for (const leaver of leavers) {
    school.users.splice(school.users.indexOf(leaver), 1);
    for (const g of school.groups) g.memberIds = g.memberIds.filter((id) => id !== leaver.id);
  }
  changed += leavers.length;
  for (let n = 0; n < leavers.length; n++) {
    const template = leavers[n]!;
    const starter: DemoUser = {
      ...template,
      id: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
      displayName: `New Starter ${n}`,
      userPrincipalName: `new.starter${n}@${template.userPrincipalName.split('@')[1]}`,
      mail: `new.starter${n}@${template.userPrincipalName.split('@')[1]}`,
    };
    school.users.push(starter);
    (template.role === 'staff' ? staff : students).memberIds.push(starter.id);
    changed += 1;
  }
  for (const u of members.filter((_, i) => i % step === 2)) {
    u.displayName = `${u.displayName} (renamed)`;
    changed += 1;
  }
  // People moving between tracked groups: a pupil who becomes a member of staff.
  for (const id of students.memberIds.filter((_, i) => i % step === 3)) {
    students.memberIds = students.memberIds.filter((m) => m !== id);
    staff.memberIds.push(id);
    changed += 1;
  }
  return changed;
}

/** Rows in one copy and not the other, users and memberships. */
async function differences(a: DirectoryStore, b: DirectoryStore): Promise<number> {
  const users = async (s: DirectoryStore) => new Set([...(await s.names())].map(([id, n]) => `${id}|${n.displayName}|${n.userPrincipalName}`));
  const members = async (s: DirectoryStore) => new Set((await s.members()).map((m) => `${m.groupId}|${m.memberId}`));
  const apart = (x: Set<string>, y: Set<string>) => [...x].filter((k) => !y.has(k)).length + [...y].filter((k) => !x.has(k)).length;
  return apart(await users(a), await users(b)) + apart(await members(a), await members(b));
}

async function main(): Promise<void> {
  for (const users of sizes) {
    const school = generateSchool({ size: sizeForUsers(users) });
    const server = setupServer(...createDemoTenant(school).handlers);
    server.listen({ onUnhandledRequest: 'error' });
    const kept = await freshStorage();
    const { store, refresher } = refresherOn(kept);
    const full = await timed(() => refresher.refresh());
    const changed = changeOnePercent(school);
    const delta = await timed(() => refresher.refresh());
    // What a first refresh of the changed school reads: the delta-kept copy must say the same.
    const check = await freshStorage();
    const reread = refresherOn(check);
    await reread.refresher.refresh();
    const missed = await differences(store, reread.store);
    const result = {
      users: school.users.length,
      changed,
      full: { requests: full.result.requests, ms: Math.round(full.ms), kind: `${full.result.users}/${full.result.groups}` },
      delta: { requests: delta.result.requests, ms: Math.round(delta.ms), kind: `${delta.result.users}/${delta.result.groups}` },
      requestRatio: Number((delta.result.requests / full.result.requests).toFixed(3)),
      wallRatio: Number((delta.ms / full.ms).toFixed(3)),
      differences: missed,
    };
    say(
      `directory, ${result.users} users: full refresh ${result.full.requests} requests in ${(full.ms / 1000).toFixed(1)} s (${result.full.kind}); ` +
        `after ${changed} changes (1%), delta refresh ${result.delta.requests} requests in ${(delta.ms / 1000).toFixed(1)} s (${result.delta.kind}): ` +
        `requests ${result.requestRatio} and wall ${result.wallRatio} of the full refresh; differences from a fresh full read ${missed} (target 0)`,
    );
    if (asJson) process.stdout.write(`${JSON.stringify(result)}\n`);
    server.close();
    await kept.close();
    await check.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
