/**
 * The Microsoft 365 Agents Toolkit's own checks, offline (sources in test/vendor/teamsfx-core/README.md):
 * its v1.7 lifecycle schema, its `${{VAR}}` expansion as `atk provision` runs it action by action,
 * and its Entra manifest name resolution.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';

export const ROOT = resolve(__dirname, '../..');
const VENDOR = resolve(__dirname, '../vendor/teamsfx-core');

/** validator.js: `new Ajv({ allowUnionTypes: true })` plus the `deprecationMessage` keyword. */
let compiled: ReturnType<Ajv['compile']> | undefined;
export function lifecycleSchemaErrors(doc: unknown): string[] {
  if (!compiled) {
    const ajv = new Ajv({ allowUnionTypes: true, allErrors: true });
    ajv.addKeyword('deprecationMessage');
    compiled = ajv.compile(JSON.parse(readFileSync(resolve(VENDOR, 'yaml.schema.v1.7.json'), 'utf8')));
  }
  const validate = compiled;
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

const PLACEHOLDER = /\$\{\{ *[a-zA-Z_][a-zA-Z0-9_]* *\}\}/g;
/** Names lifecycle.js allows to be empty (every other empty value counts as missing). */
const ALLOWED_EMPTY = ['APP_NAME_SUFFIX'];

/** common.js expandEnvironmentVariable: an empty value leaves the placeholder in, except APP_NAME_SUFFIX. */
export function expand(content: string, env: Record<string, string | undefined>): { text: string; missing: string[] } {
  let text = content;
  for (const placeholder of content.match(PLACEHOLDER) ?? []) {
    const name = placeholder.slice(3, -2).trim();
    const value = env[name];
    if (ALLOWED_EMPTY.includes(name) ? value !== undefined && value !== null : Boolean(value)) text = text.replace(placeholder, value!);
  }
  return { text, missing: [...new Set((text.match(PLACEHOLDER) ?? []).map((p) => p.slice(3, -2).trim()))] };
}

/** A dotenv file as the Toolkit loads it (env/.env.<name>): KEY=VALUE lines, comments ignored. */
export function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

export interface Action {
  uses: string;
  name?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  writeToEnvironmentFile?: Record<string, string>;
}

export interface StepProblem {
  action: string;
  /** The yml's own placeholders, or a file the action reads. */
  where: string;
  missing: string[];
}

const deepResolve = (v: unknown, env: Record<string, string | undefined>, missing: Set<string>): unknown => {
  if (typeof v === 'string') {
    const r = expand(v, env);
    r.missing.forEach((m) => missing.add(m));
    return r.text;
  }
  if (Array.isArray(v)) return v.map((x) => deepResolve(x, env, missing));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepResolve(x, env, missing)]));
  return v;
};

/** The files an action reads and expands with the environment (the drivers in teamsfx-core). */
function filesReadBy(action: Action, args: Record<string, unknown>): string[] {
  switch (action.uses) {
    case 'arm/deploy':
      return ((args.templates as Array<{ parameters?: string }>) ?? []).flatMap((t) => (t.parameters ? [t.parameters] : []));
    case 'aadApp/update':
      return [String(args.manifestPath)];
    case 'teamsApp/validateManifest':
    case 'teamsApp/zipAppPackage':
      return [String(args.manifestPath)];
    default:
      return [];
  }
}

/** Output names of the Bicep template (arm/deploy upper-cases them into the environment). */
export function bicepOutputs(bicepPath: string): string[] {
  return [...readFileSync(bicepPath, 'utf8').matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1]!.toUpperCase());
}

/**
 * Runs a lifecycle as the Toolkit does, without calling Microsoft: each action's placeholders are
 * resolved against the environment at that moment, the files it reads are expanded, and then its
 * outputs (writeToEnvironmentFile, Bicep outputs, a script's `::set-teamsfx-env`) join the
 * environment. Scripts really run (offline: ESAFETY_OFFLINE=1 keeps them away from Azure).
 */
