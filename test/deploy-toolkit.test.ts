import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ignore from 'ignore';
import * as table from '../src/graph/permissions';
import { manifestErrors, renderManifest } from './support/manifest-check';
import {
  dryRunLifecycle,
  expand,
  graphRoleNames,
  lifecycleSchemaErrors,
  readEnvFile,
  readLifecycle,
  resolveRequiredResourceAccess,
  ROOT,
  type Action,
} from './support/toolkit';

/**
 * `atk provision` on a school's first run, checked offline with the Toolkit's own schema and rules
 * (test/vendor/teamsfx-core): every check here also fails on a seeded mistake.
 */

/** A value of the shape the Toolkit writes for a name. */
function fakeValue(name: string): string {
  if (name.endsWith('_DOMAIN')) return 'esafety-test.azurewebsites.net';
  if (name.endsWith('_ENDPOINT')) return 'https://esafety-test.azurewebsites.net';
  if (name.endsWith('_RESOURCE_ID')) return '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/sites/esafety-test-app';
  if (name.startsWith('SECRET_')) return 'secret-value';
  if (name.endsWith('_NAME')) return 'esafety-test-kv';
  return '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
}

/** What a school has before its first provision: env/.env.dev plus the three Azure values it fills. */
const firstProvisionEnv = () => ({
  ...readEnvFile(resolve(ROOT, 'env/.env.dev')),
  AZURE_SUBSCRIPTION_ID: fakeValue('x'),
  AZURE_RESOURCE_GROUP_NAME: 'rg-esafety',
  RESOURCE_SUFFIX: 'test',
});
/** Before a first local provision: env/.env.local plus what the dev tunnel wrote. */
const firstLocalEnv = () => ({
  ...readEnvFile(resolve(ROOT, 'env/.env.local')),
  BOT_ENDPOINT: 'https://abc123-3978.uks1.devtunnels.ms',
  BOT_DOMAIN: 'abc123-3978.uks1.devtunnels.ms',
});

/** Drops empty values as dotenv-then-Toolkit treats them (empty = missing), APP_NAME_SUFFIX aside. */
const asLoaded = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== '' || k === 'APP_NAME_SUFFIX'));

describe('the Toolkit lifecycle files', () => {
  it.each(['teamsapp.yml', 'teamsapp.local.yml'])('%s is valid against the Toolkit v1.7 schema', (file) => {
    expect(lifecycleSchemaErrors(readLifecycle(file))).toEqual([]);
  });

  it('the schema check refuses an action the Toolkit does not have, and a misspelt parameter', () => {
    const yml = readLifecycle('teamsapp.yml');
    expect(lifecycleSchemaErrors({ ...yml, provision: [...yml.provision!, { uses: 'teamsApp/frobnicate', with: {} }] }).length).toBeGreaterThan(0);
    const misspelt = yml.provision!.map((a) => (a.uses === 'arm/deploy' ? { ...a, with: { ...a.with, subscriptonId: 'x' } } : a));
    expect(lifecycleSchemaErrors({ ...yml, provision: misspelt }).join('\n')).toMatch(/additional properties/);
  });
});

