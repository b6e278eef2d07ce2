import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumCandidates, findChromium, HOW_TO_INSTALL, playwrightCacheChromiums, type Candidate } from './find-chromium';

const OWN = '/cache/ms-playwright/chromium-1255/chrome-linux64/chrome';

/** A machine with `present` on disk; an install (when allowed) puts Playwright's own Chromium there. */
function machine(present: string[], env: Record<string, string> = {}, network: 'open' | 'closed' = 'closed') {
  const files = new Set(present);
  let installs = 0;
  return {
    installs: () => installs,
    deps: {
      candidates: (): Candidate[] => chromiumCandidates({ PATH: '/usr/local/bin:/usr/bin', ...env }, OWN, '/nowhere'),
      exists: (path: string) => files.has(path),
      async install() {
        installs += 1;
        if (network === 'closed') return 'getaddrinfo ENOTFOUND (no route to the browser download)';
        files.add(OWN);
        return undefined;
      },
    },
  };
}

describe('finding a Chromium for the browser tests', () => {
  it('takes CHROMIUM_PATH first, over a system Chromium', async () => {
    const m = machine(['/opt/my/chrome', '/usr/bin/chromium'], { CHROMIUM_PATH: '/opt/my/chrome' });
    expect(await findChromium(m.deps)).toBe('/opt/my/chrome');
  });

  it("takes Debian's chromium before chromium-browser and Google Chrome, and those before Playwright's cache", async () => {
    expect(await findChromium(machine(['/usr/bin/chromium', '/usr/bin/chromium-browser', OWN]).deps)).toBe('/usr/bin/chromium');
    expect(await findChromium(machine(['/usr/bin/chromium-browser', '/usr/bin/google-chrome', OWN]).deps)).toBe('/usr/bin/chromium-browser');
    expect(await findChromium(machine(['/usr/bin/google-chrome-stable', OWN]).deps)).toBe('/usr/bin/google-chrome-stable');
    expect(await findChromium(machine([OWN]).deps)).toBe(OWN);
  });

  it('finds a Chromium on PATH outside /usr/bin', async () => {
    expect(await findChromium(machine(['/usr/local/bin/google-chrome']).deps)).toBe('/usr/local/bin/google-chrome');
  });

  it('goes on looking when CHROMIUM_PATH points nowhere', async () => {
    const m = machine(['/usr/bin/chromium'], { CHROMIUM_PATH: '/nowhere/chrome' });
    expect(await findChromium(m.deps)).toBe('/usr/bin/chromium');
    expect(m.installs()).toBe(0);
  });

  it('installs Playwright’s Chromium when there is none, where the network allows', async () => {
    const m = machine([], {}, 'open');
    expect(await findChromium(m.deps)).toBe(OWN);
    expect(m.installs()).toBe(1);
  });

  it('fails with one line saying what to install when there is none and no download', async () => {
    const m = machine([], { CHROMIUM_PATH: '/nowhere/chrome' });
    const failure = await findChromium(m.deps).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(failure).toContain('CHROMIUM_PATH=/nowhere/chrome does not exist');
    expect(failure).toContain('getaddrinfo ENOTFOUND');
    expect(failure).toContain(HOW_TO_INSTALL);
    expect(failure).toContain('apt-get install chromium');
    expect(failure).not.toContain('\n');
  });
});

describe("Playwright's cache", () => {
  const cache = mkdtempSync(join(tmpdir(), 'esafety-pw-cache-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('offers every downloaded Chromium, newest revision first, the full browser before its headless shell', () => {
    for (const dir of ['chromium-1100', 'chromium-1255', 'chromium_headless_shell-1255', 'ffmpeg-1011']) mkdirSync(join(cache, dir));
    writeFileSync(join(cache, 'chromium-1100', 'stray-file'), '');
    const found = playwrightCacheChromiums(cache);
    expect(found[0]).toBe(join(cache, 'chromium-1255', 'chrome-linux64', 'chrome'));
    expect(found.findIndex((p) => p.includes('chromium_headless_shell-1255'))).toBeLessThan(found.findIndex((p) => p.includes('chromium-1100')));
    expect(found.some((p) => p.includes('ffmpeg'))).toBe(false);
  });

  it("is looked in after the system's, this Playwright's own download first", () => {
    const order = chromiumCandidates({ PATH: '' }, OWN, cache).map((c) => c.path);
    expect(order.indexOf('/usr/bin/google-chrome-stable')).toBeLessThan(order.indexOf(OWN));
    expect(order.indexOf(OWN)).toBeLessThan(order.indexOf(join(cache, 'chromium-1255', 'chrome-linux64', 'chrome')));
  });

  it('is nothing when there is no cache', () => {
    expect(playwrightCacheChromiums(join(cache, 'absent'))).toEqual([]);
  });
});
