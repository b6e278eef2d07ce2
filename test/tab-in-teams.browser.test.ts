import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { ARTIFACTS, BROWSER_START_TIMEOUT_MS, launchBrowser } from './support/browser';
import { callAs, signInAs, startAppUnderTest, type AppUnderTest } from './support/running-app';

/**
 * How the tab looks where it really lives: inside Teams, in the person's theme (default, dark, high
 * contrast), and in Teams' narrow pane.
 */

let t: AppUnderTest;
let browser: Browser;
beforeAll(async () => {
  t = await startAppUnderTest();
  browser = await launchBrowser();
}, BROWSER_START_TIMEOUT_MS);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/**
 * A stand-in for the Teams client: a page that frames the tab and answers teams-js over postMessage
 * as Teams does: `initialize`, `getContext` (whose `theme` is the user's Teams theme),
 * `authentication.getAuthToken` (SSO; here a demo token), and the host's one-way `themeChange`
 * message when the user switches theme (teams-js: app.registerOnThemeChangeHandler). teams-js trusts
 * messages from its own origin, so the host is served from the app's origin.
 */
function teamsHostPage(token: string, theme: string): string {
  return `<!doctype html><html><body style="margin:0">
<iframe id="tab" src="/#home" title="E-Safety for Teams" style="border:0;width:100vw;height:100vh"></iframe>
<script>
  const tab = document.getElementById('tab');
  let theme = ${JSON.stringify(theme)};
  const runtime = { apiVersion: 4, isLegacyTeams: false, supports: { app: {}, appEntity: {}, authentication: {}, pages: { appButton: {}, tabs: {}, config: {}, backStack: {} }, teams: {} } };
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (e.source !== tab.contentWindow || !m || typeof m.func !== 'string') return;
    const reply = (args) => tab.contentWindow.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, '*');
    if (m.func === 'initialize') reply(['content', 'web', JSON.stringify(runtime), '2.0.0']);
    else if (m.func === 'getContext') reply([{ theme, locale: 'en-gb', frameContext: 'content', hostClientType: 'web', appSessionId: 'test-session' }]);
    else if (m.func === 'authentication.getAuthToken') reply([true, ${JSON.stringify(token)}]);
    else reply([]);
  });
  window.switchTheme = (next) => {
    theme = next;
    tab.contentWindow.postMessage({ func: 'themeChange', args: [next] }, '*');
  };
</script></body></html>`;
}

/** The colour behind `selector` as painted: the first ancestor with a background of its own. */
async function surfaceColour(frame: Frame | Page, selector: string): Promise<string> {
  return frame.evaluate((sel) => {
    for (let el: Element | null = document.querySelector(sel); el; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor;
      if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
    }
    return getComputedStyle(document.body).backgroundColor;
  }, selector);
}

/** Relative luminance (WCAG) of an `rgb(r, g, b)` colour: 0 is black, 1 white. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Waits (bounded) until the surface behind `selector` is dark or light, then returns its colour. */
async function waitForSurface(frame: Frame | Page, selector: string, want: 'dark' | 'light'): Promise<string> {
  await frame
    .waitForFunction(
      ({ sel, dark }) => {
        for (let el: Element | null = document.querySelector(sel); el; el = el.parentElement) {
          const m = getComputedStyle(el).backgroundColor.match(/\d+(\.\d+)?/g);
          if (!m || (m.length === 4 && Number(m[3]) === 0)) continue;
          const [r, g, b] = m.slice(0, 3).map(Number) as [number, number, number];
          const light = (r + g + b) / 3 > 128;
          return dark ? !light : light;
        }
        return false;
      },
      { sel: selector, dark: want === 'dark' },
      { timeout: 10_000 },
    )
    .catch(async () => {
      throw new Error(`the surface behind ${selector} stayed ${await surfaceColour(frame, selector)}, not ${want}`);
    });
  return surfaceColour(frame, selector);
}

