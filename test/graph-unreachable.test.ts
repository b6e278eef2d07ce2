import { Writable } from 'node:stream';
import pino from 'pino';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { signInAs, startAppUnderTest, type AppUnderTest } from './support/running-app';

/** Microsoft 365 stops answering (connection refused): people are told so, and so is the operator. */
describe('when Microsoft Graph is unreachable', () => {
  let t: AppUnderTest;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    t = await startAppUnderTest({ logger: pino({ level: 'warn' }, sink) });
  });
  afterAll(() => t.close());

  it('answers API calls with 503 graph-unavailable, /readyz reports it, and the log names the cause', async () => {
    const token = await signInAs(t.app, keyPeople(t.school).teacher.id);
    expect((await fetch(`${t.app.url}/readyz`)).status).toBe(200);
    await t.tenant.close();

    const res = await fetch(`${t.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 'graph-unavailable', message: expect.stringMatching(/^Microsoft 365 is not answering/) } });

    const ready = await fetch(`${t.app.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'microsoft 365 unreachable',
      graph: { reachable: false, cause: expect.stringMatching(/ECONNREFUSED/) },
    });
    expect(lines.some((l) => l.includes('ECONNREFUSED') && l.includes('unreachable'))).toBe(true);
  });
});
