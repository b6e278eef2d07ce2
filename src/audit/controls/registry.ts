import { isAuditArea } from './areas';
import type { Control } from './control';

/**
 * What keeps the catalogue honest, as a list of problems (empty when it holds): each control has
 * a well-formed, unique id and rule name, exactly one check, and an area the collector reports.
 * A control whose area is misspelt or never collected would otherwise never run.
 */
export function catalogueProblems(controls: readonly Control[], rules: ReadonlyArray<{ rule: string }>, collectedAreas: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = (key: (c: Control) => string, what: string) => {
    const counts = new Map<string, number>();
    for (const c of controls) counts.set(key(c), (counts.get(key(c)) ?? 0) + 1);
    for (const [k, n] of counts) if (n > 1) problems.push(`${what} ${k} is used by ${n} controls`);
  };
  seen((c) => c.id, 'id');
  seen((c) => c.rule, 'rule');
  for (const c of controls) {
    if (!/^ESAFETY\.[A-Z]+\.\d+v\d+$/.test(c.id)) problems.push(`${c.id}: an id is ESAFETY.<AREA>.<n>v<version>`);
    const checks = rules.filter((r) => r.rule === c.rule).length;
    if (checks !== 1) problems.push(`${c.id}: ${checks} checks for rule ${c.rule} (needs exactly one in src/audit/rules)`);
    if (!isAuditArea(c.area)) problems.push(`${c.id}: unknown area "${c.area}"`);
    else if (!collectedAreas.includes(c.area)) problems.push(`${c.id}: the collector does not report the area "${c.area}"`);
  }
  for (const r of rules) if (!controls.some((c) => c.rule === r.rule)) problems.push(`the check ${r.rule} has no control in the catalogue`);
  return problems;
}
