import type { Finding, ReportedFinding } from '../findings';
import { citeTemplate, type Cite } from '../policy-references';
import type { Control } from './control';

/** The remedy as one line: this subject's own change first, then the control's steps and where to make them. */
export function fixText(control: Control, action?: string): string {
  return [action ? action.replace(/\.?$/, '.') : '', ...control.remediation.steps, `(${control.remediation.adminCentre})`].filter(Boolean).join(' ');
}

/** A finding with its control's severity, clause and remedy filled in, for reports, cards and the tab. */
export function reportFinding(control: Control, f: Finding, cite: Cite = citeTemplate): ReportedFinding {
  return {
    ...f,
    control: control.id,
    title: control.title,
    severity: f.severity ?? control.severity,
    policyRef: cite(control.clause),
    fix: fixText(control, f.action),
  };
}
