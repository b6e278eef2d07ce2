import { Client } from 'pg';
import type { EmbeddedPostgres } from './embedded-postgres';

/**
 * Which PostgreSQL the storage specs run on. Jest's globalSetup (test/support/global-setup.ts)
 * chooses once per run and puts the URL in ESAFETY_TEST_POSTGRES, which every worker inherits:
 * - ESAFETY_TEST_POSTGRES=<url>: that server;
 * - ESAFETY_TEST_POSTGRES=embedded: a PostgreSQL from npm started for the run, even if one is up;
 * - unset: the local server (postgres@127.0.0.1:5432, database `test`, trust auth) if it lets us
 *   in, else a PostgreSQL from npm. ESAFETY_TEST_POSTGRES_PROBE names another default to try.
 * PostgreSQL is never skipped: CI must prove the production engine works.
 */
export const LOCAL_TEST_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestPostgres {
  url: string;
  /** Present when this run started the server, which it then stops. */
  embedded?: EmbeddedPostgres;
  /** Why the embedded one was started (for the one line the run prints). */
  reason?: string;
}

export interface TestPostgresDeps {
  /** Why `url` cannot be used, or undefined when it can. */
  refusal(url: string): Promise<string | undefined>;
  startEmbedded(): Promise<EmbeddedPostgres>;
}

type Env = Record<string, string | undefined>;

export async function chooseTestPostgres(env: Env, deps: TestPostgresDeps): Promise<TestPostgres> {
  const asked = env.ESAFETY_TEST_POSTGRES?.trim();
  if (asked && asked !== 'embedded') return { url: asked };
  let reason = 'ESAFETY_TEST_POSTGRES=embedded';
  if (!asked) {
    const local = env.ESAFETY_TEST_POSTGRES_PROBE?.trim() || LOCAL_TEST_POSTGRES;
    const refused = await deps.refusal(local);
    if (!refused) return { url: local };
    reason = `${redact(local)}: ${refused}`;
  }
  const embedded = await deps.startEmbedded();
  return { url: embedded.url, embedded, reason };
}

/** Connects and asks one question, so "answers" means the tests could use it, not merely that a port is open. */
export async function postgresRefusal(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return err.code === 'ECONNREFUSED' ? 'nothing answers there' : err.message.split('\n')[0];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL the specs in this worker use: the one globalSetup chose. */
export function testPostgresUrl(env: Env = process.env): string {
  const url = env.ESAFETY_TEST_POSTGRES;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(
      `ESAFETY_TEST_POSTGRES is ${url ? `"${url}"` : 'unset'} in this test worker: run the tests with jest, whose globalSetup (test/support/global-setup.ts) chooses the PostgreSQL`,
    );
  }
  return url;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
