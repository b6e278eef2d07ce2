import { csvTable } from '../../report/csv';
import type { AuditReport } from '../findings';

/** One row a finding, for a spreadsheet. */
export function reportCsv(report: AuditReport): string {
  const header = ['rule', 'severity', 'subject_type', 'subject_id', 'subject_name', 'detail', 'policy_file', 'policy_heading', 'fix'];
  return csvTable(header, report.findings.map((f) => [f.rule, f.severity, f.subject.type, f.subject.id, f.subject.name, f.detail, f.policyRef.file, f.policyRef.heading, f.fix]));
}
