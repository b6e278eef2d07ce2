import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateSchool } from '../src/demo-tenant/school-generator';

const CLI = resolve(__dirname, '../dist/bin/esafety.js');

describe('esafety audit --demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'esafety-audit-'));
  let run: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    run = spawnSync(process.execPath, [CLI, 'audit', '--demo', '--database-url', `sqlite:${join(dir, 'a.db')}`, '--json', join(dir, 'out.json'), '--html', join(dir, 'out.html'), '--csv', join(dir, 'out.csv')], { encoding: 'utf8', timeout: 120_000 });
  });

  it('finishes and says what it found and what it could not check (Teams policies without an export)', () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Audit of Demo Academy: \d+ findings/);
    expect(run.stdout).toMatch(/teams.policies: not checked/);
  });

  it('finds exactly the seeded violations, in the JSON report shape', () => {
    const report = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['tenantId', 'startedAt', 'finishedAt', 'stats', 'coverage', 'findings']));
    expect(Object.keys(report.stats).sort()).toEqual(['batches', 'requests', 'resourceUnits', 'throttled']);
    const found = report.findings.map((f: { rule: string; subject: { id: string } }) => `${f.rule} ${f.subject.id}`).sort();
    expect(found).toEqual(generateSchool().seededViolations.map((v) => `${v.rule} ${v.subjectId}`).sort());
  });

  it('writes an HTML report with every finding and a CSV with a row each', () => {
    const report = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    const html = readFileSync(join(dir, 'out.html'), 'utf8');
    expect(html.match(/<article class="finding/g)).toHaveLength(report.findings.length);
    expect(html).toContain('<svg');
    expect(readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\r\n')).toHaveLength(report.findings.length + 1);
  });

  it('stops with exit code 2 on an unreadable Teams policy export', () => {
    const bad = spawnSync(process.execPath, [CLI, 'audit', '--demo', '--database-url', `sqlite:${join(dir, 'b.db')}`, '--teams-policy', join(dir, 'missing.json')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/missing\.json: not a readable JSON export/);
  });
});
