import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { theChromium } from './find-chromium';

export const ARTIFACTS = resolve(__dirname, '../../test-artifacts');

/** Finding a Chromium may mean downloading one (test/support/find-chromium.ts): give the hook that long. */
export const BROWSER_START_TIMEOUT_MS = 6 * 60_000;

export async function launchBrowser(): Promise<Browser> {
  const executablePath = await theChromium().catch(oneLine);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium
    .launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
    .catch((e: Error) =>
      oneLine(
        new Error(
          `Chromium at ${executablePath} would not start (${firstLine(e.message)}); if libraries are missing: "sudo npx playwright-core install-deps chromium"`,
        ),
      ),
    );
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim()) ?? text;
}

/** Jest prints a hook's error with its stack; these say all there is in their message. */
function oneLine(e: Error): never {
  e.stack = e.message;
  throw e;
}
