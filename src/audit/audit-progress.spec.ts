import { resolve } from 'node:path';
import { useDemoGraph } from '../../test/support/demo-graph';
import { sqliteStorage, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { BudgetPacer } from '../graph/budget-pacer';
import type { GraphAccess } from '../graph/graph-access';
import { sharePointBudgets } from '../graph/published-limits';
import { AuditProgress, describeTimeLeft, type AuditProgressView } from './audit-progress';
import { AuditService } from './audit-service';
import { AuditStore } from './audit-store';

const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));

describe('the audit’s progress', () => {
  it('estimates the time left from SharePoint’s per-minute budget: 100,000 units in a 50,000-licence trust is about 20 minutes', () => {
    const now = 0;
    const pacer = new BudgetPacer(
      sharePointBudgets(50_000).perMinute,
      () => now,
      async () => undefined,
    );
    const progress = new AuditProgress({ sharePointPacer: pacer } as unknown as GraphAccess, new Date(0));
    progress.update({ phase: 'sharing.items', done: 0, total: 50_000, sharePointUnitsLeft: 100_000 });
    const view = progress.view();
    // 4,900 units at once (98% of the 5,000 budget), then 4,900 a minute.
    expect(view.timeLeftMs! / 60_000).toBeCloseTo((100_000 - 4_900) / 4_900, 1);
    expect(describeTimeLeft(view.timeLeftMs)).toBe('about 19 min left');
    expect(view.limitedBy).toBe('SharePoint resource units per minute');
    expect(view.areas.find((a) => a.area === 'sharing.items')).toEqual({ area: 'sharing.items', done: 0, total: 50_000, state: 'reading' });
    expect(view.areas.find((a) => a.area === 'meetings.calendars')!.state).toBe('waiting');
  });

  describe('during a run', () => {
    const ctx = useDemoGraph();
    let t: TestStorage;
    beforeEach(async () => {
      t = await sqliteStorage();
    });
    afterEach(() => t.dispose());

    it('shows every area with done/total until each is done, and the service answers it while the run is under way', async () => {
      const service = new AuditService({ graph: ctx.graph, config, store: new AuditStore(t.storage.db), exchange: ctx.exchange });
      const seen: AuditProgressView[] = [];
      const polled: Array<AuditProgressView | null> = [];
      await service.run({
        trigger: 'test',
        onProgress: (_p, view) => {
          seen.push(view);
          polled.push(service.progress());
        },
      });
      const last = seen.at(-1)!;
      for (const area of ['directory', 'groups.membership', 'mail.inbox-rules', 'sharing.items', 'meetings.calendars']) {
        const a = last.areas.find((x) => x.area === area)!;
        expect(a.state).toBe('done');
        expect(a.done).toBe(a.total);
      }
      const members = ctx.school.users.filter((u) => u.userType === 'Member').length;
      // Before the sites are listed, the estimate is a OneDrive per member; then the drives themselves.
      expect(seen.some((v) => v.areas.some((a) => a.area === 'sharing.items' && a.total === members && a.done === 0))).toBe(true);
      expect(seen.some((v) => v.areas.some((a) => a.area === 'sharing.items' && a.state === 'reading' && a.done > 0 && a.done < a.total))).toBe(true);
      expect(polled.every((v) => v !== null)).toBe(true);
      expect(service.progress()).toBeNull();
    });

    it('paces SharePoint to the minute’s budget instead of meeting 429s', async () => {
      const members = ctx.school.users.filter((u) => u.userType === 'Member').length;
      let now = 0;
      // The tenant enforces the published limits on the same fake clock the client waits on.
      ctx.tenant.throttle.publishedLimits({ licences: members, users: ctx.school.users.length }, () => now);
      const graph = ctx.graph;
      const realSleep = graph.sleep;
      Object.assign(graph, {
        now: () => now,
        sleep: async (ms: number) => {
          now += ms;
          await realSleep(0);
        },
      });
      const budget = sharePointBudgets(members).perMinute.quota;
      const service = new AuditService({ graph, config, store: new AuditStore(t.storage.db), exchange: ctx.exchange });
      const { report } = await service.run({ trigger: 'test' });
      expect(report.stats.resourceUnits).toBeGreaterThan(budget);
      expect(ctx.tenant.throttle.throttled).toBe(0);
      expect(ctx.tenant.throttle.limits!.resourceUnits).toBe(report.stats.resourceUnits);
      // It waited about as long as the budget requires for what went over it, no longer.
      const floor = ((report.stats.resourceUnits - budget) / budget) * 60_000;
      expect(graph.sharePointPacer!.waitedMs).toBeGreaterThanOrEqual(floor);
      expect(graph.sharePointPacer!.waitedMs).toBeLessThan(floor * 1.1 + 2_000);
    });
  });
});
