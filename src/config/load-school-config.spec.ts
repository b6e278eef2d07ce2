import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadSchoolConfig } from './load-school-config';
import { schoolConfigSchema } from './school-config';

const demoFile = resolve(__dirname, '../../config/demo-school.yaml');

function withConfig(mutate: (c: Record<string, any>) => void, ext = '.yaml'): string {
  const base = loadSchoolConfig(demoFile) as unknown as Record<string, any>;
  const copy = JSON.parse(JSON.stringify(base));
  // The copy lives elsewhere: point it at the demo's policy texts.
  for (const p of copy.policies) p.file = resolve(dirname(demoFile), p.file);
  mutate(copy);
  const file = join(mkdtempSync(join(tmpdir(), 'esafety-config-')), `school${ext}`);
  writeFileSync(file, ext === '.json' ? JSON.stringify(copy) : stringify(copy));
  return file;
}

const readDemo = (): string => readFileSync(demoFile, 'utf8').replace(/file: policies\//g, `file: ${dirname(demoFile)}/policies/`);

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

  describe('refuses an unknown key at every level, naming the key it was probably meant to be', () => {
    const oneLine = (file: string): string => {
      try {
        loadSchoolConfig(file);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        const message = (e as Error).message;
        expect(message).not.toContain('\n');
        return message;
      }
      throw new Error('the configuration loaded');
    };

    it('deputy: for deputies:, so the deputies are not silently left out of safeguarding', () => {
      const file = withConfig((c) => {
        c.safeguarding.deputy = c.safeguarding.deputies;
        delete c.safeguarding.deputies;
      });
      expect(oneLine(file)).toMatch(/: safeguarding\.deputy: unknown key; did you mean deputies\?$/);
    });

    it('everyTerms in a policy\'s reacceptance, so the AUP is still agreed termly', () => {
      const file = withConfig((c) => (c.policies[1].reacceptance.everyTerms = true));
      expect(oneLine(file)).toMatch(/: policies\.1\.reacceptance\.everyTerms: unknown key; did you mean everyTerm\?$/);
    });

    it('safeguardingteam in groups, whatever the case', () => {
      const file = withConfig((c) => {
        c.groups.safeguardingteam = c.groups.safeguardingTeam;
        delete c.groups.safeguardingTeam;
      });
      expect(oneLine(file)).toMatch(/: groups\.safeguardingteam: unknown key; did you mean safeguardingTeam\?$/);
    });

    it('an extra key like nothing it knows, listing what it does know', () => {
      expect(oneLine(withConfig((c) => (c.school.motto = 'Learning together')))).toMatch(/: school\.motto: unknown key; expected one of name, tenantId, mailDomains, timeZone$/);
      expect(oneLine(withConfig((c) => (c.safeguarding.lado.mobile = '07700 900000'))))
        .toMatch(/: safeguarding\.lado\.mobile: unknown key; expected one of name, email, phone$/);
      expect(oneLine(withConfig((c) => (c.safeguarding.retention.years = 25))))
        .toMatch(/: safeguarding\.retention\.years: unknown key/);
      expect(oneLine(withConfig((c) => (c.mail.from = 'x@demo-academy.org.uk')))).toMatch(/: mail\.from: unknown key/);
      expect(oneLine(withConfig((c) => (c.lessons.recordingCheck = 30)))).toMatch(/: lessons\.recordingCheck: unknown key; did you mean recordingCheckMinutes\?/);
      expect(oneLine(withConfig((c) => (c.classification.staffSkus = []))))
        .toMatch(/: classification\.staffSkus: unknown key; did you mean staffSkuIds\?/);
      expect(oneLine(withConfig((c) => (c.policies[0].titel = 'x')))).toMatch(/: policies\.0\.titel: unknown key; did you mean title\?/);
    });

    it('in every section, including any added later', () => {
      type Def = { type: string; shape?: Record<string, { _zod: { def: Def } }>; catchall?: { _zod: { def: Def } }; innerType?: { _zod: { def: Def } }; element?: { _zod: { def: Def } }; in?: { _zod: { def: Def } } };
      const lenient: string[] = [];
      const visit = (def: Def, path: string) => {
        if (def.type === 'object') {
          if (def.catchall?._zod.def.type !== 'never') lenient.push(path || '(top level)');
          for (const [key, value] of Object.entries(def.shape ?? {})) visit(value._zod.def, path ? `${path}.${key}` : key);
        }
        const inner = def.innerType ?? def.element ?? def.in;
        if (inner) visit(inner._zod.def, def.element ? `${path}[]` : path);
      };
      visit((schoolConfigSchema as unknown as { _zod: { def: Def } })._zod.def, '');
      expect(lenient).toEqual([]);
    });

    it('in a YAML file as a person writes it', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'esafety-config-')), 'school.yaml');
      writeFileSync(file, readDemo().replace('  deputies: [', '  deputy: ['));
      expect(oneLine(file)).toBe(`${file}: safeguarding.deputy: unknown key; did you mean deputies?`);
    });
  });

  describe('the school\'s time zone, in which school hours and "the same day" are worked out', () => {
    it('must be a real IANA zone, with the nearest one suggested for a typo', () => {
      const file = withConfig((c) => (c.school.timeZone = 'Europe/Londn'));
      expect(() => loadSchoolConfig(file)).toThrow(/school\.timeZone: "Europe\/Londn" is not an IANA time zone such as Europe\/London; did you mean Europe\/London\?$/);
    });

    it('is a zone, not an offset that ignores British Summer Time', () => {
      expect(() => loadSchoolConfig(withConfig((c) => (c.school.timeZone = '+01:00')))).toThrow(/school\.timeZone: "\+01:00" is not an IANA time zone/);
      expect(() => loadSchoolConfig(withConfig((c) => (c.school.timeZone = 'Mars/Olympus_Mons')))).toThrow(/school\.timeZone: .* is not an IANA time zone such as Europe\/London$/);
    });

    it('accepts any zone Intl knows, and defaults to Europe/London', () => {
      expect(loadSchoolConfig(withConfig((c) => (c.school.timeZone = 'Europe/Dublin'))).school.timeZone).toBe('Europe/Dublin');
      expect(loadSchoolConfig(withConfig((c) => delete c.school.timeZone)).school.timeZone).toBe('Europe/London');
    });
  });

  describe('every policy file, read relative to the configuration file\'s folder', () => {
    it('must exist, named by its field, before anything runs', () => {
      const file = withConfig((c) => (c.policies[2].file = 'policies/e-safety-polcy.md'));
      expect(() => loadSchoolConfig(file)).toThrow(ConfigError);
      expect(() => loadSchoolConfig(file)).toThrow(/: policies\.2\.file: cannot read policies\/e-safety-polcy\.md \(no such file, looked for .*e-safety-polcy\.md\)$/);
    });

    it('must be a file, not a folder', () => {
      const file = withConfig((c) => (c.policies[0].file = '.'));
      expect(() => loadSchoolConfig(file)).toThrow(/policies\.0\.file: cannot read \. \(not a file/);
    });

    it('is found beside the configuration, wherever the command is run from', () => {
      const folder = mkdtempSync(join(tmpdir(), 'esafety-config-'));
      mkdirSync(join(folder, 'policies'));
      writeFileSync(join(folder, 'policies', 'aup.md'), '# Acceptable Use\n');
      const file = withConfig((c) => {
        c.policies = [{ ...c.policies[0], file: 'policies/aup.md' }];
        delete c.clauses;
      });
      const beside = join(folder, 'school.yaml');
      writeFileSync(beside, readFileSync(file, 'utf8'));
      expect(loadSchoolConfig(beside).policies[0]?.file).toBe('policies/aup.md');
      expect(() => loadSchoolConfig(file)).toThrow(/policies\.0\.file: cannot read policies\/aup\.md \(no such file/);
    });
  });

  describe('the clauses the app enforces, in the school’s own words', () => {
    it('quotes each from the school’s own policy, where its configuration says it is', () => {
      const c = loadSchoolConfig(demoFile);
      expect(c.clauses?.teamsWithinSchool).toEqual({
        policy: 'e-safety-policy',
        clause: 2,
        section: 'Remote Working',
        quote: "The school's Microsoft Teams is for use within the school (staff and students). Staff may join Teams meetings with third parties only if the meeting is set up by the third party.",
      });
    });

    it('names a policy that is not configured, or a clause past the end of its numbered list, before anything runs', () => {
      const noPolicy = withConfig((c) => (c.clauses.lessonsRecorded = { policy: 'remote-learning', clause: 1 }));
      expect(() => loadSchoolConfig(noPolicy)).toThrow(/: clauses\.lessonsRecorded\.policy: no policy with id "remote-learning" \(the ids: staff-aup, student-aup, e-safety-policy\)$/);
      const pastEnd = withConfig((c) => (c.clauses.lessonsRecorded = { policy: 'e-safety-policy', clause: 40 }));
      expect(() => loadSchoolConfig(pastEnd)).toThrow(/: clauses\.lessonsRecorded\.clause: .*e-safety-policy\.md has 7 numbered clauses, not 40$/);
      const unknownKey = withConfig((c) => (c.clauses.lessonsRecordedd = { policy: 'e-safety-policy', clause: 3 }));
      expect(() => loadSchoolConfig(unknownKey)).toThrow(ConfigError);
    });
  });

  describe('the Teams policy export the audit reads (Teams policies are not in Graph)', () => {
    it('is found beside the configuration and checked as JSON before anything runs', () => {
      expect(loadSchoolConfig(demoFile).audit?.teamsPolicyExport).toBe(resolve(dirname(demoFile), 'demo-teams-policies.json'));
      const missing = withConfig((c) => (c.audit = { teamsPolicyExport: 'teams-polcies.json' }));
      expect(() => loadSchoolConfig(missing)).toThrow(/: audit\.teamsPolicyExport: cannot read teams-polcies\.json \(no such file/);
      const notJson = withConfig((c) => (c.audit = { teamsPolicyExport: resolve(dirname(demoFile), 'demo-school.yaml') }));
      expect(() => loadSchoolConfig(notJson)).toThrow(/: audit\.teamsPolicyExport: .*demo-school\.yaml is not JSON/);
    });
  });

  it('says when the file is not YAML at all', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'esafety-config-')), 'broken.yaml');
    writeFileSync(file, 'school: [unclosed');
    expect(() => loadSchoolConfig(file)).toThrow(/not valid YAML/);
  });
});
