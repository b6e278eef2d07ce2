import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchBrowser } from './support/browser';
import { callAs, startAppUnderTest, type AppUnderTest } from './support/running-app';
import { demoHalfTermPeople } from '../bin/start-demo';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { seedDemoHalfTerm } from '../src/governance/demo-half-term';
import { halfTermOf, previousHalfTerm } from '../src/governance/half-terms';

/**
 * Policies 001 and 003: incidents go to the full governing body "through the half-termly Heads
 * Report"; policy 002: the head keeps governors "regularly updated". The demo's seeded half-term,
 * read by a governor in the tab and downloaded for the clerk.
 */
describe('the governors’ half-termly report', () => {
  let t: AppUnderTest;
  let browser: Browser;
  const half = previousHalfTerm(halfTermOf(new Date()));
  beforeAll(async () => {
    t = await startAppUnderTest({ watchCalendars: false });
    await seedDemoHalfTerm(t.app.storage, half, demoHalfTermPeople(t.school));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('is for governors and the head: a teacher and the IT admin are refused', async () => {
    const p = keyPeople(t.school);
    const path = `/api/governance/report?halfTerm=${encodeURIComponent(half.id)}`;
    expect((await callAs(t.app, p.governor.id, path)).status).toBe(200);
    expect((await callAs(t.app, p.headteacher.id, path)).status).toBe(200);
    expect((await callAs(t.app, p.teacher.id, path)).status).toBe(403);
    expect((await callAs(t.app, p.itAdmin.id, path)).status).toBe(403);
    const html = await callAs(t.app, p.governor.id, `/api/governance/report/html?halfTerm=${encodeURIComponent(half.id)}`);
    expect(html.body.html).toMatch(/^<!doctype html>/);
    for (const u of Object.values(p)) expect(html.body.html).not.toContain(u.displayName);
  });

  it('a governor reads the last half-term\'s figures, the same as the incident log and the lessons register hold', async () => {
    const incidents = await t.app.storage.db.selectFrom('incident').select('id').where('reported_at', '>=', half.from).where('reported_at', '<', half.to).execute();
    const lessons = await t.app.storage.db.selectFrom('lesson').select('id').where('starts_at', '>=', half.from).where('starts_at', '<', half.to).execute();
    const page = await browser.newPage({ viewport: { width: 1300, height: 1400 } });
    await page.goto(`${t.app.url}/`);
    await page.getByRole('button', { name: 'Sign in as Margaret Hughes' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    await page.getByRole('tab', { name: 'Governors’ report' }).click();
    await page.getByRole('heading', { name: 'Governors’ e-safety report' }).waitFor();
    await page.getByTestId('incidents-total').waitFor();
    expect(await page.getByTestId('incidents-total').locator('span[data-source]').textContent()).toBe(String(incidents.length));
    expect(await page.getByTestId('lessons-held').locator('span[data-source]').textContent()).toBe(String(lessons.length));
    expect(await page.getByTestId('incidents-total').locator('span[data-source]').getAttribute('title')).toContain('incident: reported_at >=');
    const chart = page.getByRole('list', { name: 'Incidents by category' });
    expect(await chart.getByRole('listitem').count()).toBeGreaterThan(3);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const u of Object.values(keyPeople(t.school))) if (u.id !== keyPeople(t.school).governor.id) expect(text).not.toContain(u.displayName);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-governors-report.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download for the clerk/ }).click()]);
    expect(download.suggestedFilename()).toBe(`e-safety-report-${half.id.replace(/\s+/g, '-')}.html`);
    await page.close();
  });
});
