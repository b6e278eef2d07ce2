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
    await seedDemoHalfTerm(t.app.storage, half, demoHalfTermPeople(t.school), t.app.incidentLogKeys);
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
    const bad = await callAs(t.app, p.governor.id, '/api/governance/report?halfTerm=last%20term');
    expect(bad).toMatchObject({ status: 400, body: { error: { message: 'halfTerm must be like "2026-27 autumn 1"' } } });
    // Governors approve a review; the head (or an admin) records it.
    const byGovernor = await callAs(t.app, p.governor.id, '/api/governance/reviews/staff-aup', { method: 'POST', body: JSON.stringify({ changed: false }) });
    expect(byGovernor.status).toBe(403);
    expect((await callAs(t.app, p.teacher.id, '/api/governance/training')).status).toBe(403);
    const html = await callAs(t.app, p.governor.id, `/api/governance/report/html?halfTerm=${encodeURIComponent(half.id)}`);
    expect(html.body.html).toMatch(/^<!doctype html>/);
    for (const u of Object.values(p)) expect(html.body.html).not.toContain(u.displayName);
  });

  it("a governor reads the last half-term's figures, the same as the incident log and the lessons register hold", async () => {
    const incidents = await t.app.storage.db
      .selectFrom('incident')
      .select('id')
      .where('reported_at', '>=', half.from)
      .where('reported_at', '<', half.to)
      .execute();
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
    // The Fluent UI chart draws one bar per sub-category with an incident.
    await page.getByTestId('category-chart').locator('svg rect').first().waitFor();
    expect(await page.getByTestId('category-chart').locator('svg rect').count()).toBeGreaterThanOrEqual(9);
    const chart = page.getByRole('list', { name: 'Incidents by category' });
    expect(await chart.getByRole('listitem').count()).toBeGreaterThan(3);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const u of Object.values(keyPeople(t.school))) if (u.id !== keyPeople(t.school).governor.id) expect(text).not.toContain(u.displayName);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-governors-report.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download for the clerk/ }).click()]);
    expect(download.suggestedFilename()).toBe(`e-safety-report-${half.id.replace(/\s+/g, '-')}.html`);
    await page.close();
  });

  it("the head records a policy's annual review with the governors' approval date, from the report page", async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1400 } });
    await page.goto(`${t.app.url}/#governors-report`);
    await page.getByRole('button', { name: 'Sign in as Helen Carter' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    const form = page.getByRole('form', { name: 'Record a policy review' });
    await form.getByRole('combobox', { name: 'Policy' }).click();
    await page.getByRole('option', { name: 'Acceptable Use Agreement for Students' }).click();
    await form.getByLabel('Approved by governors on').fill('2026-11-18');
    await form.getByRole('button', { name: 'Record the review' }).click();
    await page.getByText('Review recorded; the next is due in a year.').waitFor();
    const row = await t.app.storage.db.selectFrom('policy_review').selectAll().where('policy_id', '=', 'student-aup').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ reviewed_by: keyPeople(t.school).headteacher.id, changed: 0, governors_approved_on: '2026-11-18' });
    await page.close();
  });

  it('the DSL sees who has no current online-safety training', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await page.goto(`${t.app.url}/#training`);
    await page.getByRole('button', { name: 'Sign in as Daniel Okafor' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    const table = page.getByRole('table', { name: 'Missing or expiring training' });
    await table.waitFor();
    expect(await table.getByText('missing', { exact: true }).count()).toBeGreaterThan(0);
    expect(await table.getByText('expired', { exact: true }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-training.png'), fullPage: true });
    await page.close();
  });
});