export function dryRunLifecycle(
  actions: Action[],
  startEnv: Record<string, string>,
  fakeValue: (name: string) => string,
): { problems: StepProblem[]; env: Record<string, string> } {
  const env: Record<string, string> = { ...startEnv };
  const problems: StepProblem[] = [];
  for (const action of actions) {
    const label = action.name ? `${action.uses} (${action.name})` : action.uses;
    const missing = new Set<string>();
    const args = deepResolve(action.with ?? {}, env, missing) as Record<string, unknown>;
    // The Toolkit stops the lifecycle at the first action it cannot resolve (lifecycle.js executeImpl).
    if (missing.size) return { problems: [...problems, { action: label, where: 'teamsapp yml', missing: [...missing] }], env };
    if (action.uses === 'aadApp/update' && !env.AAD_APP_ACCESS_AS_USER_PERMISSION_ID)
      env.AAD_APP_ACCESS_AS_USER_PERMISSION_ID = fakeValue('AAD_APP_ACCESS_AS_USER_PERMISSION_ID');
    for (const file of filesReadBy(action, args)) {
      const r = expand(readFileSync(resolve(ROOT, file), 'utf8'), env);
      if (r.missing.length) return { problems: [...problems, { action: label, where: file, missing: r.missing }], env };
    }
    for (const name of Object.values(action.writeToEnvironmentFile ?? {})) env[name] = fakeValue(name);
    if (action.uses === 'arm/deploy') {
      for (const t of (args.templates as Array<{ path: string }>) ?? []) for (const name of bicepOutputs(resolve(ROOT, t.path))) env[name] = fakeValue(name);
    }
    if (action.uses === 'script') {
      const out = execFileSync(String(args.shell ?? 'sh'), ['-c', String(args.run)], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { PATH: `${fakeAzure()}:${process.env.PATH}`, ...env, ...action.env, ESAFETY_OFFLINE: '1' },
      });
      for (const m of out.matchAll(/::(?:set-teamsfx-env|set-output)\s+(\w+)=((["'])(.*?)\3|[^"'\s]+)/g)) env[m[1]!] = m[4] ?? m[2]!;
    }
  }
  return { problems, env };
}

let fakeAzureDir: string | undefined;
/** An `az` that answers nothing and succeeds: scripts that would call Azure stay offline. */
function fakeAzure(): string {
  if (!fakeAzureDir) {
    fakeAzureDir = mkdtempSync(join(tmpdir(), 'fake-az-'));
    writeFileSync(join(fakeAzureDir, 'az'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  return fakeAzureDir;
}

export function readLifecycle(file: string): Record<string, unknown> & { provision?: Action[]; deploy?: Action[]; publish?: Action[] } {
  return parseYaml(readFileSync(resolve(ROOT, file), 'utf8'));
}

interface PermissionList {
  value: Array<{ appId: string; displayName: string; appRoles: Record<string, string>; oauth2PermissionScopes: Record<string, string> }>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * aadManifestHelper.js processRequiredResourceAccessInManifest: a resource named rather than given
 * by GUID must be one the Toolkit knows by display name (Microsoft Graph, Office 365 SharePoint
 * Online), and so must each named permission; anything else throws, and provision stops there.
 */
export function resolveRequiredResourceAccess(manifest: {
  requiredResourceAccess?: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: string }> }>;
}): Array<{ resourceAppId: string; ids: string[] }> {
  const list = JSON.parse(readFileSync(resolve(VENDOR, 'permissions.json'), 'utf8')) as PermissionList;
  const byKey = new Map<string, PermissionList['value'][number]>();
  for (const r of list.value) byKey.set(r.appId, r).set(r.displayName, r);
  return (manifest.requiredResourceAccess ?? []).map((item) => {
    const known = byKey.get(item.resourceAppId);
    if (!GUID.test(item.resourceAppId) && !known) throw new Error(`UnknownResourceAppId: ${item.resourceAppId}`);
    const resourceAppId = GUID.test(item.resourceAppId) ? item.resourceAppId : known!.appId;
    const ids = item.resourceAccess.map((access) => {
      if (GUID.test(access.id)) return access.id;
      const map = access.type === 'Scope' ? known?.oauth2PermissionScopes : access.type === 'Role' ? known?.appRoles : undefined;
      if (access.type !== 'Scope' && access.type !== 'Role') throw new Error(`UnknownResourceAccessType: ${access.type}`);
      const id = map?.[access.id];
      if (!id) throw new Error(`UnknownResourceAccessId: ${access.id}`);
      return id;
    });
    return { resourceAppId, ids };
  });
}

/** Microsoft Graph's application-permission names by id, from the Toolkit's list. */
export function graphRoleNames(): Map<string, string> {
  const list = JSON.parse(readFileSync(resolve(VENDOR, 'permissions.json'), 'utf8')) as PermissionList;
  const graph = list.value.find((r) => r.displayName === 'Microsoft Graph')!;
  return new Map(Object.entries(graph.appRoles).map(([name, id]) => [id, name]));
}
