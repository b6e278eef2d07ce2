import { ConfigError } from '../config/load-school-config';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The incident log's key (decisions.md #4): an HMAC key kept outside the database, so whoever can
 * rewrite the database cannot also re-seal what they rewrote. Each entry records which key sealed
 * it (a digest of the key, never the key), so a rotated-out key still verifies the entries it
 * sealed: `INCIDENT_LOG_KEY` seals new entries, `INCIDENT_LOG_PREVIOUS_KEYS` (comma-separated)
 * only verifies old ones.
 */
export class IncidentLogKeys {
  private readonly byId = new Map<string, Buffer>();
  readonly currentId: string;

  constructor(current: string, previous: string[] = []) {
    for (const k of [current, ...previous]) {
      if (k.length < 32) throw new IncidentLogKeyError('an incident log key must be at least 32 characters (e.g. `openssl rand -base64 48`)');
      this.byId.set(keyIdOf(k), Buffer.from(k, 'utf8'));
    }
    this.currentId = keyIdOf(current);
  }

  /** `INCIDENT_LOG_KEY` (and `INCIDENT_LOG_PREVIOUS_KEYS`), or undefined when it is not set. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): IncidentLogKeys | undefined {
    const current = env.INCIDENT_LOG_KEY?.trim();
    if (!current) return undefined;
    const previous = (env.INCIDENT_LOG_PREVIOUS_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    return new IncidentLogKeys(current, previous);
  }

  /**
   * The demo's key: generated once and kept in a file beside the demo database (never in it), so
   * the demo behaves like a school that keeps its key in Key Vault.
   */
  static fromFile(path: string): IncidentLogKeys {
    if (!existsSync(path)) {
      // Written aside then linked into place: two instances starting together end up with one key.
      mkdirSync(dirname(path), { recursive: true });
      const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(aside, `${randomBytes(48).toString('base64')}\n`, { mode: 0o600 });
      try {
        linkSync(aside, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      } finally {
        unlinkSync(aside);
      }
    }
    return new IncidentLogKeys(readFileSync(path, 'utf8').trim());
  }

  /** A key that lives as long as the process: only for an in-memory database, gone with it. */
  static ephemeral(): IncidentLogKeys {
    return new IncidentLogKeys(randomBytes(48).toString('base64'));
  }

  knows(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  /** Seals `data` with the current key. */
  seal(data: string): { keyId: string; mac: string } {
    return { keyId: this.currentId, mac: hmac(this.byId.get(this.currentId)!, data) };
  }

  /** True when `mac` is the seal of `data` under the key `keyId`; false for an unknown key too. */
  holds(keyId: string | null, data: string, mac: string | null): boolean {
    const key = keyId ? this.byId.get(keyId) : undefined;
    if (!key || !mac) return false;
    const expected = Buffer.from(hmac(key, data), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** A missing or unusable key is the operator's input to fix: exit code 2, like any config error. */
export class IncidentLogKeyError extends ConfigError {}

/** A key's public name: enough to say which key sealed an entry, useless for forging one. */
export const keyIdOf = (key: string) => createHash('sha256').update(`incident-log-key:${key}`).digest('hex').slice(0, 16);
const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest('hex');

/** What a checkpoint seals: the chain's head. The same text in the audit log and the external copy. */
export const headText = (seq: number, hash: string) => `incident-log-head:${seq}:${hash}`;

export interface KeySource {
  keys: IncidentLogKeys;
  /** Where the key came from, for the start-up log (a path, never the key). */
  source: string;
}

/**
 * Where the app finds its key. `INCIDENT_LOG_KEY` always wins (production: a Key Vault secret).
 * Without it: an in-memory database gets a key for the process; a SQLite file gets a key file
 * beside it (outside the database, as the demo needs); the demo on PostgreSQL a file in `dataDir`.
 * A school's PostgreSQL without the variable is refused: a key beside a server's data is no key.
 * `create: false` (verification) never makes a new key: a new key would seal nothing that exists.
 */
export function incidentLogKeysFor(o: { env: NodeJS.ProcessEnv; databaseUrl: string; demo: boolean; dataDir: string; create: boolean }): KeySource | undefined {
  const fromEnv = IncidentLogKeys.fromEnvironment(o.env);
  if (fromEnv) return { keys: fromEnv, source: 'INCIDENT_LOG_KEY' };
  if (o.databaseUrl.startsWith('sqlite:')) {
    const path = o.databaseUrl.slice('sqlite:'.length);
    if (path === '' || path === ':memory:')
      return o.create ? { keys: IncidentLogKeys.ephemeral(), source: 'a key for this process only (in-memory database)' } : undefined;
    return keyFile(`${resolve(path)}.incident-log-key`, o.create);
  }
  if (o.demo) return keyFile(join(o.dataDir, `demo-incident-log-${createHash('sha256').update(o.databaseUrl).digest('hex').slice(0, 12)}.key`), o.create);
  return undefined;
}

function keyFile(path: string, create: boolean): KeySource | undefined {
  if (!create && !existsSync(path)) return undefined;
  return { keys: IncidentLogKeys.fromFile(path), source: path };
}
