import type { AuditReport } from '../findings';
import { citeTemplate } from '../policy-references';
import { controlsCsv, reportCsv } from './report-csv';
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
  controls: [
    { control: 'ESAFETY.SHARING.5v1', rule: 'sharing.item.external-user', status: 'fail', findings: 1 },
    { control: 'ESAFETY.SHARING.4v1', rule: 'sharing.item.anonymous-link', status: 'pass', findings: 0 },
    {
      control: 'ESAFETY.MAIL.2v1',
      rule: 'mail.mailbox.external-forward',
      status: 'not-checked',
      findings: 0,
      reason: 'not checked: needs Exchange.ManageAsApp',
    },
  ],
  findings: [
    {
      control: 'ESAFETY.SHARING.5v1',
      title: 'No file or folder is shared with someone outside the school',
      rule: 'sharing.item.external-user',
      severity: 'high',
      subject: { type: 'drive-item', id: 'd/i', name: '=HYPERLINK("x")' },
      detail: 'Shared "Plan, v2" with <script>alert(1)</script>',
      policyRef: citeTemplate('personalDataSentSecurely'),
      fix: 'Remove it',
    },
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

  it('gives every control its result: a pass is listed as a pass, a control not checked says why', () => {
    const html = reportHtml(report, 'Demo Academy');
    expect(html).toContain('1 pass, 1 fail, 1 not checked.');
    expect(html).toMatch(/<tr class="pass"><td>ESAFETY\.SHARING\.4v1<\/td><td>No file or folder is shared by an Anyone link<\/td><td>pass<\/td>/);
    expect(html).toMatch(/<tr class="fail"><td>ESAFETY\.SHARING\.5v1<\/td>.*<td>fail \(1\)<\/td>/);
    expect(html).toMatch(/<tr class="not-checked"><td>ESAFETY\.MAIL\.2v1<\/td>.*<td>not checked<\/td><td>not checked: needs Exchange\.ManageAsApp<\/td>/);
    expect(controlsCsv(report).trim().split('\r\n')).toEqual([
      'control,rule,result,findings,reason',
      'ESAFETY.SHARING.5v1,sharing.item.external-user,fail,1,',
      'ESAFETY.SHARING.4v1,sharing.item.anonymous-link,pass,0,',
      'ESAFETY.MAIL.2v1,mail.mailbox.external-forward,not-checked,0,not checked: needs Exchange.ManageAsApp',
    ]);
  });
});
