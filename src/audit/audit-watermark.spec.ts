import { engines, type TestStorage } from '../../test/support/storages';
import { AuditWatermarks } from './audit-watermark';

describe.each(engines)('the incremental audit’s watermark on %s', (_name, open) => {
  let t: TestStorage;
  beforeEach(async () => (t = await open()));
  afterEach(() => t.dispose());

  it('is absent before any run, then kept per tenant and moved on by each run', async () => {
    const marks = new AuditWatermarks(t.storage.db, () => new Date('2026-11-23T09:00:00Z'));
    expect(await marks.get('school')).toBeUndefined();
    await marks.set('school', { changesFrom: '2026-11-22T09:00:00.000Z', lastFullAt: '2026-11-22T09:00:00.000Z' });
    await marks.set('other', { changesFrom: '2026-11-01T00:00:00.000Z', lastFullAt: '2026-11-01T00:00:00.000Z' });
    await marks.set('school', { changesFrom: '2026-11-23T09:00:00.000Z', lastFullAt: '2026-11-22T09:00:00.000Z' });
    expect(await marks.get('school')).toEqual({ changesFrom: '2026-11-23T09:00:00.000Z', lastFullAt: '2026-11-22T09:00:00.000Z' });
    expect(await marks.get('other')).toEqual({ changesFrom: '2026-11-01T00:00:00.000Z', lastFullAt: '2026-11-01T00:00:00.000Z' });
  });
});
