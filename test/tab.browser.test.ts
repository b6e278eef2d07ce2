import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, BROWSER_START_TIMEOUT_MS, launchBrowser } from './support/browser';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { CONTROLS } from '../src/audit/controls/catalogue';
import { startAppUnderTest, type AppUnderTest } from './support/running-app';
import { demoFindingCount } from './support/demo-findings';

/** The app on the demo tenant and a headless Chromium, started once per describe. */
function useAppInBrowser(): { t: AppUnderTest; browser: Browser } {
  const env = {} as { t: AppUnderTest; browser: Browser };
  beforeAll(async () => {
    env.t = await startAppUnderTest();
    env.browser = await launchBrowser();
  }, BROWSER_START_TIMEOUT_MS);
  afterAll(async () => {
    await env.browser?.close();
    await env.t?.close();
  });
  return env;
}

/** A page opened at `#hash` and signed in as the named demo persona. */
async function signedInPage(env: { t: AppUnderTest; browser: Browser }, name: string, hash: string): Promise<Page> {
  const page = await env.browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await page.goto(`${env.t.app.url}/#${hash}`);
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await page.getByTestId('signed-in-as').waitFor();
  return page;
}

/** The built tab (npm run build:tab) in headless Chromium, signed in as demo personas. */
describe('the tab in a browser', () => {
  const env = useAppInBrowser();
  let page: Page;
  beforeEach(async () => {
    page = await env.browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterEach(() => page.close());

  async function signInAs(name: string) {
    await page.goto(`${env.t.app.url}/`);
    await page.getByRole('button', { name: `Sign in as ${name}` }).click();
    await page.getByTestId('signed-in-as').waitFor();
  }
  /** The pages' accessible names, as a screen reader announces them. */
  const pageNames = async () => {
    const snapshot = await page.getByRole('navigation', { name: 'Pages' }).ariaSnapshot();
    return [...snapshot.matchAll(/- tab "([^"]+)"/g)].map((m) => m[1]);
  };

  it('offers the demo personas outside Teams', async () => {
    await page.goto(`${env.t.app.url}/`);
    await page.getByRole('button', { name: 'Sign in as Amy Clarke' }).waitFor({ state: 'visible' });
    expect(await page.getByRole('button', { name: /^Sign in as / }).count()).toBe(7);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-personas.png') });
  });

  it('shows a teacher the pages of a teacher', async () => {
    await signInAs('Amy Clarke');
    expect(await pageNames()).toEqual(['Home', 'My policies', 'Report a concern', 'Lessons']);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-teacher.png') });
  });

  it('shows the DSL the incident queue', async () => {
    await signInAs('Daniel Okafor');
    expect(await pageNames()).toContain('Incidents');
    await page.getByRole('tab', { name: 'Incidents' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor({ state: 'visible' });
    await page.screenshot({ path: join(ARTIFACTS, 'tab-dsl.png') });
  });

  it('cancels a page’s request when the person leaves the page before it answers', async () => {
    await signInAs('Daniel Okafor');
    // Hold the queue's request so it is still open when she leaves the page.
    let asked!: () => void;
    const held = new Promise<void>((resolve) => (asked = resolve));
    await page.route(
      (url) => url.pathname === '/api/incidents',
      () => asked(),
    );
    const failed = page.waitForEvent('requestfailed', { predicate: (r) => new URL(r.url()).pathname === '/api/incidents', timeout: 10_000 });
    await page.getByRole('tab', { name: 'Incidents' }).click();
    await held;
    await page.getByRole('tab', { name: 'Home' }).click();
    expect((await failed).failure()?.errorText).toMatch(/ABORTED/);
  });

  it('shows a student only their own pages', async () => {
    await signInAs('Jamie Brown');
    expect(await pageNames()).toEqual(['Home', 'My policies', 'Confide']);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-student.png') });
  });
});

describe('the IT admin’s audit page in a browser', () => {
  const env = useAppInBrowser();

  it('runs the audit, lists each finding with its clause, and accepts one with a reason', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${env.t.app.url}/#audit`);
    await page.getByRole('button', { name: 'Sign in as Sam Patel' }).click();
    await page.getByRole('button', { name: 'Run the audit now' }).click();
    await page.getByTestId('finding-row').first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('finding-row').count()).toBe(demoFindingCount(env.t.school));
    // Each finding cites the school's own policy by its title and clause.
    await expect(page.getByText('Information Technology and E-Safety Policy, clause 2, Remote Working').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'tab-audit.png') });

    // The filter lists the catalogue's controls: picking one shows only its findings.
    const control = CONTROLS.find((c) => c.rule === 'groups.guest-in-student-group')!;
    const seededForControl = env.t.school.seededViolations.filter((v) => v.rule === control.rule).length;
    await page.getByRole('combobox', { name: 'Control' }).click();
    expect(await page.getByRole('option').count()).toBe(CONTROLS.length + 1);
    await page.getByRole('option', { name: `${control.title} (${control.id})` }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="finding-row"]').length === n, seededForControl);
    await page.getByRole('combobox', { name: 'Control' }).click();
    await page.getByRole('option', { name: 'all', exact: true }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="finding-row"]').length === n, demoFindingCount(env.t.school));

    const before = await page.getByTestId('finding-row').count();
    await page.getByRole('button', { name: 'Accept…' }).first().click();
    await page.getByRole('textbox', { name: /Why is this acceptable/ }).fill('Agreed with the head for the exam season');
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="finding-row"]').length === n - 1, before);
    await page.close();
  }, 60_000);
});

