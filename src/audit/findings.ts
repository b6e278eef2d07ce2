/** What an audit produces: findings tied to the policy clause they break, and what was checked. */
export type Severity = 'high' | 'medium' | 'low';

/** A clause of one of the school policies in ../shared/policies, cited by file and heading. */
export interface PolicyRef {
  file: string;
  heading: string;
  quote: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  subject: { type: string; id: string; name: string };
  detail: string;
  policyRef: PolicyRef;
  fix: string;
}

export interface Coverage {
  check: string;
  /** `partial`: read, but not all of it (the reason says what is missing); its rules still run. */
  status: 'checked' | 'partial' | 'not-checked';
  reason?: string;
}

export interface AuditStats {
  requests: number;
  batches: number;
  throttled: number;
  resourceUnits: number;
}

export interface AuditReport {
  tenantId: string;
  startedAt: string;
  finishedAt: string;
  stats: AuditStats;
  coverage: Coverage[];
  findings: Finding[];
}

/** A finding's identity across runs: the same rule on the same subject is the same finding. */
export const findingKey = (f: Pick<Finding, 'rule' | 'subject'>) => `${f.rule}|${f.subject.type}|${f.subject.id}`;

const ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
export const bySeverity = (a: Finding, b: Finding) => ORDER[a.severity] - ORDER[b.severity] || a.rule.localeCompare(b.rule) || a.subject.name.localeCompare(b.subject.name);
