import { engines, type TestStorage } from '../../test/support/storages';
import { AuditLog } from '../storage/audit-log';
import { AuditStore, compareRuns } from './audit-store';
import { controlOf } from './controls/catalogue';
import type { ControlResult } from './controls/control';
import { reportFinding } from './controls/report-finding';
import { findingKey, type AuditReport, type Finding, type ReportedFinding } from './findings';
import { citeTemplate } from './policy-references';

const INBOX = 'mail.inbox-rule.external-forward';
const finding = (rule: string, id: string, own: Partial<Finding> = {}): ReportedFinding =>
  reportFinding(controlOf(rule === 'r' ? INBOX : rule)!, {
    rule: rule === 'r' ? INBOX : rule,
    subject: { type: 'mailbox', id, name: id },
    detail: 'd',
    ...own,
  });
const results: ControlResult[] = [
  { control: 'ESAFETY.MAIL.1v1', rule: INBOX, status: 'fail', findings: 1 },
  { control: 'ESAFETY.MAIL.2v1', rule: 'mail.mailbox.external-forward', status: 'not-checked', findings: 0, reason: 'not checked: needs Exchange.ManageAsApp' },
];
const report = (findings: ReportedFinding[], at: string): AuditReport => ({
  tenantId: 't',
  startedAt: at,
  finishedAt: at,
  stats: { requests: 1, batches: 0, throttled: 0, resourceUnits: 0 },
  coverage: [{ check: 'mail.inbox-rules', status: 'checked' }],
  controls: results,
  findings,
});

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

  it('keeps each run with its findings, and finds the last one', async () => {
    const store = new AuditStore(t.storage.db, () => clock);
    const first = await store.saveRun(report([finding('r', 'a')], '2026-11-22T09:00:00Z'), { d1: 'link1' }, 'cli');
    const second = await store.saveRun(report([finding('r', 'a'), finding('r', 'b')], '2026-11-23T09:00:00Z'), { d1: 'link2' }, 'schedule');
    const last = await store.lastRun('t');
    expect(last).toMatchObject({ id: second, findingCount: 2, trigger: 'schedule' });
    expect((await store.lastRun('t', second))!.id).toBe(first);
    expect((await store.findings(second)).map(findingKey).sort()).toEqual([findingKey(finding('r', 'a')), findingKey(finding('r', 'b'))]);
    expect((await new AuditLog(t.storage.db).list()).map((e) => e.action)).toEqual(['audit.run', 'audit.run']);
  });

  it("keeps every control's result with the run, beside the areas it read", async () => {
    const store = new AuditStore(t.storage.db, () => clock);
    await store.saveRun(report([finding('r', 'a')], '2026-11-23T09:00:00Z'), {}, 'cli');
    expect(await store.lastRun('t')).toMatchObject({ coverage: [{ check: 'mail.inbox-rules', status: 'checked' }], controls: results });
  });

  it('stores which control a finding breaks, not a copy of its clause and fix, and gives them back from the catalogue', async () => {
    const store = new AuditStore(t.storage.db, () => clock);
    const disabled = finding('r', 'a', { severity: 'low', action: 'Delete the disabled rule so it cannot be switched back on' });
    const id = await store.saveRun(report([disabled], '2026-11-23T09:00:00Z'), {}, 'cli');
    const row = await t.storage.db.selectFrom('audit_finding').selectAll().where('run_id', '=', id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.policy_ref)).toEqual({ control: 'ESAFETY.MAIL.1v1' });
    expect(row.fix).toBe('Delete the disabled rule so it cannot be switched back on');
    expect(await store.findings(id)).toEqual([disabled]);
    expect(disabled).toMatchObject({
      control: 'ESAFETY.MAIL.1v1',
      severity: 'low',
      policyRef: citeTemplate('noPersonalDataByEmail'),
      fix: expect.stringMatching(/^Delete the disabled rule.*Exchange admin centre/),
    });
  });

  it('reads a run stored before the catalogue as it was stored (a bare coverage list, a full clause in each finding)', async () => {
    const store = new AuditStore(t.storage.db, () => clock);
    await t.storage.db
      .insertInto('audit_run')
      .values({
        id: 'old',
        tenant_id: 't',
        started_at: '2026-11-01T09:00:00Z',
        finished_at: '2026-11-01T09:01:00Z',
        trigger: 'cli',
        stats: '{}',
        coverage: JSON.stringify([{ check: 'mail.inbox-rules', status: 'checked' }]),
        finding_count: 1,
      })
      .execute();
    await t.storage.db
      .insertInto('audit_finding')
      .values({
        run_id: 'old',
        finding_key: `${INBOX}|mailbox|a`,
        rule: INBOX,
        severity: 'high',
        subject_type: 'mailbox',
        subject_id: 'a',
        subject_name: 'a',
        detail: 'd',
        policy_ref: JSON.stringify(citeTemplate('noPersonalDataByEmail')),
        fix: 'Delete the rule.',
      })
      .execute();
    expect(await store.lastRun('t')).toMatchObject({ coverage: [{ check: 'mail.inbox-rules', status: 'checked' }], controls: [] });
    expect(await store.findings('old')).toEqual([
      expect.objectContaining({ control: 'ESAFETY.MAIL.1v1', policyRef: citeTemplate('noPersonalDataByEmail'), fix: 'Delete the rule.' }),
    ]);
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
