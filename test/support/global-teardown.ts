import type { TestPostgres } from './test-postgres';

/** Stops the PostgreSQL that globalSetup started for this run, if it started one. */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { esafetyTestPostgres?: TestPostgres }).esafetyTestPostgres?.embedded?.stop();
}
