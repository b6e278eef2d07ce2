import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { useDemoGraph } from '../../test/support/demo-graph';
import { loadSchoolConfig } from '../config/load-school-config';
import { numberedClauses } from '../config/policy-clauses';
import { runAudit } from './run-audit';

const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));

describe('the tenant audit on the demo school', () => {
  const ctx = useDemoGraph();
  // One full audit serves the read-only checks below; the throttling case runs its own.
  let shared: Awaited<ReturnType<typeof runAudit>> | undefined;
  const audit = async () => (shared ??= await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange }));

  it('finds exactly the violations the demo school was seeded with', async () => {
    const { report } = await audit();
    const found = report.findings.map((f) => `${f.rule} ${f.subject.id}`).sort();
    const seeded = ctx.school.seededViolations.map((v) => `${v.rule} ${v.subjectId}`).sort();
    expect(found).toEqual(seeded);
  });

  it('cites the school’s own policy, in its own words, and says how to fix every finding', async () => {
    const { report } = await audit();
    const ownWords = numberedClauses(readFileSync(resolve(__dirname, '../../config/policies/e-safety-policy.md'), 'utf8'));
    for (const f of report.findings) {
      expect(f.policyRef.document).toBe('Information Technology and E-Safety Policy');
      expect(ownWords).toContain(f.policyRef.quote);
      expect(f.policyRef.citation).toMatch(/^the [A-Z][\w ]+ section of the Information Technology and E-Safety Policy \(clause \d\)$/);
      // Never another school's name, nor the template files' hashes.
      expect(JSON.stringify(f)).not.toMatch(/JCoSS|\d{3}_[0-9a-f]{16}/);
      expect(f.fix.length).toBeGreaterThan(10);
    }
  });

  it('reports a disabled forwarding rule at low severity and an enabled one at high', async () => {
    const { report } = await audit();
    const mail = report.findings.filter((f) => f.rule === 'mail.inbox-rule.external-forward');
    expect(mail.filter((f) => f.severity === 'low')).toHaveLength(1);
    expect(mail.filter((f) => f.severity === 'high')).toHaveLength(4);
  });

  it('reports a mailbox that forwards to a recipient since deleted by the name it forwards to, and completes', async () => {
    const [forwarderId, was] = [...ctx.school.exchange.forwarding].find(([, f]) => f.ForwardingAddress)!;
    ctx.school.exchange.forwarding.set(forwarderId, { ...was, ForwardingAddress: 'Former Deputy Head' });
    try {
      const { report, snapshot } = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange });
      expect(report.coverage).toContainEqual({ check: 'mail.mailbox-forwarding', status: 'checked' });
      expect(snapshot.mailboxForwarding).toContainEqual(
        expect.objectContaining({ userId: forwarderId, forwardingSmtpAddress: 'Former Deputy Head', forwardingRecipient: 'Former Deputy Head' }),
      );
    } finally {
      ctx.school.exchange.forwarding.set(forwarderId, was);
    }
  });

  it('says plainly what it could not check instead of passing silently', async () => {
    const { report } = await runAudit({ graph: ctx.graph, config });
    expect(report.coverage).toContainEqual({
      check: 'mail.mailbox-forwarding',
      status: 'not-checked',
      reason: expect.stringMatching(/needs Exchange\.ManageAsApp/),
    });
    expect(report.findings.some((f) => f.rule.startsWith('mail.mailbox') || f.rule.startsWith('mail.tenant'))).toBe(false);
    expect(report.coverage).toContainEqual({ check: 'teams.policies', status: 'not-checked', reason: expect.stringMatching(/--teams-policy/) });
    expect(report.coverage.filter((c) => c.status === 'checked').map((c) => c.check)).toEqual(
      expect.arrayContaining(['mail.inbox-rules', 'sharing.items', 'groups.membership', 'meetings.calendars']),
    );
  });

  it('reads permissions only for items that carry sharing, never for every file', async () => {
    const { report } = await audit();
    const items = ctx.school.drives.reduce((n, d) => n + d.items.length, 0);
    const shared = ctx.school.drives.reduce((n, d) => n + d.items.filter((i) => i.permissions.length).length, 0);
    // Units (SharePoint's published costs): the site list, OneDrives included as personal sites
    // (2 a page of 200), each team site's drives (2), one delta per drive that exists (2: a
    // OneDrive never opened costs nothing), then 5 per shared item; a walk would cost 5 per item.
    const provisioned = new Set(ctx.school.users.filter((u) => u.driveProvisioned).map((u) => u.id));
    const oneDrives = ctx.school.drives.filter((d) => d.ownerUserId && provisioned.has(d.ownerUserId)).length;
    const siteDrives = ctx.school.drives.filter((d) => !d.ownerUserId).length;
    const sitePages = Math.ceil((ctx.school.sites.length + oneDrives) / 200);
    expect(report.stats.resourceUnits).toBeLessThan(items * 5);
    expect(report.stats.resourceUnits).toBe(2 * sitePages + 2 * ctx.school.sites.length + 2 * oneDrives + 2 * siteDrives + 5 * shared);
  });

  it('carries on through throttling: a throttled batch member is retried, nothing is lost', async () => {
    ctx.tenant.throttle.throttleNext(5, { retryAfterSeconds: 2, match: /messageRules/ });
    const { report } = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange });
    expect(report.stats.throttled).toBeGreaterThanOrEqual(5);
    expect(report.findings.filter((f) => f.rule === 'mail.inbox-rule.external-forward')).toHaveLength(5);
    expect(ctx.waits).toContain(2000);
  });
});

describe('the tenant audit on a larger school', () => {
  const ctx = useDemoGraph({ size: { staff: 180, students: 1800, governors: 10 } });
  let shared: Awaited<ReturnType<typeof runAudit>> | undefined;
  const audit = async () => (shared ??= await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange }));

  it('pages through users and group members of more than 999 (several pages, some inside batches)', async () => {
    const { report, snapshot } = await audit();
    expect(snapshot.users).toHaveLength(ctx.school.users.length);
    const allStudents = snapshot.groups.find((g) => g.displayName === 'All Students')!;
    expect(allStudents.memberIds).toHaveLength(1800);
    expect(report.findings.map((f) => `${f.rule} ${f.subject.id}`).sort()).toEqual(ctx.school.seededViolations.map((v) => `${v.rule} ${v.subjectId}`).sort());
  });

  it('skips OneDrives that were never provisioned (404) without failing the sharing check', async () => {
    const { report } = await audit();
    expect(ctx.school.users.filter((u) => u.role === 'student' && !u.driveProvisioned).length).toBeGreaterThan(100);
    expect(report.coverage).toContainEqual({ check: 'sharing.items', status: 'checked' });
  });
});

describe('the tenant audit when Exchange refuses the app', () => {
  const ctx = useDemoGraph({ exchangeAdmin: false });

  it('reports mailbox forwarding and auto-forward as not checked, and checks everything else', async () => {
    const { report } = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange });
    const byCheck = new Map(report.coverage.map((c) => [c.check, c]));
    expect(byCheck.get('mail.mailbox-forwarding')).toMatchObject({ status: 'not-checked', reason: expect.stringMatching(/Exchange administrator role/) });
    expect(byCheck.get('mail.tenant-auto-forward')).toMatchObject({ status: 'not-checked' });
    expect(byCheck.get('mail.inbox-rules')).toMatchObject({ status: 'checked' });
  });
});
