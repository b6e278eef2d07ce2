import { CONTROLS } from './controls/catalogue';
import { reportFinding } from './controls/report-finding';
import { auditFindingCard } from './cards/audit-cards';
import { reportHtml } from './report/report-html';
import { citeFrom } from './policy-references';
import type { SchoolConfig } from '../config/school-config';

/** A school with its own policy names and numbering (as loadSchoolConfig leaves it: quotes filled from its files). */
const stMarys = {
  policies: [{ id: 'online-safety', title: 'Online Safety Policy' }],
  clauses: {
    teamsWithinSchool: { policy: 'online-safety', clause: 9, section: 'Video Lessons', quote: 'Only St Mary’s accounts may join our Teams meetings.' },
  },
} as unknown as Pick<SchoolConfig, 'clauses' | 'policies'>;

describe('findings cite the school’s own policy, never another school’s', () => {
  const control = CONTROLS.find((c) => c.clause === 'teamsWithinSchool')!;
  const finding = reportFinding(
    control,
    { rule: control.rule, subject: { type: 'group', id: 'g1', name: '7A English' }, detail: 'a guest in a class team' },
    citeFrom(stMarys),
  );

  it('names the school’s document and section, and quotes its words', () => {
    expect(finding.policyRef).toEqual({
      document: 'Online Safety Policy',
      section: 'clause 9, Video Lessons',
      quote: 'Only St Mary’s accounts may join our Teams meetings.',
      citation: 'the Video Lessons section of the Online Safety Policy (clause 9)',
    });
  });

  it('says so on the card and in the report, with no other school’s name or file', () => {
    const card = JSON.stringify(auditFindingCard({ ...finding }, 'https://example.test'));
    expect(card).toContain('the Video Lessons section of the Online Safety Policy (clause 9)');
    const html = reportHtml(
      {
        tenantId: 't',
        startedAt: '2026-11-24T09:00:00Z',
        finishedAt: '2026-11-24T09:01:00Z',
        stats: { requests: 1, batches: 0, throttled: 0, resourceUnits: 0 },
        coverage: [],
        controls: [],
        findings: [finding],
      },
      'St Mary’s School',
    );
    expect(html).toContain('Only St Mary’s accounts may join our Teams meetings.');
    for (const text of [card, html]) expect(text).not.toMatch(/JCoSS|\d{3}_[0-9a-f]{16}\.txt|policy 00\d/);
  });
});
