import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findingsOf, tinySchool } from '../../../test/support/snapshot-builder';
import { useDemoGraph } from '../../../test/support/demo-graph';
import { loadSchoolConfig } from '../../config/load-school-config';
import { evaluateControls } from '../evaluate-controls';
import { AUDIT_RULES } from '../rules';
import type { AuditRule } from '../rules/rule';
import { runAudit } from '../run-audit';
import { AUDIT_AREAS, type AuditArea } from './areas';
import { CONTROLS } from './catalogue';
import { fillControlsSection } from './catalogue-doc';
import type { Control } from './control';
import { catalogueProblems } from './registry';

const ROOT = resolve(__dirname, '../../..');
const config = loadSchoolConfig(join(ROOT, 'config/demo-school.yaml'));
const teamsExport = JSON.parse(readFileSync(join(ROOT, 'config/demo-teams-policies.json'), 'utf8'));
const RULES_DIR = resolve(__dirname, '../rules');

/** The checks each rules module exports, by export name. */
function checkExports(): Array<{ name: string; rule: string }> {
  return (
    readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      // Every rules module, found on disk so a new one cannot be missed: a dynamic require on purpose.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      .flatMap((f) => Object.entries(require(join(RULES_DIR, f)) as Record<string, unknown>))
      .filter((e): e is [string, AuditRule] => typeof e[1] === 'object' && !!e[1] && 'rule' in e[1] && 'evaluate' in e[1])
      .map(([name, r]) => ({ name, rule: r.rule }))
  );
}

