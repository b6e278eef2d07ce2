import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

/**
 * Finds a Chromium for the browser tests the way people have one, in this order:
 * CHROMIUM_PATH; the system's (Debian's chromium, chromium-browser, Google Chrome); Playwright's
 * cache. When there is none, it asks Playwright's CLI to download one (where the network allows);
 * otherwise it fails with one line saying what to install. The browser tests never skip.
 */
export interface Candidate {
  path: string;
  /** Where it came from, for the failure message. */
  from: string;
}

type Env = Record<string, string | undefined>;

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const SYSTEM_PATHS = [
  ...SYSTEM_NAMES.map((name) => `/usr/bin/${name}`),
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** Playwright's download directory (PLAYWRIGHT_BROWSERS_PATH, else the per-user cache). */
export function playwrightCacheDir(env: Env = process.env): string {
  if (env.PLAYWRIGHT_BROWSERS_PATH && env.PLAYWRIGHT_BROWSERS_PATH !== '0') return env.PLAYWRIGHT_BROWSERS_PATH;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'ms-playwright');
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? homedir(), 'ms-playwright');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ms-playwright');
}

/** Every Chromium a Playwright has downloaded there, newest revision first (any Playwright version launches them). */
export function playwrightCacheChromiums(cacheDir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(cacheDir);
  } catch {
    return [];
  }
  const revision = (dir: string) => Number(/-(\d+)$/.exec(dir)?.[1] ?? 0);
  const inside = (dir: string) =>
    dir.startsWith('chromium_headless_shell-')
      ? ['chrome-linux64/chrome-headless-shell', 'chrome-linux/headless_shell']
      : ['chrome-linux64/chrome', 'chrome-linux/chrome', 'chrome-mac/Chromium.app/Contents/MacOS/Chromium', 'chrome-win/chrome.exe'];
  return (
    entries
      .filter((dir) => /^chromium(_headless_shell)?-\d+$/.test(dir))
      // Full Chromium before the headless shell of the same revision, newest revision first.
      .sort((a, b) => revision(b) - revision(a) || a.length - b.length)
      .flatMap((dir) => inside(dir).map((file) => join(cacheDir, dir, file)))
  );
}

/** The places to look, in order. `playwrightOwn` is where this Playwright version installs its Chromium. */
export function chromiumCandidates(env: Env, playwrightOwn: string, cacheDir = playwrightCacheDir(env)): Candidate[] {
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap((dir) => SYSTEM_NAMES.map((name) => join(dir, name)));
  return [
    ...(env.CHROMIUM_PATH ? [{ path: env.CHROMIUM_PATH, from: 'CHROMIUM_PATH' }] : []),
    ...[...new Set([...SYSTEM_PATHS, ...onPath])].map((path) => ({ path, from: 'the system' })),
    { path: playwrightOwn, from: "Playwright's cache" },
    ...playwrightCacheChromiums(cacheDir).map((path) => ({ path, from: "Playwright's cache" })),
  ];
}

export interface FinderDeps {
  /** The places to look, asked again after an install. */
  candidates(): Candidate[];
  exists(path: string): boolean;
  /** Downloads Playwright's Chromium; resolves with why it could not, or undefined once installed. */
  install(): Promise<string | undefined>;
}

export const HOW_TO_INSTALL =
  'install Chromium: "sudo apt-get install chromium" (Debian/Ubuntu), or "npx playwright-core install chromium" where downloads are allowed, or set CHROMIUM_PATH to a Chromium or Chrome';

export async function findChromium(deps: FinderDeps): Promise<string> {
  const found = () => deps.candidates().find((c) => deps.exists(c.path))?.path;
  const first = found();
  if (first) return first;
  const refused = await deps.install();
  const installed = refused ? undefined : found();
  if (installed) return installed;
  const named = deps.candidates().find((c) => c.from === 'CHROMIUM_PATH');
  const looked = `${named ? `CHROMIUM_PATH=${named.path} does not exist; ` : ''}none in ${SYSTEM_NAMES.join(', ')} or Playwright's cache`;
  throw new Error(`No Chromium for the browser tests (${looked}; Playwright's download failed: ${refused ?? 'it installed nothing'}): ${HOW_TO_INSTALL}`);
}

/** `playwright-core install chromium`, its output kept out of the test run's; resolves with the reason it failed. */
export function installPlaywrightChromium(timeoutMs = 5 * 60_000): Promise<string | undefined> {
  const cli = join(dirname(require.resolve('playwright-core/package.json')), 'cli.js');
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, 'install', 'chromium'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => done(e.message));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return done(undefined);
      if (signal) return done(`no answer within ${timeoutMs / 1000} s`);
      // ANSI colour codes start with ESC (\x1b): a control character is the point here.
      const lines = out
        .split('\n')
        // eslint-disable-next-line no-control-regex
        .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
        .filter(Boolean);
      done(
        lines.find((l) => /getaddrinfo|ECONNREFUSED|ETIMEDOUT|certificate/i.test(l)) ??
          lines.find((l) => /Failed to/.test(l)) ??
          lines.at(-1) ??
          `exit code ${code}`,
      );
    });
  });
}

let chosen: Promise<string> | undefined;

/** The Chromium this run uses, looked for (and installed) once per worker. */
export function theChromium(): Promise<string> {
  chosen ??= findChromium({
    candidates: () => chromiumCandidates(process.env, chromium.executablePath()),
    exists: existsSync,
    install: () => installPlaywrightChromium(),
  });
  return chosen;
}
