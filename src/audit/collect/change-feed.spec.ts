import { useDemoGraph } from '../../../test/support/demo-graph';
import { readChangeFeed } from './change-feed';

/**
 * Issue #12: an incremental audit learns what changed from the unified audit log; when the log
 * cannot be searched, the run still completes, reading those areas in full and saying why.
 */
describe('the audit log as the incremental audit reads it', () => {
  const ctx = useDemoGraph();
  const window = () => ({ from: new Date(Date.now() - 24 * 60 * 60_000), to: new Date() });

  it('falls back to reading in full, with the reason, when the day’s searches are spent (429 for hours): never fatal, never a freeze', async () => {
    ctx.tenant.throttle.throttleNext(1, { retryAfterSeconds: 24 * 60 * 60, match: /POST \/security\/auditLog\/queries/ });
    const feed = await readChangeFeed(ctx.graph, window(), Date.now);
    expect(feed.sharingSites).toBeUndefined();
    expect(feed.ruleMailboxes).toBeUndefined();
    expect(feed.unavailable).toEqual({
      sharing: 'the audit log could not be searched (HTTP 429)',
      rules: 'the audit log could not be searched (HTTP 429)',
    });
    expect(ctx.waits).toEqual([]);
  });
});
