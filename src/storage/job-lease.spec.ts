import { engines, type TestStorage } from '../../test/support/storages';
import { JobLeases } from './job-lease';

describe.each(engines)('job leases on %s', (_name, open) => {
  let t: TestStorage;
  let clock: Date;
  beforeEach(async () => {
    t = await open();
    clock = new Date('2026-11-23T09:00:00Z');
  });
  afterEach(() => t.dispose());

  it('lets one instance hold a lease, and another take it only after it expires', async () => {
    const a = new JobLeases(t.storage.db, 'instance-a', () => clock);
    const b = new JobLeases(t.storage.db, 'instance-b', () => clock);
    expect(await a.acquire('audit', 60_000)).toBe(true);
    expect(await b.acquire('audit', 60_000)).toBe(false);
    expect(await a.acquire('audit', 60_000)).toBe(true);
    clock = new Date('2026-11-23T09:02:00Z');
    expect(await b.acquire('audit', 60_000)).toBe(true);
    expect(await a.acquire('audit', 60_000)).toBe(false);
  });

  it('gives exactly one winner when instances race', async () => {
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((h) => new JobLeases(t.storage.db, h, () => clock).acquire('race', 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('frees a lease its holder releases', async () => {
    const a = new JobLeases(t.storage.db, 'a', () => clock);
    await a.acquire('x', 60_000);
    await a.release('x');
    expect(await new JobLeases(t.storage.db, 'b', () => clock).acquire('x', 60_000)).toBe(true);
  });
});