describe('the catalogue of controls', () => {
  const ctx = useDemoGraph();
  let demo: Awaited<ReturnType<typeof runAudit>> | undefined;
  const demoRun = async () => (demo ??= await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange, teamsPolicies: teamsExport }));

  it('holds together: unique versioned ids, one check each, and every area one the collector really reports in a demo run', async () => {
    const { snapshot } = await demoRun();
    const collected = snapshot.coverage.map((c) => c.check);
    expect([...collected].sort()).toEqual([...AUDIT_AREAS].sort());
    expect(catalogueProblems(CONTROLS, AUDIT_RULES, collected)).toEqual([]);
  });

  it('catches a control whose area is misspelt (it would never run), one with no check, and a check with no control', () => {
    const typo = { ...CONTROLS[0], area: 'mail.inbox-rule' as AuditArea };
    const orphan: AuditRule = { rule: 'mail.no-such-rule' as never, evaluate: () => [] };
    expect(catalogueProblems([typo, ...CONTROLS.slice(1)], AUDIT_RULES, AUDIT_AREAS)).toEqual(['ESAFETY.MAIL.1v1: unknown area "mail.inbox-rule"']);
    expect(catalogueProblems(CONTROLS, AUDIT_RULES.slice(1), AUDIT_AREAS)).toEqual([
      'ESAFETY.MAIL.1v1: 0 checks for rule mail.inbox-rule.external-forward (needs exactly one in src/audit/rules)',
    ]);
    expect(catalogueProblems(CONTROLS, [...AUDIT_RULES, orphan], AUDIT_AREAS)).toEqual(['the check mail.no-such-rule has no control in the catalogue']);
  });

  it('reports a control whose area was never collected as not checked, with the reason, instead of passing it silently', () => {
    const typo: Control = { ...CONTROLS[0], area: 'mail.inbox-rule' as AuditArea };
    const x = tinySchool(
      (s) =>
        (s.inboxRules = {
          teacher: [{ id: 'r', displayName: 'Fwd', isEnabled: true, actions: { forwardTo: [{ emailAddress: { address: 'me@gmail.com' } }] } }],
        }),
    );
    const { results, findings } = evaluateControls(x.snapshot, x.ctx, AUDIT_RULES, [typo]);
    expect(results).toEqual([
      {
        control: 'ESAFETY.MAIL.1v1',
        rule: 'mail.inbox-rule.external-forward',
        status: 'not-checked',
        findings: 0,
        reason: 'not checked: the collector did not report the area "mail.inbox-rule"',
      },
    ]);
    expect(findings).toEqual([]);
  });

  it('has a spec for every control: a spec in src/audit/rules exercises its check by name or its rule', () => {
    const specs = readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.spec.ts'))
      .map((f) => readFileSync(join(RULES_DIR, f), 'utf8'))
      .join('\n');
    const exports = checkExports();
    const untested = CONTROLS.filter(
      (c) => !specs.includes(`'${c.rule}`) && !exports.some((e) => e.rule === c.rule && new RegExp(`\\b${e.name}\\b`).test(specs)),
    );
    expect(untested.map((c) => c.id)).toEqual([]);
  });

  it('fails every control in a demo run, each on a violation seeded in the demo tenant (Teams policies: the demo export)', async () => {
    const { report } = await demoRun();
    expect(report.controls.map((r) => r.control)).toEqual(CONTROLS.map((c) => c.id));
    expect(report.controls.filter((r) => r.status !== 'fail')).toEqual([]);
    const seeded = new Set(ctx.school.seededViolations.map((v) => v.rule));
    const notSeeded = CONTROLS.filter((c) => c.area !== 'teams.policies' && !seeded.has(c.rule));
    expect(notSeeded.map((c) => c.id)).toEqual([]);
  });

  it('passes a control with nothing wrong, and says so: the result is "pass", not an absent row', () => {
    const x = tinySchool();
    const { results } = evaluateControls(x.snapshot, x.ctx);
    expect(results.find((r) => r.rule === 'groups.guest-in-student-group')).toEqual({
      control: 'ESAFETY.GROUPS.1v1',
      rule: 'groups.guest-in-student-group',
      status: 'pass',
      findings: 0,
    });
    expect(results.find((r) => r.rule === 'mail.mailbox.external-forward')).toMatchObject({
      status: 'not-checked',
      reason: 'not checked: the collector did not report the area "mail.mailbox-forwarding"',
    });
    expect(results).toHaveLength(CONTROLS.length);
  });

  it('reports the controls of an area the app may not read as not checked, naming the missing permission', () => {
    const x = tinySchool(
      (s) =>
        (s.coverage = s.coverage.map((c) =>
          c.check === 'mail.inbox-rules' ? { check: c.check, status: 'not-checked', reason: 'not checked: missing MailboxSettings.Read' } : c,
        )),
    );
    const { results } = evaluateControls(x.snapshot, x.ctx);
    expect(results.find((r) => r.control === 'ESAFETY.MAIL.1v1')).toEqual({
      control: 'ESAFETY.MAIL.1v1',
      rule: 'mail.inbox-rule.external-forward',
      status: 'not-checked',
      findings: 0,
      reason: 'not checked: missing MailboxSettings.Read',
    });
  });

  it("keeps a partial area's note on its controls' results", () => {
    const reason = 'partial: meeting settings not checked for amy@school.org.uk';
    const x = tinySchool((s) => (s.coverage = s.coverage.map((c) => (c.check === 'meetings.calendars' ? { check: c.check, status: 'partial', reason } : c))));
    const { results } = evaluateControls(x.snapshot, x.ctx);
    expect(results.find((r) => r.control === 'ESAFETY.MEETINGS.2v1')).toEqual({
      control: 'ESAFETY.MEETINGS.2v1',
      rule: 'meetings.lesson-not-recorded',
      status: 'pass',
      findings: 0,
      reason,
    });
  });

  it('marks the Teams policies area, and each Teams control, not checked when the export does not match its schema', () => {
    const x = tinySchool((s) => (s.teamsPolicies = { meetingPolicies: 'Global' }));
    const { results, coverage } = evaluateControls(x.snapshot, x.ctx);
    const teams = results.filter((r) => r.rule.startsWith('teams.'));
    expect(teams).toHaveLength(7);
    for (const r of teams) expect(r).toMatchObject({ status: 'not-checked', reason: expect.stringMatching(/does not match its schema/) });
    expect(coverage.find((c) => c.check === 'teams.policies')).toMatchObject({
      status: 'not-checked',
      reason: expect.stringMatching(/does not match its schema/),
    });
  });

  it("takes severity, clause and fix from the control, and only a subject's own action and lowered severity from the finding", () => {
    const x = tinySchool(
      (s) =>
        (s.inboxRules = {
          teacher: [{ id: 'r', displayName: 'Old', isEnabled: false, actions: { forwardTo: [{ emailAddress: { address: 'me@gmail.com' } }] } }],
        }),
    );
    const [f] = findingsOf(AUDIT_RULES[0]!, x);
    expect(f).toMatchObject({
      control: 'ESAFETY.MAIL.1v1',
      title: CONTROLS[0].title,
      severity: 'low',
      policyRef: { section: 'clause 4, Emailing and Social Media' },
    });
    expect(f!.fix).toBe(
      `Delete the disabled rule so it cannot be switched back on. ${CONTROLS[0].remediation.steps.join(' ')} (${CONTROLS[0].remediation.adminCentre})`,
    );
  });

  it('is the table in docs/audit.md (regenerate: esafety audit-controls --update-doc docs/audit.md)', () => {
    const doc = readFileSync(join(ROOT, 'docs/audit.md'), 'utf8');
    expect(fillControlsSection(doc)).toBe(doc);
    for (const c of CONTROLS) expect(doc).toContain(`| \`${c.id}\` |`);
  });
});
