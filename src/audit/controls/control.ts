import type { Severity } from '../findings';
import type { ClauseKey } from '../policy-references';
import type { AuditArea } from './areas';

/**
 * One control of the audit, declared once as data (after CISA ScubaGear's baselines: a stable id
 * with a version, `ESAFETY.MAIL.1v1`). The version goes up when what the control tests changes;
 * `rule` stays, so findings, acceptances and run-to-run comparisons carry across versions.
 */
export interface Control {
  id: `ESAFETY.${string}.${number}v${number}`;
  /** The name every finding of this control carries (and is keyed by). */
  rule: string;
  title: string;
  severity: Severity;
  /** The collected area it reads: without that area it is "not checked", never a pass. */
  area: AuditArea;
  /** The school policy clause it enforces (src/audit/policy-references.ts). */
  clause: ClauseKey;
  /** Why the school cares, in the school's words. */
  rationale: string;
  remediation: {
    /** Where an admin makes the change, as the admin centre's menu path. */
    adminCentre: string;
    steps: readonly string[];
  };
}

/** A control's outcome in one run: every control gives one, every run. */
export interface ControlResult {
  control: Control['id'];
  rule: string;
  status: 'pass' | 'fail' | 'not-checked';
  findings: number;
  /** Why it was not checked, or (on a pass or fail) which part of its area was not read. */
  reason?: string;
}
