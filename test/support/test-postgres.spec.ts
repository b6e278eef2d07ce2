import { createServer } from 'node:net';
import type { EmbeddedPostgres } from './embedded-postgres';
import { chooseTestPostgres, LOCAL_TEST_POSTGRES, postgresRefusal, testPostgresUrl, type TestPostgresDeps } from './test-postgres';

/** Records what the choice asked, with a local server that answers or not. */
function world(localAnswers: boolean) {
  const probed: string[] = [];
  let started = 0;
  const embedded: EmbeddedPostgres = { url: 'postgres://postgres@127.0.0.1:40001/test', version: '16.14', stop: async () => undefined };
  const deps: TestPostgresDeps = {
    async refusal(url) {
      probed.push(url);
      return localAnswers ? undefined : 'nothing answers there';
    },
    async startEmbedded() {
      started += 1;
      return embedded;
    },
  };
  return { deps, probed, started: () => started, embedded };
}

describe('choosing the PostgreSQL a test run uses', () => {
  it('uses the server ESAFETY_TEST_POSTGRES names, without probing or starting one', async () => {
    const w = world(false);
    const chosen = await chooseTestPostgres({ ESAFETY_TEST_POSTGRES: 'postgres://me@db.school.internal/test' }, w.deps);
    expect(chosen).toEqual({ url: 'postgres://me@db.school.internal/test' });
    expect(w.probed).toEqual([]);
    expect(w.started()).toBe(0);
  });

  it('uses the local server when it lets the tests in', async () => {
    const w = world(true);
    const chosen = await chooseTestPostgres({}, w.deps);
    expect(chosen).toEqual({ url: LOCAL_TEST_POSTGRES });
    expect(w.probed).toEqual([LOCAL_TEST_POSTGRES]);
    expect(w.started()).toBe(0);
  });

  it('starts one from npm when nothing answers locally, and says why', async () => {
    const w = world(false);
    const chosen = await chooseTestPostgres({}, w.deps);
    expect(chosen.url).toBe(w.embedded.url);
    expect(chosen.embedded).toBe(w.embedded);
    expect(chosen.reason).toBe(`${LOCAL_TEST_POSTGRES}: nothing answers there`);
  });

  it('starts one from npm for ESAFETY_TEST_POSTGRES=embedded even when a local server is up', async () => {
    const w = world(true);
    const chosen = await chooseTestPostgres({ ESAFETY_TEST_POSTGRES: 'embedded' }, w.deps);
    expect(chosen.url).toBe(w.embedded.url);
    expect(w.probed).toEqual([]);
    expect(w.started()).toBe(1);
  });

  it('probes ESAFETY_TEST_POSTGRES_PROBE instead of the usual local address, hiding its password', async () => {
    const w = world(false);
    const chosen = await chooseTestPostgres({ ESAFETY_TEST_POSTGRES_PROBE: 'postgres://u:secret@127.0.0.1:1/test' }, w.deps);
    expect(w.probed).toEqual(['postgres://u:secret@127.0.0.1:1/test']);
    expect(chosen.reason).toBe('postgres://u:***@127.0.0.1:1/test: nothing answers there');
  });

  it('finds nothing answering on a closed port', async () => {
    const closed = await new Promise<number>((ok) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => ok(port));
      });
    });
    expect(await postgresRefusal(`postgres://postgres@127.0.0.1:${closed}/test`)).toBe('nothing answers there');
  });

  it('tells a worker started outside jest where the URL should have come from', () => {
    expect(() => testPostgresUrl({ ESAFETY_TEST_POSTGRES: 'embedded' })).toThrow(/globalSetup \(test\/support\/global-setup.ts\)/);
    expect(testPostgresUrl({ ESAFETY_TEST_POSTGRES: 'postgres://a@b/c' })).toBe('postgres://a@b/c');
  });
});
