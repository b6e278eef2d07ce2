import { constants, accessSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z, ZodError } from 'zod';
import { didYouMean } from './did-you-mean';
import { CLAUSE_KEYS, numberedClauses, TEMPLATE_CLAUSES } from './policy-clauses';
import { schoolConfigSchema, type SchoolConfig } from './school-config';

/** A config problem a person can fix: one line, naming the file and the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  // An unknown key is named in the path, where the person will look for it in the file.
  if (issue.code === 'unrecognized_keys') {
    const message = issue.message.startsWith('Unrecognized key') ? 'unknown key' : issue.message;
    return `${[...issue.path, issue.keys[0]].join('.')}: ${message}`;
  }
  const path = issue.path.length ? issue.path.join('.') : '(top level)';
  return `${path}: ${issue.message}`;
}

/** "unknown key; did you mean deputies?", from the keys the strict object that refused it knows. */
function unknownKeyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  if (!shape) return undefined;
  const known = Object.keys(shape);
  const suggestion = didYouMean(String(issue.keys[0]), known);
  return suggestion ? `unknown key; did you mean ${suggestion}?` : `unknown key; expected one of ${known.join(', ')}`;
}

export function parseSchoolConfig(raw: unknown, source = 'config'): SchoolConfig {
  const result = schoolConfigSchema.safeParse(raw, { error: unknownKeyMessage });
  if (!result.success) throw new ConfigError(`${source}: ${describeZodError(result.error)}`);
  return result.data;
}

export function loadSchoolConfig(file: string): SchoolConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot read the school configuration file`);
  }
  let raw: unknown;
  try {
    raw = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const first = String((e as Error).message).split('\n')[0];
    throw new ConfigError(`${file}: not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'} (${first})`);
  }
  const config = parseSchoolConfig(raw, file);
  checkPolicyFiles(config, file);
  return withClauseQuotes(withTeamsPolicyExport(config, file), file);
}

/**
 * Each enforced clause quoted from the school's own policy text, checked at start: a clause number
 * past the end of the policy's numbered list stops the app with the field named. A clause left to
 * the template's place is quoted from the school's policy when it has one of that id.
 */
function withClauseQuotes(config: SchoolConfig, configFile: string): SchoolConfig {
  const folder = dirname(resolve(configFile));
  const clauses: NonNullable<SchoolConfig['clauses']> = {};
  for (const key of CLAUSE_KEYS) {
    const given = config.clauses?.[key];
    const where = given ?? TEMPLATE_CLAUSES[key];
    const policy = config.policies.find((p) => p.id === where.policy);
    if (!policy) {
      if (given)
        throw new ConfigError(`${configFile}: clauses.${key}.policy: no policy with id "${given.policy}" (the ids: ${config.policies.map((p) => p.id).join(', ') || 'none'})`);
      continue;
    }
    if (given?.quote) {
      clauses[key] = given;
      continue;
    }
    const numbered = numberedClauses(readFileSync(resolve(folder, policy.file), 'utf8'));
    const quote = numbered[where.clause - 1];
    if (!quote)
      throw new ConfigError(
        `${configFile}: clauses.${key}${given ? '.clause' : ''}: ${policy.file} has ${numbered.length} numbered clauses, not ${where.clause}${given ? '' : ` (the template's place for it: set clauses.${key} to where your policy says it)`}`,
      );
    clauses[key] = { policy: where.policy, clause: where.clause, ...(where.section ? { section: where.section } : {}), quote };
  }
  return { ...config, clauses };
}

/** The Teams policy export, found beside the configuration and checked as JSON at start, not at the first audit. */
function withTeamsPolicyExport(config: SchoolConfig, configFile: string): SchoolConfig {
  const given = config.audit?.teamsPolicyExport;
  if (!given) return config;
  const path = resolve(dirname(resolve(configFile)), given);
  const problem = unreadable(path);
  if (problem) throw new ConfigError(`${configFile}: audit.teamsPolicyExport: cannot read ${given} (${problem}, looked for ${path})`);
  try {
    JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ConfigError(`${configFile}: audit.teamsPolicyExport: ${given} is not JSON (${String((e as Error).message).split('\n')[0]})`);
  }
  return { ...config, audit: { ...config.audit, teamsPolicyExport: path } };
}

/**
 * Every policy's text must be there when the app starts, not when the first campaign tries to
 * send it. Paths are relative to the configuration file's folder, as the app reads them.
 */
function checkPolicyFiles(config: SchoolConfig, configFile: string): void {
  const folder = dirname(resolve(configFile));
  config.policies.forEach((policy, i) => {
    const path = resolve(folder, policy.file);
    const problem = unreadable(path);
    if (problem) throw new ConfigError(`${configFile}: policies.${i}.file: cannot read ${policy.file} (${problem}, looked for ${path})`);
  });
}

function unreadable(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a file';
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
  }
}
