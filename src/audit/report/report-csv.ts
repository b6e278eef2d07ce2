import { csvTable } from '../../report/csv';
import type { AuditReport } from '../findings';

/** One row a finding, for a spreadsheet. */
export function reportCsv(report: AuditReport): string {
  const header = ['control', 'rule', 'severity', 'subject_type', 'subject_id', 'subject_name', 'detail', 'policy_document', 'policy_section', 'fix'];
  return csvTable(
    header,
    report.findings.map((f) => [
      f.control,
      f.rule,
      f.severity,
      f.subject.type,
      f.subject.id,
      f.subject.name,
      f.detail,
      f.policyRef.document,
      f.policyRef.section,
      f.fix,
    ]),
  );
}

/** One row a control: what each part of the policy came to in this run. */
export function controlsCsv(report: AuditReport): string {
  return csvTable(
    ['control', 'rule', 'result', 'findings', 'reason'],
    report.controls.map((c) => [c.control, c.rule, c.status, String(c.findings), c.reason ?? '']),
  );
}
