import { sql, type Kysely, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { engines, type TestStorage } from '../../test/support/storages';
import { migrateToLatest } from '../storage/migrator';
import { AuditStore } from './audit-store';
import type { AuditReport } from './findings';

const report = (at: string): AuditReport => ({
  tenantId: 't',
  startedAt: at,
  finishedAt: at,
  stats: { requests: 1, batches: 0, throttled: 0, resourceUnits: 0 },
  coverage: [{ check: 'sharing.items', status: 'checked' }],
  controls: [],
  findings: [],
});
const day = (n: number) => new Date(Date.UTC(2026, 9, 1 + n, 2)).toISOString();

/**
 * A school of 50,000 has about 50,000 drives (a OneDrive each, and the sites'), and each delta
 * link is a URL with a state token: about 6 MiB of links a run, as issue 16 measured.
 */
const DRIVES = 50_000;
function deltaLinks(): Record<string, string> {
  const links: Record<string, string> = {};
  for (let i = 0; i < DRIVES; i++) {
    const site = `site:demo-academy.sharepoint.com,${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;
    links[site] = `https://graph.microsoft.com/v1.0/sites/${site.slice(5)}/drive/root/delta?token=${String(i).padStart(28, 'a')}`;
  }
  return links;
}

/** Records what each statement reads: the tables it names and the bytes of the rows it returns. */
function recorder() {
  const seen = { statements: [] as string[], bytes: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }: { node: RootOperationNode }) => {
      seen.statements.push(JSON.stringify(node));
      return node;
    },
    transformResult: async ({ result }) => {
      seen.bytes += JSON.stringify(result.rows).length;
      return result;
    },
  };
  return { seen, plugin };
}

describe.each(engines)('delta links are kept once, beside the run history, on %s', (_name, open) => {
  let t: TestStorage;
  afterEach(() => t.dispose());

  it("keeps each drive's newest link: a full run's replace them all, an incremental run's only those it read", async () => {
    t = await open();
    const store = new AuditStore(t.storage.db);
    await store.saveRun(report(day(0)), { d1: 'full-1', d2: 'full-2', gone: 'full-3' }, 'schedule');
    await store.saveRun(report(day(1)), { d1: 'incremental-1' }, 'cli', null, { incremental: true });
    expect(await store.deltaLinks('t')).toEqual({ d1: 'incremental-1', d2: 'full-2', gone: 'full-3' });
    // A drive a full run did not read (deleted, or its read failed) is read from scratch next time.
    await store.saveRun(report(day(2)), { d1: 'full-1b', d2: 'full-2b' }, 'schedule');
    expect(await store.deltaLinks('t')).toEqual({ d1: 'full-1b', d2: 'full-2b' });
    expect(await store.deltaLinks('another tenant')).toEqual({});
  });

  it('at 50,000 drives, 30 runs keep one copy of the links, and the trend and the last run never read them', async () => {
    t = await open();
    const store = new AuditStore(t.storage.db);
    // The daily run is a full one; now and then an admin re-audits since the last run, and 1% of
    // the drives answer a new link.
    const links = deltaLinks();
    const changed = Object.fromEntries(
      Object.keys(links)
        .slice(0, DRIVES / 100)
        .map((k) => [k, `${links[k]}-changed`]),
    );
    for (let run = 0; run < 30; run++) {
      if (run % 7 === 1) await store.saveRun(report(day(run)), changed, 'tab', null, { incremental: true });
      else await store.saveRun(report(day(run)), links, 'schedule');
    }
    const oneCopy = JSON.stringify(links).length;
    expect(oneCopy).toBeGreaterThan(6_000_000);

    // The last run (29) was incremental: its links replaced those of the drives it read.
    const kept = await store.deltaLinks('t');
    expect(Object.keys(kept)).toHaveLength(DRIVES);
    expect(kept['site:demo-academy.sharepoint.com,00000042-0000-4000-8000-000000000000']).toMatch(/-changed$/);
    expect(kept['site:demo-academy.sharepoint.com,00049999-0000-4000-8000-000000000000']).toMatch(/a49999$/);

    const stored = await t.storage.db
      .selectFrom('audit_delta_links')
      .select([(eb) => eb.fn.countAll<number>().as('rows'), sql<number>`sum(length(links))`.as('bytes')])
      .executeTakeFirstOrThrow();
    expect(Number(stored.rows)).toBe(1);
    expect(Number(stored.bytes)).toBe(JSON.stringify(kept).length);
    // The run history holds the runs' summaries only: a few hundred bytes a run, not 6 MiB.
    const history = await t.storage.db
      .selectFrom('audit_run')
      .select([(eb) => eb.fn.countAll<number>().as('runs'), sql<number>`sum(length(stats) + length(coverage))`.as('bytes')])
      .executeTakeFirstOrThrow();
    expect(Number(history.runs)).toBe(30);
    expect(Number(history.bytes)).toBeLessThan(30 * 500);
    const { seen, plugin } = recorder();
    const watched = new AuditStore(t.storage.db.withPlugin(plugin));
    const trend = await watched.trend('t');
    expect(trend).toHaveLength(30);
    expect(seen.statements.some((s) => s.includes('delta_links'))).toBe(false);
    expect(seen.bytes).toBeLessThan(30 * 200);
    seen.bytes = 0;
    await watched.lastRun('t');
    expect(seen.statements.some((s) => s.includes('delta_links'))).toBe(false);
    expect(seen.bytes).toBeLessThan(2_000);
  }, 120_000);

  it("upgrades a database whose runs each held the links: the newest run's links are kept, once", async () => {
    t = await open('0012-governance');
    const db = t.storage.db as unknown as Kysely<{ audit_run: Record<string, unknown> }>;
    const run = (id: string, tenant: string, at: string, links: Record<string, string>) => ({
      id,
      tenant_id: tenant,
      started_at: at,
      finished_at: at,
      trigger: 'schedule',
      stats: '{}',
      coverage: '[]',
      delta_links: JSON.stringify(links),
      finding_count: 0,
    });
    await db
      .insertInto('audit_run')
      .values([
        run('old', 't', day(0), { d1: 'old-1', d2: 'old-2' }),
        run('new', 't', day(1), { d1: 'new-1', d2: 'old-2' }),
        run('other', 'u', day(0), { e1: 'u-1' }),
      ])
      .execute();
    await migrateToLatest(t.storage);
    const store = new AuditStore(t.storage.db);
    expect(await store.deltaLinks('t')).toEqual({ d1: 'new-1', d2: 'old-2' });
    expect(await store.deltaLinks('u')).toEqual({ e1: 'u-1' });
    expect((await store.lastRun('t'))!.id).toBe('new');
  });
});
