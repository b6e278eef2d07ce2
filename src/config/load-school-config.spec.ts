import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadSchoolConfig } from './load-school-config';

const demoFile = resolve(__dirname, '../../config/demo-school.yaml');

function withConfig(mutate: (c: Record<string, any>) => void, ext = '.yaml'): string {
  const base = loadSchoolConfig(demoFile) as unknown as Record<string, any>;
  const copy = JSON.parse(JSON.stringify(base));
  mutate(copy);
  const file = join(mkdtempSync(join(tmpdir(), 'esafety-config-')), `school${ext}`);
  writeFileSync(file, ext === '.json' ? JSON.stringify(copy) : stringify(copy));
  return file;
}

describe('the school configuration', () => {
  it('loads the demo school', () => {
    const c = loadSchoolConfig(demoFile);
    expect(c.school.mailDomains).toEqual(['demo-academy.org.uk']);
    expect(c.policies.map((p) => p.id)).toEqual(['staff-aup', 'student-aup', 'e-safety-policy']);
  });

  it('names the bad field in one line', () => {
    const file = withConfig((c) => (c.school.tenantId = 'not-a-guid'));
    expect(() => loadSchoolConfig(file)).toThrow(ConfigError);
    expect(() => loadSchoolConfig(file)).toThrow(/school\.tenantId: must be a GUID/);
  });

  it('names a bad field deep in a list', () => {
    const file = withConfig((c) => (c.safeguarding.deputies[1] = 'tom'), '.json');
    expect(() => loadSchoolConfig(file)).toThrow(/safeguarding\.deputies\.1: must be a UPN/);
  });

  it('requires the LADO contact, as policy 002 "Handling Incidents" routes to them', () => {
    const file = withConfig((c) => delete c.safeguarding.lado);
    expect(() => loadSchoolConfig(file)).toThrow(/safeguarding\.lado/);
  });

  it('refuses a field it does not know, so a typo is not silently ignored', () => {
    const file = withConfig((c) => (c.shcool = {}));
    expect(() => loadSchoolConfig(file)).toThrow(/shcool/);
  });

  it('says when the file is not YAML at all', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'esafety-config-')), 'broken.yaml');
    writeFileSync(file, 'school: [unclosed');
    expect(() => loadSchoolConfig(file)).toThrow(/not valid YAML/);
  });
});
