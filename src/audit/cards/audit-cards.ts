import type { AcceptedFinding } from '../audit-service';
import type { FindingChanges } from '../audit-store';
import { renderCard, type AdaptiveCardJson } from '../../cards/render-card';

const summaryTemplate = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Tenant audit: ${school}', weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: '${when}', isSubtle: true, spacing: 'None', wrap: true },
    {
      type: 'FactSet',
      facts: [
        { title: 'Open findings', value: '${open} (${high} high)' },
        { title: 'New since last run', value: '${newCount}' },
        { title: 'Resolved', value: '${resolvedCount}' },
        { title: 'Not checked', value: '${notChecked}' },
      ],
    },
    { type: 'TextBlock', $when: '${newHigh.length > 0}', text: 'New high-severity findings', weight: 'Bolder', wrap: true, spacing: 'Medium' },
    { type: 'TextBlock', $data: '${newHigh}', text: '• ${title}', wrap: true, spacing: 'None' },
  ],
  actions: [{ type: 'Action.OpenUrl', title: 'Open the audit', url: '${link}' }],
};

export function auditSummaryCard(data: {
  school: string;
  finishedAt: string;
  findings: AcceptedFinding[];
  changes: FindingChanges;
  notChecked: number;
  link: string;
}): AdaptiveCardJson {
  const open = data.findings.filter((f) => !f.accepted);
  return renderCard(summaryTemplate, {
    school: data.school,
    when: `Finished ${data.finishedAt.slice(0, 16).replace('T', ' ')} UTC`,
    open: open.length,
    high: open.filter((f) => f.severity === 'high').length,
    newCount: data.changes.new.length,
    resolvedCount: data.changes.resolved.length,
    notChecked: data.notChecked,
    newHigh: data.changes.new
      .filter((f) => f.severity === 'high')
      .slice(0, 10)
      .map((f) => ({ title: `${f.subject.name}: ${f.rule}` })),
    link: data.link,
  });
}

const findingTemplate = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'New high-severity finding', color: 'Attention', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: '${subject}', size: 'Medium', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: '${detail}', wrap: true },
    { type: 'TextBlock', text: '“${quote}” (${citation})', isSubtle: true, wrap: true },
    { type: 'TextBlock', text: '**How to fix:** ${fix}', wrap: true },
  ],
  actions: [{ type: 'Action.OpenUrl', title: 'Open the audit', url: '${link}' }],
};

export function auditFindingCard(f: AcceptedFinding, link: string): AdaptiveCardJson {
  return renderCard(findingTemplate, {
    subject: f.subject.name,
    detail: f.detail,
    quote: f.policyRef.quote,
    citation: f.policyRef.citation,
    fix: f.fix,
    link,
  });
}