describe('incidents in the tab, in a browser', () => {
  const env = useAppInBrowser();

  const as = (name: string, hash: string) => signedInPage(env, name, hash);

  it('a teacher reports a concern; the DSL sees the queue, the chronology and the governors’ report', async () => {
    const teacher = await as('Amy Clarke', 'report');
    await teacher.getByRole('combobox', { name: 'What kind of concern?' }).click();
    await teacher.getByRole('option', { name: 'Conduct: cyberbullying' }).click();
    await teacher.getByRole('textbox', { name: /What happened/ }).fill('Unkind memes about a Year 8 pupil shared in the class chat.');
    await teacher.getByRole('textbox', { name: /Who is involved/ }).fill('Jamie Brown');
    await teacher.getByRole('button', { name: 'Send to the DSL' }).click();
    await teacher.getByText('passed to the safeguarding team').waitFor();
    await teacher.screenshot({ path: join(ARTIFACTS, 'tab-report.png') });
    await teacher.close();

    const dsl = await as('Daniel Okafor', 'incidents');
    await dsl.getByTestId('incident-row').first().waitFor();
    expect(await dsl.getByTestId('incident-row').count()).toBe(1);
    await dsl.screenshot({ path: join(ARTIFACTS, 'tab-incident-queue.png'), fullPage: true });
    await dsl.getByRole('button', { name: 'Open' }).click();
    await dsl.getByRole('article', { name: 'Chronology' }).waitFor();
    await expect(dsl.getByRole('article', { name: 'Chronology' }).textContent()).resolves.toContain('Unkind memes');
    await dsl.screenshot({ path: join(ARTIFACTS, 'tab-incident-chronology.png'), fullPage: true });
    // Jamie's own chronology, across incidents.
    await dsl.getByRole('button', { name: 'Chronology of Jamie Brown' }).click();
    await dsl.getByRole('article', { name: "Person's chronology" }).waitFor();
    await expect(dsl.getByRole('article', { name: "Person's chronology" }).textContent()).resolves.toMatch(/Jamie Brown: 1 incident.*Reported/);
    await dsl.screenshot({ path: join(ARTIFACTS, 'tab-person-chronology.png'), fullPage: true });
    // The queue filters by the person named, asking the server when the typing pauses, not per keystroke.
    const asked: string[] = [];
    dsl.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/incidents' && url.searchParams.has('person')) asked.push(url.searchParams.get('person')!);
    });
    await dsl.getByRole('textbox', { name: 'Person named' }).pressSequentially('nobody-like-this', { delay: 20 });
    await dsl.getByText('No incidents.').waitFor();
    expect(asked.at(-1)).toBe('nobody-like-this');
    // 16 keystrokes; a loaded machine may pause once or twice mid-word.
    expect(asked.length).toBeLessThanOrEqual(3);
    await expect(dsl.getByRole('table', { name: "Governors' report" }).textContent()).resolves.toContain('cyberbullying');
    await dsl.close();
  }, 60_000);

  it('a concern about staff reaches the headteacher’s Incidents page, where she acknowledges it as the DSL would (policy 002)', async () => {
    const teacher = await as('Amy Clarke', 'report');
    await teacher.getByRole('combobox', { name: 'What kind of concern?' }).click();
    await teacher.getByRole('option', { name: 'Conduct: staff misuse' }).click();
    await teacher.getByRole('textbox', { name: /What happened/ }).fill('A colleague shared pupils’ photos from a personal phone.');
    await teacher.getByRole('combobox', { name: 'Is the concern about an adult in school?' }).click();
    await teacher.getByRole('option', { name: 'Yes, a member of staff' }).click();
    await teacher.getByRole('button', { name: 'Send to the DSL' }).click();
    await teacher.getByText('passed to the safeguarding team').waitFor();
    await teacher.close();

    const head = await as('Helen Carter', 'incidents');
    await head.getByRole('heading', { name: 'Incidents sent to you' }).waitFor();
    await head.getByTestId('incident-row').first().waitFor();
    // Only what was sent to her: the pupil's cyberbullying report above is not here.
    expect(await head.getByTestId('incident-row').count()).toBe(1);
    await head.getByRole('button', { name: 'Open' }).click();
    const chronology = head.getByRole('article', { name: 'Chronology' });
    await chronology.waitFor();
    await head.getByRole('button', { name: 'Acknowledge' }).click();
    await chronology.getByText(/: Acknowledged/).waitFor();
    await expect(chronology.getByRole('heading').first().textContent()).resolves.toContain('(Acknowledged)');
    // No raw status tokens: people read words.
    expect(await head.locator('body').textContent()).not.toMatch(/flagged-open|escalated-to|parents-informed/);
    await head.screenshot({ path: join(ARTIFACTS, 'tab-headteacher-incidents.png'), fullPage: true });
    await head.close();
  }, 60_000);

  it('a student confides, and cannot see the queue', async () => {
    const student = await as('Jamie Brown', 'confide');
    await student.getByRole('textbox', { name: /What is worrying you/ }).fill('Someone I do not know keeps messaging me.');
    await student.getByRole('button', { name: 'Send' }).click();
    await student.getByText('Thank you for telling us').waitFor();
    await student.screenshot({ path: join(ARTIFACTS, 'tab-confide.png') });
    const status = await student.evaluate(
      async () => (await fetch('/api/incidents', { headers: { authorization: `Bearer ${sessionStorage.getItem('esafety.demoToken')}` } })).status,
    );
    expect(status).toBe(403);
    await student.close();
  }, 60_000);
});

