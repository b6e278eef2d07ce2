import { engines, type TestStorage } from '../../test/support/storages';
import { AuditLog } from '../storage/audit-log';
import { AuditStore, compareRuns } from './audit-store';
import { findingKey, type AuditReport, type Finding } from './findings';
import { POLICY } from './policy-references';

const finding = (rule: string, id: string): Finding => ({ rule, severity: 'high', subject: { type: 'mailbox', id, name: id }, detail: 'd', policyRef: POLICY.noPersonalDataByEmail, fix: 'f' });
const report = (findings: Finding[], at: string): AuditReport => ({ tenantId: 't', startedAt: at, finishedAt: at, stats: { requests: 1, batches: 0, throttled: 0, resourceUnits: 0 }, coverage: [{ check: 'mail.inbox-rules', status: 'checked' }], findings });

describe('what changed since the last run', () => {
  it('sorts findings into new, still open and resolved', () => {
    const changes = compareRuns([finding('r', 'a'), finding('r', 'b')], [finding('r', 'b'), finding('r', 'c')]);
    expect(changes.new.map((f) => f.subject.id)).toEqual(['c']);
    expect(changes.stillOpen.map((f) => f.subject.id)).toEqual(['b']);
    expect(changes.resolved.map((f) => f.subject.id)).toEqual(['a']);
  });
});

describe.each(engines)('audit runs stored on %s', (_name, open) => {
  let t: TestStorage;
  let clock = new Date('2026-11-23T09:00:00Z');
  beforeEach(async () => {
    t = await open();
    clock = new Date('2026-11-23T09:00:00Z');
  });
  afterEach(() => t.dispose());

  it('keeps each run with its findings and delta links, and finds the last one', async () => {
    const store = new AuditStore(t.storage.db, () => clock);
    const first = await store.saveRun(report([finding('r', 'a')], '2026-11-22T09:00:00Z'), { d1: 'link1' }, 'cli');
    const second = await store.saveRun(report([finding('r', 'a'), finding('r', 'b')], '2026-11-23T09:00:00Z'), { d1: 'link2' }, 'schedule');
    const last = await store.lastRun('t');
    expect(last).toMatchObject({ id: second, findingCount: 2, deltaLinks: { d1: 'link2' }, trigger: 'schedule' });
    expect((await store.lastRun('t', second))!.id).toBe(first);
    expect((await store.findings(second)).map(findingKey).sort()).toEqual([findingKey(finding('r', 'a')), findingKey(finding('r', 'b'))]);
    expect((await new AuditLog(t.storage.db).list()).map((e) => e.action)).toEqual(['audit.run', 'audit.run']);
  });

  it('lets an admin accept a finding with a reason until a date, recorded in the audit log', async () => {
    const store = new AuditStore(t.storage.db, () => clock);
    const key = findingKey(finding('r', 'a'));
    await store.accept(key, 'Exam board moderation, approved by the head', new Date('2026-12-31T00:00:00Z'), 'admin-1');
    expect((await store.activeAcceptances()).get(key)).toMatchObject({ reason: 'Exam board moderation, approved by the head', acceptedBy: 'admin-1' });
    expect((await new AuditLog(t.storage.db).list())[0]).toMatchObject({ action: 'audit.finding.accepted', actorId: 'admin-1', subjectId: key });
    clock = new Date('2027-01-01T00:00:00Z');
    expect((await store.activeAcceptances()).has(key)).toBe(false);
  });

  it('refuses an acceptance without a reason or already expired', async () => {
    const store = new AuditStore(t.storage.db, () => clock);
    await expect(store.accept('k', '  ', new Date('2027-01-01'), 'a')).rejects.toThrow(/reason/);
    await expect(store.accept('k', 'ok', new Date('2026-01-01'), 'a')).rejects.toThrow(/future/);
  });
});
