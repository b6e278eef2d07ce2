import { app, authentication } from '@microsoft/teams-js';

/**
 * Inside Teams the tab runs in a frame (web, desktop) or beside a native bridge (mobile), and gets
 * an SSO token from Teams. Anywhere else it is the demo in a normal browser.
 */
export function looksLikeTeams(): boolean {
  return window.parent !== window.self || 'nativeInterface' in window;
}

export async function teamsSsoToken(): Promise<string | undefined> {
  if (!looksLikeTeams()) return undefined;
  try {
    await Promise.race([app.initialize(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 4000))]);
    return await authentication.getAuthToken();
  } catch {
    return undefined;
  }
}