describe('policies in the tab, in a browser', () => {
  const env = useAppInBrowser();

  const as = (name: string, hash: string) => signedInPage(env, name, hash);

  it('the IT admin publishes the staff AUP; a teacher reads and accepts it; the admin sees her counted', async () => {
    const admin = await as('Sam Patel', 'policies');
    // Sending to everyone on the staff is confirmed first, with how many it reaches; Cancel sends nothing.
    await admin.getByRole('button', { name: 'Publish Acceptable Use Agreement for Staff' }).click();
    const confirm = admin.getByRole('dialog', { name: 'Publish version 1 of Acceptable Use Agreement for Staff?' });
    await expect(confirm.textContent()).resolves.toMatch(/It goes to 60 people \(staff, volunteers\) as a card in Teams chat/);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await env.t.app.storage.db.selectFrom('policy_version').select('id').execute()).toEqual([]);
    await admin.getByRole('button', { name: 'Publish Acceptable Use Agreement for Staff' }).click();
    await confirm.getByRole('button', { name: 'Send to 60 people' }).click();
    await admin.getByText(/Published version 1 of Acceptable Use Agreement for Staff/).waitFor();
    // 60 staff are two pages, not one long table.
    await expect(admin.getByTestId('coverage-page').textContent()).resolves.toBe('1–50 of 60');
    expect(await admin.getByTestId('coverage-person').count()).toBe(50);
    await admin.getByRole('button', { name: 'Next' }).click();
    await expect(admin.getByTestId('coverage-page').textContent()).resolves.toBe('51–60 of 60');
    expect(await admin.getByTestId('coverage-person').count()).toBe(10);
    await admin.screenshot({ path: join(ARTIFACTS, 'tab-policies-published.png'), fullPage: true });

    const teacher = await as('Amy Clarke', 'my-policies');
    const card = teacher.getByRole('group', { name: 'Acceptable Use Agreement for Staff' }).or(teacher.getByTestId('my-policy').first());
    await card.getByText('pending').waitFor();
    await teacher.getByRole('button', { name: 'Read the full text' }).first().click();
    const fullText = teacher.getByRole('article', { name: /Full text of Acceptable Use Agreement for Staff/ });
    await fullText.waitFor();
    // Formatted as written: a heading and numbered clauses, never raw '#' and '##'.
    await fullText.getByRole('heading', { name: 'Clauses' }).waitFor();
    expect(await fullText.getByRole('listitem').count()).toBeGreaterThan(3);
    expect(await fullText.textContent()).not.toContain('#');
    await teacher.getByRole('button', { name: 'I accept' }).first().click();
    await teacher.getByText(/accepted on \d{4}-\d{2}-\d{2}/).waitFor();
    await teacher.screenshot({ path: join(ARTIFACTS, 'tab-my-policies.png'), fullPage: true });
    await teacher.close();

    await admin.reload();
    await admin.getByRole('article', { name: 'Coverage' }).waitFor();
    await admin.getByRole('textbox', { name: 'Name' }).fill('Amy Clarke');
    // The sign-in name is shown with the name: two people may share one.
    await expect(admin.getByTestId('coverage-person').first().textContent()).resolves.toMatch(/Amy Clarke.*amy\.clarke@.*accepted.*version 1/);
    await expect(admin.getByTestId('coverage-count').first().textContent()).resolves.toMatch(/accepted: 1/);
    await admin.getByRole('button', { name: 'History of Amy Clarke' }).click();
    await expect(admin.getByRole('article', { name: "Person's history" }).textContent()).resolves.toMatch(/staff-aup version 1 \(tab/);
    await admin.screenshot({ path: join(ARTIFACTS, 'tab-policy-coverage.png'), fullPage: true });
    await admin.close();
  }, 60_000);
});

