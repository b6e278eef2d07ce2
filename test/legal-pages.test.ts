import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadSchoolConfig } from '../src/config/load-school-config';
import { privacyPage, RECORDS_KEPT } from '../src/server/legal-pages';
import { renderManifest, SAMPLE_ENV } from './support/manifest-check';
import { DEMO_CONFIG, startAppUnderTest, type AppUnderTest } from './support/running-app';

describe('the privacy notice and terms of use the Teams manifest links to', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest();
  });
  afterAll(() => t.close());

  const manifest = renderManifest(readFileSync(resolve(__dirname, '../appPackage/manifest.json'), 'utf8'), SAMPLE_ENV) as {
    developer: { privacyUrl: string; termsOfUseUrl: string };
  };
  const servedPath = (url: string) => new URL(url).pathname;

  it('are served, without sign-in, at the paths the manifest names', async () => {
    for (const url of [manifest.developer.privacyUrl, manifest.developer.termsOfUseUrl]) {
      const res = await fetch(`${t.app.url}${servedPath(url)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    }
  });

  it("say what is stored, where, and for how long under the school's own retention setting", async () => {
    const html = await (await fetch(`${t.app.url}${servedPath(manifest.developer.privacyUrl)}`)).text();
    const config = loadSchoolConfig(DEMO_CONFIG);
    expect(html).toContain(config.school.name);
    expect(html).toMatch(/E-safety concerns reported/);
    expect(html).toMatch(/Azure Database for PostgreSQL/);
    // The demo school keeps incidents until it decides (the default).
    expect(config.safeguarding.retention.mode).toBe('keep');
    expect(html).toMatch(/kept until the school decides to erase them/);
  });

  it('follow a school that erases incident text after the date of birth + N years', () => {
    const config = loadSchoolConfig(DEMO_CONFIG);
    const html = privacyPage({ ...config, safeguarding: { ...config.safeguarding, retention: { mode: 'after-birth', yearsAfterBirth: 30 } } });
    expect(html).toMatch(/erased 30 years after the child&#39;s date of birth/);
  });

  it('describe every table the database has, so a new table cannot go unmentioned', () => {
    const schema = readFileSync(resolve(__dirname, '../src/storage/schema.ts'), 'utf8');
    const database = schema.slice(schema.indexOf('export interface Database {'));
    const tables = [...database.matchAll(/^\s+(\w+): \w+Table;/gm)].map((m) => m[1]);
    expect(tables.length).toBeGreaterThan(10);
    const described = new Set(RECORDS_KEPT.flatMap((r) => r.tables));
    expect(tables.filter((name) => !described.has(name!))).toEqual([]);
  });
});
