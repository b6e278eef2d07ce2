import { startEmbeddedPostgres } from './embedded-postgres';
import { chooseTestPostgres, postgresRefusal, type TestPostgres } from './test-postgres';

/**
 * Once per Jest run, before any worker starts: choose the PostgreSQL (see test-postgres.ts) and
 * hand its URL to the workers through the environment they inherit. globalTeardown stops it.
 */
export default async function globalSetup(): Promise<void> {
  const chosen = await chooseTestPostgres(process.env, { refusal: postgresRefusal, startEmbedded: startEmbeddedPostgres });
  process.env.ESAFETY_TEST_POSTGRES = chosen.url;
  (globalThis as { esafetyTestPostgres?: TestPostgres }).esafetyTestPostgres = chosen;
  if (chosen.embedded) {
    process.stderr.write(`\nPostgreSQL for this run: ${chosen.embedded.version} from npm at ${chosen.url} (${chosen.reason})\n`);
  }
}
