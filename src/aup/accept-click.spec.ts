import {
  sql,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { useDemoGraph } from '../../test/support/demo-graph';
import { aupWorld } from '../../test/support/aup-world';
import { engines, type TestStorage } from '../../test/support/storages';
import { keyPeople } from '../demo-tenant/school-generator';
import { RecordingNotifier } from '../notify/notifier';
import type { Person } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import * as cards from './cards/aup-card';

/** Every statement a Kysely instance runs, as its operation tree, to count what a click costs. */
class Statements implements KyselyPlugin {
  readonly seen: RootOperationNode[] = [];
  private readonly nodes = new WeakMap<object, RootOperationNode>();
  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.set(queryId, node);
    return node;
  }
  // Each statement run, by its result: a precompiled query is transformed once and run many times.
  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const node = this.nodes.get(queryId);
    if (node) this.seen.push(node);
    return result;
  }
  /** Statements that read a whole policy version row (selectAll from the policy_version table itself). */
  get versionReads(): number {
    return this.seen.filter(
      (n) =>
        n.kind === 'SelectQueryNode' &&
        (n.from?.froms ?? []).some((f) => f.kind === 'TableNode' && JSON.stringify(f).includes('"policy_version"')) &&
        JSON.stringify(n.selections ?? []).includes('SelectAllNode'),
    ).length;
  }
}

/** At the start of term a whole school presses "I accept" within minutes: each click must be cheap. */
describe.each(engines)('an "I accept" click on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  beforeEach(async () => {
    t = await open();
  });
  afterEach(() => t.dispose());

  const staff = async (w: ReturnType<typeof aupWorld>, n: number): Promise<Person[]> => {
    const ids = ctx.school.groups.find((g) => g.mail.startsWith('allstaff'))!.memberIds.slice(0, n);
    return Promise.all(ids.map(async (id) => (await w.directory.person(id))!));
  };

  it('reads a published version from the database once for many clicks, and costs a few statements each', async () => {
    const admin = aupWorld(t.storage, ctx.graph, new RecordingNotifier());
    const itAdmin = (await admin.directory.person(keyPeople(ctx.school).itAdmin.id))!;
    const { version } = await admin.service.publish('staff-aup', {}, itAdmin);
    // Another instance: it has never seen this version.
    const statements = new Statements();
    const other = aupWorld({ ...t.storage, db: t.storage.db.withPlugin(statements) }, ctx.graph, new RecordingNotifier());
    const people = await staff(other, 20);
    statements.seen.length = 0;
    for (const p of people) expect((await other.service.accept(version.id, p, 'teams-card')).created).toBe(true);
    expect(statements.versionReads).toBe(1);
    // Each click: one read (what has this person accepted, and is the version still the newest) and
    // the write (on SQLite the acceptance and its audit entry apart, in one transaction).
    const perClick = (statements.seen.length - 1) / people.length;
    expect(perClick).toBeLessThanOrEqual(t.storage.engine === 'postgres' ? 2 : 3);
  });

  it('records clicks arriving together once each, sharing their statements on PostgreSQL (a double click included)', async () => {
    const admin = aupWorld(t.storage, ctx.graph, new RecordingNotifier());
    const itAdmin = (await admin.directory.person(keyPeople(ctx.school).itAdmin.id))!;
    const { version } = await admin.service.publish('staff-aup', {}, itAdmin);
    const statements = new Statements();
    const db = t.storage.db.withPlugin(statements);
    const transactions = jest.spyOn(db, 'transaction');
    const w = aupWorld({ ...t.storage, db }, ctx.graph, new RecordingNotifier());
    const people = await staff(w, 40);
    await w.service.accept(version.id, people[0]!, 'teams-card');
    statements.seen.length = 0;
    transactions.mockClear();
    // The start of term: forty people at once, five of them twice.
    const clicks = [...people, ...people.slice(0, 5)];
    const answers = await Promise.all(clicks.map((p) => w.service.accept(version.id, p, 'teams-card')));
    expect(answers.filter((a) => a.created)).toHaveLength(39);
    const rows = await t.storage.db.selectFrom('acceptance').select('person_id').execute();
    expect(rows.map((r) => r.person_id).sort()).toEqual(people.map((p) => p.id).sort());
    expect(await new AuditLog(t.storage.db).list({ subjectType: 'policy-version' })).toHaveLength(40);
    // PostgreSQL: one read and one write for all of them (and a look at the winner for a double
    // click that lost), not two statements a click. SQLite runs in the app's process, so there are no
    // round trips to share, but its commits wait for the disk: one transaction writes them all.
    if (t.storage.engine === 'postgres') expect(statements.seen.length).toBeLessThanOrEqual(2 + 5);
    else expect(transactions).toHaveBeenCalledTimes(1);
  });

  it('renders the accepted card once for everyone accepting that version on one day', async () => {
    const w = aupWorld(t.storage, ctx.graph, new RecordingNotifier());
    const itAdmin = (await w.directory.person(keyPeople(ctx.school).itAdmin.id))!;
    const { version } = await w.service.publish('staff-aup', {}, itAdmin);
    const people = await staff(w, 5);
    const render = jest.spyOn(cards, 'aupCard');
    const answers = [];
    for (const p of people) answers.push((await w.service.accept(version.id, p, 'teams-card')).card);
    expect(render).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(answers.at(-1))).toContain('Accepted version 1 on 2026-11-23');
    w.clock.now = new Date('2026-11-24T09:00:00Z');
    expect(JSON.stringify((await w.service.accept(version.id, people[0]!, 'teams-card')).card)).toContain('on 2026-11-23');
    render.mockRestore();
  });

  it('writes the acceptance and its audit entry in one transaction: neither without the other', async () => {
    const w = aupWorld(t.storage, ctx.graph, new RecordingNotifier());
    const [amy] = await staff(w, 1);
    const itAdmin = (await w.directory.person(keyPeople(ctx.school).itAdmin.id))!;
    const { version } = await w.service.publish('staff-aup', {}, itAdmin);
    // The audit log refuses the entry (as a full disk or a lost connection would): no acceptance either.
    const run = (text: string) => sql.raw(text).execute(t.storage.db);
    if (t.storage.engine === 'postgres') {
      await run(`create function no_audit() returns trigger language plpgsql as $$ begin raise exception 'audit log unavailable'; end $$`);
      await run('create trigger no_audit before insert on audit_log for each row execute function no_audit()');
    } else await run("create trigger no_audit before insert on audit_log begin select raise(abort, 'audit log unavailable'); end");
    await expect(w.service.accept(version.id, amy!, 'teams-card')).rejects.toMatchObject({ message: expect.stringMatching(/audit log unavailable/) });
    expect(await t.storage.db.selectFrom('acceptance').selectAll().execute()).toEqual([]);
    await run(`drop trigger no_audit${t.storage.engine === 'postgres' ? ' on audit_log' : ''}`);
    // Clicked again, twice at once: one acceptance, one audit entry.
    const clicks = await Promise.all([1, 2].map(() => w.service.accept(version.id, amy!, 'teams-card')));
    expect(clicks.filter((c) => c.created)).toHaveLength(1);
    expect(await t.storage.db.selectFrom('acceptance').selectAll().execute()).toHaveLength(1);
    expect((await new AuditLog(t.storage.db).list({ subjectType: 'policy-version' })).map((e) => e.action)).toEqual(['policy.accepted']);
  });
});
