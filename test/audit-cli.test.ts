import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CONTROLS } from '../src/audit/controls/catalogue';
import { generateSchool } from '../src/demo-tenant/school-generator';

const CLI = resolve(__dirname, '../dist/bin/esafety.js');

describe('esafety audit --demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'esafety-audit-'));
  let run: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    run = spawnSync(
      process.execPath,
      [
        CLI,
        'audit',
        '--demo',
        '--database-url',
        `sqlite:${join(dir, 'a.db')}`,
        '--json',
        join(dir, 'out.json'),
        '--html',
        join(dir, 'out.html'),
        '--csv',
        join(dir, 'out.csv'),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
  });

  it('finishes and says what it found, checking the Teams policies from the export the configuration names', () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Audit of Demo Academy: \d+ findings/);
    expect(run.stdout).not.toMatch(/teams.policies: not checked/);
  });

  it('gives every control a result: each seeded one fails, the Teams ones from the demo’s export too', () => {
    expect(run.stdout).toContain(`Controls: 0 pass, ${CONTROLS.length} fail, 0 not checked (of ${CONTROLS.length}`);
    const report = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(report.controls.find((c: { control: string }) => c.control === 'ESAFETY.TEAMS.1v1')).toMatchObject({ status: 'fail' });
    expect(readFileSync(join(dir, 'out.html'), 'utf8')).toContain(`0 pass, ${CONTROLS.length} fail, 0 not checked.`);
  });

  it('lists the catalogue: esafety audit-controls', () => {
    const list = spawnSync(process.execPath, [CLI, 'audit-controls', '--json'], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout).map((c: { id: string }) => c.id)).toEqual(CONTROLS.map((c) => c.id));
  });

  it('finds exactly the seeded violations, in the JSON report shape', () => {
    const report = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['tenantId', 'startedAt', 'finishedAt', 'stats', 'coverage', 'findings']));
    expect(Object.keys(report.stats).sort()).toEqual(['batches', 'requests', 'resourceUnits', 'throttled']);
    // The Teams policies' findings come from the export (config/demo-teams-policies.json), not the seeded tenant.
    const found = report.findings
      .filter((f: { rule: string }) => !f.rule.startsWith('teams.'))
      .map((f: { rule: string; subject: { id: string } }) => `${f.rule} ${f.subject.id}`)
      .sort();
    expect(found).toEqual(
      generateSchool()
        .seededViolations.map((v) => `${v.rule} ${v.subjectId}`)
        .sort(),
    );
  });

  it('writes an HTML report with every finding and a CSV with a row each', () => {
    const report = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    const html = readFileSync(join(dir, 'out.html'), 'utf8');
    expect(html.match(/<article class="finding/g)).toHaveLength(report.findings.length);
    expect(html).toContain('<svg');
    expect(readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\r\n')).toHaveLength(report.findings.length + 1);
  });

  it('reports the Teams controls as not checked, saying why, when the export does not match its schema (never "checked" with no findings)', () => {
    const file = join(dir, 'wrong-shape.json');
    writeFileSync(file, JSON.stringify({ meetingPolicies: 'Global' }));
    const wrong = spawnSync(
      process.execPath,
      [CLI, 'audit', '--demo', '--database-url', `sqlite:${join(dir, 'c.db')}`, '--teams-policy', file, '--json', join(dir, 'wrong.json')],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(wrong.status).toBe(0);
    expect(wrong.stdout).toMatch(/teams\.policies: not checked: the Teams policy export does not match its schema \(meetingPolicies: /);
    const report = JSON.parse(readFileSync(join(dir, 'wrong.json'), 'utf8'));
    expect(report.controls.filter((c: { rule: string; status: string }) => c.rule.startsWith('teams.') && c.status === 'not-checked')).toHaveLength(7);
  });

  it('stops with exit code 2 on an unreadable Teams policy export', () => {
    const bad = spawnSync(
      process.execPath,
      [CLI, 'audit', '--demo', '--database-url', `sqlite:${join(dir, 'b.db')}`, '--teams-policy', join(dir, 'missing.json')],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/missing\.json: not a readable JSON export/);
  });
});
