import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
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
  const path = issue.path.length ? issue.path.join('.') : '(top level)';
  return `${path}: ${issue.message}`;
}

export function parseSchoolConfig(raw: unknown, source = 'config'): SchoolConfig {
  const result = schoolConfigSchema.safeParse(raw);
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
  return parseSchoolConfig(raw, file);
}
