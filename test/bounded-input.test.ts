import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { signInAs, startAppUnderTest, type AppUnderTest } from './support/running-app';

describe('bounded input and protective headers (issue #14)', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest();
  });
  afterAll(() => t.close());

  // 64 MB of zeros squeezes to about 64 KB: far under the body limit, far over it inflated.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });

  it.each(['/api/messages', '/api/incidents', '/api/graph/notifications', '/api/demo/sign-in', '/parent/some-link'])(
    'refuses a gzip bomb sent to %s (415) before reading it, without signing anyone in',
    async (path) => {
      expect(bomb.length).toBeLessThan(256 * 1024);
      const res = await fetch(`${t.app.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: bomb,
      });
      expect(res.status).toBe(415);
      expect(res.headers.get('accept-encoding')).toBe('identity');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported-content-encoding');
    },
  );

  it('refuses a plain body over 256 KB (413)', async () => {
    const body = JSON.stringify({ whatHappened: 'x'.repeat(300 * 1024) });
    const res = await fetch(`${t.app.url}/api/incidents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
  });

  it('answers a bot activity that is not an object, without a token, with 401 (not 500)', async () => {
    for (const body of ['"hello"', '[1,2]', 'null', '42']) {
      const res = await fetch(`${t.app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(401);
    }
  });

  describe('headers on the tab, the API and the parent page', () => {
    it.each(['/index.html', '/api/me', '/healthz', '/parent/not-a-link'])(
      '%s carries CSP frame-ancestors for Teams and Outlook, nosniff and a referrer policy',
      async (path) => {
        const res = await fetch(`${t.app.url}${path}`);
        const csp = res.headers.get('content-security-policy') ?? '';
        const ancestors = /frame-ancestors ([^;]+)/.exec(csp)?.[1]?.split(' ') ?? [];
        expect(ancestors).toEqual(
          expect.arrayContaining([
            'https://teams.microsoft.com',
            'https://*.teams.microsoft.com',
            'https://*.cloud.microsoft',
            'https://*.office.com',
            'https://outlook.office.com',
          ]),
        );
        expect(csp).toMatch(/script-src 'self'(;|$)/);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      },
    );
  });

  describe('rate limits', () => {
    it('stops a student creating 200 incidents in a few seconds: a clear 429 with Retry-After', async () => {
      const student = await signInAs(t.app, keyPeople(t.school).student.id);
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      let message = '';
      await Promise.all(
        Array.from({ length: 200 }, async () => {
          const res = await fetch(`${t.app.url}/api/confide`, {
            method: 'POST',
            headers: { authorization: `Bearer ${student}`, 'content-type': 'application/json' },
            body: JSON.stringify({ submissionId: randomUUID(), message: 'Someone keeps messaging me at night.' }),
          });
          statuses.push(res.status);
          if (res.status === 429) {
            retryAfter = res.headers.get('retry-after');
            message = ((await res.json()) as { error: { message: string } }).error.message;
          }
        }),
      );
      const created = await t.app.storage.db
        .selectFrom('incident')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('reporter_id', '=', keyPeople(t.school).student.id)
        .executeTakeFirstOrThrow();
      // Every request was either written (at most the allowance, 30 a minute) or refused with 429:
      // nothing else, however slowly a busy machine serves the 200.
      expect(Number(created.n)).toBeLessThanOrEqual(30);
      expect(statuses.filter((s) => s !== 429 && s >= 300)).toEqual([]);
      expect(statuses.filter((s) => s < 300)).toHaveLength(Number(created.n));
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(message).toMatch(/Too many requests\. Please wait \d+ seconds?/);
    });

    it('limits demo sign-ins and parent-link guesses from one address', async () => {
      const persona = keyPeople(t.school).dsl.id;
      const signIns = await Promise.all(
        Array.from({ length: 40 }, () =>
          fetch(`${t.app.url}/api/demo/sign-in`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ personaId: persona }),
          }).then((r) => r.status),
        ),
      );
      expect(signIns.filter((s) => s === 429).length).toBeGreaterThan(0);
      const guesses = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${t.app.url}/parent/guess-${i}`).then((r) => r.status)));
      expect(guesses.filter((s) => s === 429).length).toBeGreaterThan(0);
    });
  });
});

describe('refused tokens from one address', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest({ rateLimits: { refusedTokens: { points: 5, seconds: 60 } } });
  });
  afterAll(() => t.close());

  it('make that address wait (429) once its allowance of refusals is spent; a missing token does not count', async () => {
    const me = (authorization?: string) => fetch(`${t.app.url}/api/me`, authorization ? { headers: { authorization } } : {}).then((r) => r.status);
    for (let i = 0; i < 10; i++) expect(await me()).toBe(401);
    for (let i = 0; i < 5; i++) expect(await me('Bearer not.a.token')).toBe(401);
    expect(await me('Bearer not.a.token')).toBe(429);
  });
});
