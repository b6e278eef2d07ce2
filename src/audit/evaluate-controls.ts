import { CONTROLS } from './controls/catalogue';
import type { Control, ControlResult } from './controls/control';
import { reportFinding } from './controls/report-finding';
import { citeTemplate, type Cite } from './policy-references';
import { bySeverity, type Coverage, type ReportedFinding } from './findings';
import { AUDIT_RULES } from './rules';
import type { AuditContext, AuditRule } from './rules/rule';
import type { TenantSnapshot } from './snapshot';

export interface ControlEvaluation {
  /** One per control of the catalogue, in catalogue order. */
  results: ControlResult[];
  findings: ReportedFinding[];
  /** The collector's coverage, with an area its checks could not read marked "not checked". */
  coverage: Coverage[];
}

/**
 * Runs every control of the catalogue and gives each a result: pass, fail with findings, or not
 * checked with the reason (its area not collected or refused, or its data unusable). A control
 * never passes by saying nothing.
 */
export function evaluateControls(
  snapshot: TenantSnapshot,
  ctx: AuditContext,
  rules: readonly AuditRule[] = AUDIT_RULES,
  catalogue: readonly Control[] = CONTROLS,
  cite: Cite = citeTemplate,
): ControlEvaluation {
  const results: ControlResult[] = [];
  const findings: ReportedFinding[] = [];
  const unusable = new Map<string, string>();
  for (const control of catalogue) {
    const notChecked = (reason: string): ControlResult => ({ control: control.id, rule: control.rule, status: 'not-checked', findings: 0, reason });
    const rule = rules.find((r) => r.rule === control.rule);
    const area = snapshot.coverage.find((c) => c.check === control.area);
    if (!rule) {
      results.push(notChecked('not checked: the control has no check (src/audit/rules)'));
    } else if (!area) {
      results.push(notChecked(`not checked: the collector did not report the area "${control.area}"`));
    } else if (area.status === 'not-checked') {
      results.push(notChecked(area.reason ?? 'not checked'));
    } else {
      const out = rule.evaluate(snapshot, ctx);
      if ('notChecked' in out) {
        results.push(notChecked(out.notChecked));
        unusable.set(control.area, out.notChecked);
        continue;
      }
      findings.push(...out.map((f) => reportFinding(control, f, cite)));
      results.push({
        control: control.id,
        rule: control.rule,
        status: out.length ? 'fail' : 'pass',
        findings: out.length,
        ...(area.status === 'partial' && area.reason ? { reason: area.reason } : {}),
      });
    }
  }
  const coverage = snapshot.coverage.map((c) =>
    unusable.has(c.check) ? { check: c.check, status: 'not-checked' as const, reason: unusable.get(c.check)! } : c,
  );
  return { results, findings: findings.sort(bySeverity), coverage };
}

/**
 * Results recounted against a run's final findings: an incremental run adds findings carried from
 * the last run (drive items delta did not return), which turn a pass into a fail.
 */
export function recountResults(results: readonly ControlResult[], findings: readonly ReportedFinding[]): ControlResult[] {
  return results.map((r) => {
    if (r.status === 'not-checked') return r;
    const n = findings.filter((f) => f.rule === r.rule).length;
    return { ...r, status: n ? 'fail' : 'pass', findings: n };
  });
}
