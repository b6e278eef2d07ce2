/**
 * Inside Teams the tab runs in a frame (web, desktop) or beside a native bridge (mobile), and gets
 * an SSO token from Teams. Anywhere else it is the demo in a normal browser.
 */
export function looksLikeTeams(): boolean {
  return window.parent !== window.self || 'nativeInterface' in window;
}

type TeamsJs = typeof import('@microsoft/teams-js');
let initialised: Promise<TeamsJs | undefined> | undefined;

/**
 * teams-js once Teams answered `app.initialize()`, else undefined (once per page; a frame that is
 * not Teams never answers, so give up after 4 s). Loaded only inside Teams: the demo never needs it,
 * and on import it tries to fetch its list of Teams origins from a CDN.
 */
export function teamsHost(): Promise<TeamsJs | undefined> {
  initialised ??= !looksLikeTeams()
    ? Promise.resolve(undefined)
    : import('@microsoft/teams-js')
        .then((teams) =>
          Promise.race([teams.app.initialize().then(() => teams), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 4000))]),
        )
        .catch(() => undefined);
  return initialised;
}

export async function teamsSsoToken(): Promise<string | undefined> {
  const teams = await teamsHost();
  if (!teams) return undefined;
  try {
    return await teams.authentication.getAuthToken();
  } catch {
    return undefined;
  }
}