describe('the tab follows the Teams theme', () => {
  let page: Page;
  afterEach(() => page?.close());

  async function openInTeams(theme: string): Promise<Frame> {
    const token = await signInAs(t.app, keyPeople(t.school).dsl.id);
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    // Offline: teams-js's optional download of its origin list fails fast instead of timing out.
    await page.route('https://res.cdn.office.net/**', (r) => r.abort());
    await page.route(`${t.app.url}/teams-host.html`, (r) => r.fulfill({ contentType: 'text/html', body: teamsHostPage(token, theme) }));
    await page.goto(`${t.app.url}/teams-host.html`);
    await page.frameLocator('#tab').getByTestId('signed-in-as').waitFor();
    return page.frames().find((f) => f !== page.mainFrame())!;
  }

  it('shows dark surfaces in Teams’ dark theme, and light ones as soon as the user switches to the default theme', async () => {
    const tab = await openInTeams('dark');
    // Signed in by Teams' SSO, not the demo's persona picker.
    await expect(tab.getByTestId('signed-in-as').textContent()).resolves.toBe('Daniel Okafor');
    for (const where of ['main', 'header', 'nav']) expect(luminance(await waitForSurface(tab, where, 'dark'))).toBeLessThan(0.05);
    // Text stays readable on it: light on dark.
    expect(luminance(await tab.evaluate(() => getComputedStyle(document.querySelector('main h2')!).color))).toBeGreaterThan(0.6);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-teams-dark.png') });

    await page.evaluate(() => (window as unknown as { switchTheme(t: string): void }).switchTheme('default'));
    expect(luminance(await waitForSurface(tab, 'main', 'light'))).toBeGreaterThan(0.9);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-teams-default.png') });
  }, 60_000);

  it('uses the high-contrast theme when the user switches Teams to high contrast', async () => {
    const tab = await openInTeams('default');
    await waitForSurface(tab, 'main', 'light');
    await page.evaluate(() => (window as unknown as { switchTheme(t: string): void }).switchTheme('contrast'));
    await tab.waitForFunction(() => document.querySelector('.fui-FluentProvider')?.getAttribute('data-theme') === 'contrast', undefined, { timeout: 10_000 });
    expect(luminance(await waitForSurface(tab, 'main', 'dark'))).toBeLessThan(0.01);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-teams-contrast.png') });
  }, 60_000);

  it('outside Teams, follows ?theme=dark, or the browser’s colour scheme as it changes', async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await page.goto(`${t.app.url}/?theme=dark`);
    await page.getByRole('button', { name: 'Sign in as Amy Clarke' }).waitFor();
    expect(luminance(await waitForSurface(page, 'main', 'dark'))).toBeLessThan(0.05);

    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${t.app.url}/`);
    await page.getByRole('button', { name: 'Sign in as Amy Clarke' }).waitFor();
    await waitForSurface(page, 'main', 'light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await waitForSurface(page, 'main', 'dark');
  }, 60_000);
});

describe('the tab in Teams’ narrow pane (700 px)', () => {
  /** What sticks out of the pane or makes it scroll sideways, as "tag.class (right edge)". */
  const overflowing = (page: Page) =>
    page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out: string[] = [];
      if (document.documentElement.scrollWidth > width) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${width})`);
      for (const el of Array.from(document.querySelectorAll('body *'))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
        // An element inside a scrolling box (a policy's full text) may be wider than the pane: that box scrolls, not the page.
        if (el.closest('[aria-label^="Full text of"]') && !el.matches('[aria-label^="Full text of"]')) continue;
        if (r.right > width + 1)
          out.push(`${el.tagName.toLowerCase()}${el.getAttribute('aria-label') ? `[${el.getAttribute('aria-label')}]` : ''} ends at ${Math.round(r.right)}`);
      }
      return out.slice(0, 10);
    });

  /** No two cells of a table row lie over each other (side by side, or stacked once the table reflows). */
  const overlappingCells = (page: Page) =>
    page.evaluate(() => {
      const out: string[] = [];
      for (const row of Array.from(document.querySelectorAll('main tbody tr'))) {
        const cells = Array.from(row.children)
          .map((c) => c.getBoundingClientRect())
          .filter((r) => r.height > 0 && r.width > 0);
        const overlap = (a: DOMRect, b: DOMRect) =>
          Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
        if (cells.some((a, i) => cells.slice(i + 1).some((b) => overlap(a, b)))) out.push(`cells overlap in "${row.textContent?.slice(0, 60)}"`);
        // A cell squeezed narrower than what it holds spills into its neighbour.
        for (const cell of Array.from(row.children)) {
          const box = cell.getBoundingClientRect();
          const spilt = Array.from(cell.querySelectorAll('*')).find((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
          });
          if (spilt) out.push(`a ${spilt.tagName.toLowerCase()} spills out of its cell in "${row.textContent?.slice(0, 60)}"`);
        }
      }
      return out.slice(0, 5);
    });

  it('every page of every role fits: nothing scrolls sideways, nothing in a table lies over its neighbour', async () => {
    const k = keyPeople(t.school);
    // Something on every page: an incident, an audit run, a published policy.
    const reported = await callAs(t.app, k.teacher.id, '/api/incidents', {
      method: 'POST',
      body: JSON.stringify({
        submissionId: randomUUID(),
        category: 'conduct',
        subCategory: 'cyberbullying',
        whatHappened:
          'Unkind memes shared about a pupil in the class chat, with a very long unbroken link https://example.invalid/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        when: new Date().toISOString(),
        where: 'Class chat',
        illegalOrImmediateRisk: false,
        involved: [{ name: 'Jamie Brown', role: 'student' }],
      }),
    });
    expect(reported.body).toMatchObject({ incidentId: expect.any(String) });
    expect((await callAs(t.app, k.itAdmin.id, '/api/audit/run', { method: 'POST', body: '{}' })).status).toBe(200);
    expect((await callAs(t.app, k.itAdmin.id, '/api/policies/staff-aup/publish', { method: 'POST', body: '{}' })).status).toBe(200);

    const problems: string[] = [];
    for (const who of [k.dsl, k.itAdmin, k.teacher, k.headteacher, k.student]) {
      const page = await browser.newPage({ viewport: { width: 700, height: 900 } });
      await page.goto(`${t.app.url}/`);
      await page.getByRole('button', { name: `Sign in as ${who.displayName}` }).click();
      await page.getByTestId('signed-in-as').waitFor();
      const tabs = page.getByRole('navigation', { name: 'Pages' }).getByRole('tab');
      for (let i = 0; i < (await tabs.count()); i++) {
        await tabs.nth(i).click();
        await page.locator('main h2').first().waitFor();
        const name = (await page.locator('main h2').first().textContent()) ?? `page ${i}`;
        // A page has settled when its spinners are gone (bounded: the locator's own timeout).
        await page
          .locator('main [role="progressbar"]')
          .first()
          .waitFor({ state: 'detached', timeout: 20_000 })
          .catch(() => undefined);
        // The incident queue: open the incident too, so its chronology (with a long link) is measured.
        if (await page.getByRole('button', { name: 'Open', exact: true }).count()) {
          await page.getByRole('button', { name: 'Open', exact: true }).first().click();
          await page.getByRole('article', { name: 'Chronology' }).waitFor();
        }
        for (const p of await overflowing(page)) problems.push(`${who.displayName} / ${name}: ${p}`);
        for (const p of await overlappingCells(page)) problems.push(`${who.displayName} / ${name}: ${p}`);
        await page.screenshot({ path: join(ARTIFACTS, `tab-700px-${who.displayName.split(' ')[0]}-${name.replace(/\W+/g, '-')}.png`), fullPage: true });
      }
      await page.close();
    }
    expect(problems).toEqual([]);
  }, 180_000);
});
