/** What an audit produces: findings tied to the control (and so the policy clause) they break, and what was checked. */
import type { AuditArea } from './controls/areas';
import type { ControlResult } from './controls/control';

export type Severity = 'high' | 'medium' | 'low';

/** A clause of one of the school policies in ../shared/policies, cited by file and heading. */
/** A clause of the school's own policy, as findings cite it. */
export interface PolicyRef {
  /** The policy's title in the school's configuration ("Information Technology and E-Safety Policy"). */
  document: string;
  /** Where in it: "clause 2, Remote Working". */
  section: string;
  quote: string;
  /** As a person says it: "the Remote Working section of the E-Safety Policy (clause 2)". */
  citation: string;
}

/**
 * What a check says about one subject. Severity, clause and remedy belong to the control
 * (src/audit/controls/catalogue.ts); a finding carries only what is particular to its subject.
 */
export interface Finding {
  /** The control's rule name (catalogue `rule`). */
  rule: string;
  subject: { type: string; id: string; name: string };
  detail: string;
  /** Only where this subject's state changes the risk (a disabled forwarding rule): else the control's. */
  severity?: Severity;
  /** The exact change for this subject (a PowerShell line naming it), before the control's steps. */
  action?: string;
}

/** A finding as reports, cards and the tab show it: the control's severity, clause and remedy filled in. */
export interface ReportedFinding extends Finding {
  control: string;
  title: string;
  severity: Severity;
  policyRef: PolicyRef;
  fix: string;
}

export interface Coverage {
  check: AuditArea;
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
  /** Every control of the catalogue, each pass, fail or not checked. */
  controls: ControlResult[];
  findings: ReportedFinding[];
}

/** A finding's identity across runs: the same rule on the same subject is the same finding. */
export const findingKey = (f: Pick<Finding, 'rule' | 'subject'>) => `${f.rule}|${f.subject.type}|${f.subject.id}`;

const ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
export const bySeverity = (a: ReportedFinding, b: ReportedFinding) =>
  ORDER[a.severity] - ORDER[b.severity] || a.rule.localeCompare(b.rule) || a.subject.name.localeCompare(b.subject.name);
