import { resolve } from 'node:path';
import { useDemoGraph } from '../../test/support/demo-graph';
import { sqliteStorage, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import { AuditService } from './audit-service';
import { AuditStore } from './audit-store';
import { findingKey } from './findings';

const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));

describe('re-auditing since the last run', () => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  beforeEach(async () => {
    t = await sqliteStorage();
  });
  afterEach(() => t.dispose());

  it('reads only changed drive items, and reports the new and the resolved sharing', async () => {
    const service = new AuditService({ graph: ctx.graph, config, store: new AuditStore(t.storage.db), exchange: ctx.exchange });
    const full = await service.run({ trigger: 'test' });

    // A teacher shares a file with a personal address; another removes an Anyone link.
    const teacherDrive = ctx.school.drives.find((d) => d.ownerUserId === keyPeople(ctx.school).headteacher.id)!;
    const fresh = teacherDrive.items.filter((i) => !i.isFolder)[1]!;
    ctx.tenant.changeSharing(teacherDrive.id, fresh.id, (i) =>
      i.permissions.push({ id: 'p-new', roles: ['read'], grantedToV2: { user: { email: 'cousin@gmail.com', displayName: 'cousin' } } }),
    );
    const anon = full.report.findings.find((f) => f.rule === 'sharing.item.anonymous-link')!;
    const [driveId, itemId] = anon.subject.id.split('/') as [string, string];
    ctx.tenant.changeSharing(driveId, itemId, (i) => (i.permissions = []));

    const incremental = await service.run({ trigger: 'test', sinceLast: true });
    expect(incremental.changes.new.map((f) => f.subject.id)).toEqual([`${teacherDrive.id}/${fresh.id}`]);
    expect(incremental.changes.resolved.map(findingKey)).toEqual([findingKey(anon)]);
    expect(incremental.changes.stillOpen).toHaveLength(full.report.findings.length - 1);
    expect(incremental.report.stats.resourceUnits).toBeLessThan(full.report.stats.resourceUnits);
    // The other Anyone link did not change, so delta did not return it: carried from the last run,
    // it still fails its control, and the result counts it.
    const anyone = incremental.report.controls.find((c) => c.rule === 'sharing.item.anonymous-link');
    expect(anyone).toMatchObject({ control: 'ESAFETY.SHARING.4v1', status: 'fail', findings: 1 });
    for (const c of incremental.report.controls.filter((r) => r.status !== 'not-checked')) {
      expect(c.findings).toBe(incremental.report.findings.filter((f) => f.rule === c.rule).length);
    }
  });

  it('marks a finding an admin has accepted, with the reason', async () => {
    const store = new AuditStore(t.storage.db);
    const service = new AuditService({ graph: ctx.graph, config, store, exchange: ctx.exchange });
    const first = await service.run({ trigger: 'test' });
    const f = first.report.findings.find((x) => x.rule === 'meetings.external-attendee')!;
    await store.accept(findingKey(f), 'Exam board moderation, agreed with the head', new Date(Date.now() + 30 * 86_400_000), 'admin');
    const again = await service.run({ trigger: 'test' });
    expect(again.report.findings.find((x) => findingKey(x) === findingKey(f))!.accepted).toMatchObject({
      reason: 'Exam board moderation, agreed with the head',
    });
  });
});
