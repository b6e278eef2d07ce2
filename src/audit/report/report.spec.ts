import type { AuditReport } from '../findings';
import { POLICY } from '../policy-references';
import { reportCsv } from './report-csv';
import { reportHtml } from './report-html';

const report: AuditReport = {
  tenantId: 't',
  startedAt: '2026-11-23T09:00:00Z',
  finishedAt: '2026-11-23T09:01:00Z',
  stats: { requests: 10, batches: 2, throttled: 1, resourceUnits: 20 },
  coverage: [
    { check: 'mail.mailbox-forwarding', status: 'not-checked', reason: 'not checked: needs Exchange.ManageAsApp' },
    { check: 'meetings.calendars', status: 'partial', reason: 'partial: meeting settings not checked for amy@school.org.uk' },
  ],
  findings: [
    { rule: 'sharing.item.external-user', severity: 'high', subject: { type: 'drive-item', id: 'd/i', name: '=HYPERLINK("x")' }, detail: 'Shared "Plan, v2" with <script>alert(1)</script>', policyRef: POLICY.personalDataSentSecurely, fix: 'Remove it' },
  ],
};

describe('audit reports', () => {
  it('CSV quotes commas and quotes, and never lets a cell run as a formula', () => {
    const [, row] = reportCsv(report).trim().split('\r\n');
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain('"Shared ""Plan, v2"" with <script>alert(1)</script>"');
  });

  it('HTML escapes everything from the tenant and lists what was not checked', () => {
    const html = reportHtml(report, 'Demo <Academy>');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('Demo &lt;Academy&gt;');
    expect(html).toContain('needs Exchange.ManageAsApp');
    expect(html).toContain('partial: meeting settings not checked for amy@school.org.uk');
  });
});
