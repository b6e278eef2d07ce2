import type { AuditReport } from '../findings';

const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One row a finding, for a spreadsheet. A leading = + - @ is neutralised so Excel never runs it. */
export function reportCsv(report: AuditReport): string {
  const safe = (v: string) => cell(/^[=+\-@]/.test(v) ? `'${v}` : v);
  const header = ['rule', 'severity', 'subject_type', 'subject_id', 'subject_name', 'detail', 'policy_file', 'policy_heading', 'fix'];
  const rows = report.findings.map((f) => [f.rule, f.severity, f.subject.type, f.subject.id, f.subject.name, f.detail, f.policyRef.file, f.policyRef.heading, f.fix].map(safe).join(','));
  return [header.join(','), ...rows].join('\r\n') + '\r\n';
}
