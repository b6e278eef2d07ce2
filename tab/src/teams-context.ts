import { app, authentication } from '@microsoft/teams-js';

/**
 * Inside Teams the tab runs in a frame (web, desktop) or beside a native bridge (mobile), and gets
 * an SSO token from Teams. Anywhere else it is the demo in a normal browser.
 */
export function looksLikeTeams(): boolean {
  return window.parent !== window.self || 'nativeInterface' in window;
}

let initialised: Promise<boolean> | undefined;

/** Whether Teams answered `app.initialize()` (once per page; a frame that is not Teams never answers, so give up after 4 s). */
export function teamsHost(): Promise<boolean> {
  initialised ??= !looksLikeTeams()
    ? Promise.resolve(false)
    : Promise.race([app.initialize().then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 4000))]).catch(() => false);
  return initialised;
}

export async function teamsSsoToken(): Promise<string | undefined> {
  if (!(await teamsHost())) return undefined;
  try {
    return await authentication.getAuthToken();
  } catch {
    return undefined;
  }
}