describe('lessons in the tab, in a browser', () => {
  const env = useAppInBrowser();

  it('a teacher starts a lesson for her class and sees it, and sees a past lesson without its recording', async () => {
    const k = keyPeople(env.t.school);
    const cleanClass = env.t.school.groups.find(
      (g) =>
        g.kind === 'class' &&
        g.ownerIds.includes(k.teacher.id) &&
        g.memberIds.every((id) => env.t.school.users.find((u) => u.id === id)?.userType === 'Member'),
    )!;
    // A lesson last summer whose recording was found missing (09:00 in London, 08:00 UTC).
    await env.t.app.storage.db
      .insertInto('lesson')
      .values({
        id: 'past-1',
        submission_id: 'past-1',
        teacher_id: k.teacher.id,
        class_id: cleanClass.id,
        class_name: cleanClass.displayName,
        title: 'Summer term: sonnets',
        starts_at: '2026-07-06T08:00:00.000Z',
        ends_at: '2026-07-06T09:00:00.000Z',
        event_id: 'e',
        online_meeting_id: 'm',
        join_url: 'https://teams.microsoft.com/l/meetup-join/x',
        chat_id: null,
        app_in_chat: null,
        created_at: '2026-11-15T09:00:00.000Z',
        started_at: null,
        announced_at: null,
        ended_at: '2026-11-16T10:00:00.000Z',
        recording_checked_at: '2026-11-16T10:40:00.000Z',
        recording_found: 0,
      })
      .execute();

    const page = await signedInPage(env, 'Amy Clarke', 'lessons');
    await page.getByRole('form', { name: 'Start a lesson' }).waitFor();
    // Her other class's team has an outside tutor: refused in plain words, and what she typed stays.
    const guestClass = env.t.school.groups.find((g) => g.kind === 'class' && g.ownerIds.includes(k.teacher.id) && g.id !== cleanClass.id)!;
    await page.getByRole('combobox', { name: 'Class' }).click();
    await page.getByRole('option', { name: guestClass.displayName }).click();
    await page.getByRole('textbox', { name: 'Title' }).fill('Macbeth: the witches');
    await page.getByRole('button', { name: 'Start the lesson' }).click();
    await page.getByText(/The lesson was not created: Rob Tutor.*is outside the school/).waitFor();
    await expect(page.getByRole('textbox', { name: 'Title' }).inputValue()).resolves.toBe('Macbeth: the witches');
    expect(await page.locator('section').textContent()).not.toMatch(/policy 000/);
    await page.getByRole('combobox', { name: 'Class' }).click();
    await page.getByRole('option', { name: cleanClass.displayName }).click();
    // The time she types is the school's (London, summer time), whatever the browser's zone.
    await page.getByRole('radio', { name: 'Later' }).check();
    await page.getByRole('textbox', { name: 'Starts' }).fill('2027-06-14T09:00');
    await page.getByRole('button', { name: 'Start the lesson' }).click();
    await page.getByText(/"Macbeth: the witches" is ready: it records automatically/).waitFor();
    await expect(page.getByTestId('upcoming-lesson').first().textContent()).resolves.toMatch(/Mon, 14 Jun 2027, 09:00.*Macbeth: the witches/);
    await expect(page.getByTestId('past-lesson').first().textContent()).resolves.toMatch(/Mon, 6 Jul 2026, 09:00.*Summer term: sonnets.*no recording/);
    expect(await page.locator('section').textContent()).not.toContain('UTC');
    expect(
      (await env.t.app.storage.db.selectFrom('lesson').select('starts_at').where('title', '=', 'Macbeth: the witches').executeTakeFirstOrThrow()).starts_at,
    ).toBe('2027-06-14T08:00:00.000Z');
    await page.screenshot({ path: join(ARTIFACTS, 'tab-lessons.png'), fullPage: true });
    const created = env.t.school.onlineMeetings.at(-1)!;
    expect(created).toMatchObject({ subject: 'Macbeth: the witches', recordAutomatically: true });
    await page.close();
  }, 60_000);
});