describe('a first `atk provision --env dev`', () => {
  const yml = readLifecycle('teamsapp.yml');

  it('finds every ${{VAR}} it reads (the yml, the ARM parameters, the Entra and Teams manifests) with only what a first run has', () => {
    const { problems } = dryRunLifecycle(yml.provision!, asLoaded(firstProvisionEnv()), fakeValue);
    expect(problems).toEqual([]);
  });

  it('would stop on a variable that exists only after publish (the bug this fixes)', () => {
    const params = readFileSync(resolve(ROOT, 'infra/azure.parameters.json'), 'utf8').replace(
      '"parameters": {',
      '"parameters": {\n    "teamsAppCatalogId": { "value": "${{TEAMS_APP_PUBLISHED_APP_ID}}" },',
    );
    expect(expand(params, asLoaded(firstProvisionEnv())).missing).toContain('TEAMS_APP_PUBLISHED_APP_ID');
    const seeded: Action[] = yml.provision!.map((a) =>
      a.uses === 'arm/deploy' ? { ...a, with: { ...a.with, resourceGroupName: '${{TEAMS_APP_PUBLISHED_APP_ID}}' } } : a,
    );
    expect(
      dryRunLifecycle(seeded, asLoaded(firstProvisionEnv()), fakeValue)
        .problems.map((p) => p.missing)
        .flat(),
    ).toContain('TEAMS_APP_PUBLISHED_APP_ID');
  });

  it('generates the database password and the incident-log key for the ARM deployment, and neither is in git', () => {
    const { env } = dryRunLifecycle(yml.provision!, asLoaded(firstProvisionEnv()), fakeValue);
    expect(env.SECRET_INCIDENT_LOG_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(env.SECRET_POSTGRES_ADMIN_PASSWORD!.length).toBeGreaterThanOrEqual(16);
    expect(readFileSync(resolve(ROOT, 'env/.env.dev'), 'utf8')).not.toMatch(/^SECRET_/m);
  });

  it('gives the Teams manifest values that pass its schema', () => {
    const { env } = dryRunLifecycle(yml.provision!, asLoaded(firstProvisionEnv()), fakeValue);
    const text = readFileSync(resolve(ROOT, 'appPackage/manifest.json'), 'utf8');
    expect(manifestErrors(renderManifest(text, env))).toEqual([]);
    expect(manifestErrors(renderManifest(text.replace('"https://${{TAB_DOMAIN}}/privacy"', '"${{TAB_DOMAIN}}/privacy"'), env)).join('\n')).toMatch(
      /privacyUrl/,
    );
  });

  it('publish then runs with what provision and publish wrote', () => {
    const provisioned = dryRunLifecycle(yml.provision!, asLoaded(firstProvisionEnv()), fakeValue).env;
    expect(dryRunLifecycle(yml.publish!, provisioned, fakeValue).problems).toEqual([]);
  });
});

describe('a first local provision behind a dev tunnel', () => {
  const yml = readLifecycle('teamsapp.local.yml');

  it('has every value it needs once the tunnel has written BOT_ENDPOINT and BOT_DOMAIN', () => {
    const { problems, env } = dryRunLifecycle(yml.provision!, asLoaded(firstLocalEnv()), fakeValue);
    expect(problems).toEqual([]);
    expect(env.TAB_DOMAIN).toBe('abc123-3978.uks1.devtunnels.ms');
    expect(
      dryRunLifecycle(
        yml.deploy!.filter((a) => a.uses !== 'cli/runNpmCommand'),
        env,
        fakeValue,
      ).problems,
    ).toEqual([]);
  });

  it('cannot start without the tunnel (botFramework/create needs BOT_ENDPOINT)', () => {
    const { problems } = dryRunLifecycle(yml.provision!, asLoaded(readEnvFile(resolve(ROOT, 'env/.env.local'))), fakeValue);
    expect(problems.map((p) => p.missing).flat()).toContain('BOT_ENDPOINT');
  });

  it('writes .localConfigs with the names the server reads, for node --env-file', () => {
    const write = yml.deploy!.find((a) => a.uses === 'file/createOrUpdateEnvironmentFile')!;
    expect(write.with!.target).toBe('./.localConfigs');
    const tasks = readFileSync(resolve(ROOT, '.vscode/tasks.json'), 'utf8');
    expect(tasks).toContain('node --env-file=.localConfigs dist/bin/esafety.js serve');
    const serverReads = ['bin/esafety.ts', 'bin/start-app.ts', 'src/graph/graph-auth.ts'].map((f) => readFileSync(resolve(ROOT, f), 'utf8')).join('\n');
    // INCIDENT_LOG_KEY is read by the incident log (decision 4), whichever module that lands in.
    for (const name of Object.keys(write.with!.envs as object).filter((n) => n !== 'INCIDENT_LOG_KEY'))
      expect(serverReads).toMatch(new RegExp(`env(\\.|\\['|\\(')${name}\\b`));
  });
});

describe('the Entra app manifest (aad.manifest.json)', () => {
  const manifest = JSON.parse(readFileSync(resolve(ROOT, 'aad.manifest.json'), 'utf8'));
  /** Ids the Toolkit's list lacks, from Microsoft: Graph's permissions reference
   * (microsoft-graph-docs-contrib concepts/permissions-reference.md) and Exchange Online PowerShell's
   * app-only authentication page (office-docs-powershell exchange/docs-conceptual/app-only-auth-powershell-v2.md). */
  const KNOWN_IDS: Record<string, string> = {
    'ba1ba90b-2d8f-487e-9f16-80728d85bb5c': 'TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All',
    'dc50a0fb-09a3-484d-be87-e023b12c6440': 'Exchange.ManageAsApp',
    // Graph's permissions reference: Calendars.ReadBasic.All, application; not in the Toolkit's list.
    '8ba4a692-bc31-4128-9094-475872af8a53': 'Calendars.ReadBasic.All',
  };
  const EXCHANGE_ONLINE = '00000002-0000-0ff1-ce00-000000000000';
  const GRAPH = '00000003-0000-0000-c000-000000000000';

  it('resolves as aadApp/update resolves it: Graph by name, Exchange Online by GUID', () => {
    const resolved = resolveRequiredResourceAccess(structuredClone(manifest));
    expect(resolved.map((r) => r.resourceAppId)).toEqual([GRAPH, EXCHANGE_ONLINE]);
    expect(resolved[1]!.ids).toEqual(['dc50a0fb-09a3-484d-be87-e023b12c6440']);
  });

  it('would fail on a resource or a permission the Toolkit cannot name', () => {
    const byName = structuredClone(manifest);
    byName.requiredResourceAccess[1].resourceAppId = 'Office 365 Exchange Online';
    expect(() => resolveRequiredResourceAccess(byName)).toThrow(/UnknownResourceAppId/);
    const newName = structuredClone(manifest);
    newName.requiredResourceAccess[0].resourceAccess.push({ id: 'TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All', type: 'Role' });
    expect(() => resolveRequiredResourceAccess(newName)).toThrow(/UnknownResourceAccessId/);
  });

  it('asks for what the permission table needs in Entra, and never for Mail.Send (granted in Exchange RBAC, decision 1)', () => {
    const names = graphRoleNames();
    const graph = resolveRequiredResourceAccess(structuredClone(manifest))[0]!;
    const requested = new Set(graph.ids.map((id) => names.get(id) ?? KNOWN_IDS[id] ?? id));
    expect(requested.has('Mail.Send')).toBe(false);
    expect(requested.has('TeamsAppInstallation.ReadWriteSelfForChat.All')).toBe(false);
    const t = table as typeof table & { APP_PERMISSIONS?: string[] };
    const entraGranted = (c: (typeof table.CAPABILITIES)[number]) =>
      !(c as { grantedIn?: string }).grantedIn && !c.needs.some((anyOf) => anyOf.includes('Mail.Send'));
    const needed = t.APP_PERMISSIONS ?? [...new Set(table.CAPABILITIES.filter(entraGranted).flatMap((c) => c.needs.map((anyOf) => anyOf[0]!)))];
    // Decision 2: installing into chats needs the AndConsent permission; the table follows in the perms change.
    const REPLACED: Record<string, string> = { 'TeamsAppInstallation.ReadWriteSelfForChat.All': 'TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All' };
    const missing = [...new Set([...table.AUDIT_ONLY_PERMISSIONS, ...needed].map((p) => REPLACED[p] ?? p))].filter(
      (p) => p !== 'Mail.Send' && !requested.has(p),
    );
    expect(missing).toEqual([]);
  });
});

describe('the App Service package (.webappignore, read as the Toolkit reads it)', () => {
  const rules = (text: string) => ignore().add(text.split('\n').map((l) => l.trim()));
  const webappignore = readFileSync(resolve(ROOT, '.webappignore'), 'utf8');

  it('leaves local secrets out and keeps what runs, native modules included', () => {
    const ig = rules(webappignore);
    for (const secret of ['.localConfigs', 'env/.env.dev.user', 'env/.env.dev', '.env']) expect(ig.ignores(secret)).toBe(true);
    for (const runs of [
      'dist/bin/esafety.js',
      'tab/dist/index.html',
      'config/school.yaml',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/some-lib/data/x.json',
      'package.json',
    ])
      expect(ig.ignores(runs)).toBe(false);
  });

  it('the check notices a package that would carry .localConfigs', () => {
    expect(rules(webappignore.replace(/^\.localConfigs$/m, '')).ignores('.localConfigs')).toBe(false);
  });
});
