import { teamsHighContrastTheme, webDarkTheme, webLightTheme, type Theme } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { teamsHost } from './teams-context';

/** Teams' three themes, as `app.getContext().app.theme` names them. */
export type TeamsTheme = 'default' | 'dark' | 'contrast';

const FLUENT: Record<TeamsTheme, Theme> = { default: webLightTheme, dark: webDarkTheme, contrast: teamsHighContrastTheme };

export const fluentThemeFor = (theme: TeamsTheme): Theme => FLUENT[theme];

const asTeamsTheme = (name: string | null | undefined): TeamsTheme | undefined =>
  name === 'dark' || name === 'contrast' || name === 'default' ? name : name === 'light' ? 'default' : undefined;

/** Outside Teams (the demo): `?theme=dark|contrast|default`, else the browser's own preference. */
function browserTheme(): TeamsTheme {
  const asked = asTeamsTheme(new URLSearchParams(window.location.search).get('theme'));
  if (asked) return asked;
  if (window.matchMedia?.('(forced-colors: active)').matches) return 'contrast';
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'default';
}

/**
 * The theme the person sees Teams in, followed live: Teams tells a tab its theme in the context and
 * calls the theme-change handler when the user switches (learn.microsoft.com: "Get context for your
 * tab", app.registerOnThemeChangeHandler). Outside Teams the OS preference is followed the same way.
 */
export function useHostTheme(): TeamsTheme {
  const [theme, setTheme] = useState<TeamsTheme>(browserTheme);
  useEffect(() => {
    let live = true;
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const followBrowser = () => live && setTheme(browserTheme());
    void teamsHost().then(async (teams) => {
      if (!live) return;
      if (!teams) {
        media?.addEventListener('change', followBrowser);
        return;
      }
      let switched = false;
      teams.app.registerOnThemeChangeHandler((name) => {
        switched = true;
        if (live) setTheme(asTeamsTheme(name) ?? 'default');
      });
      const context = await teams.app.getContext().catch(() => undefined);
      // A switch that arrived while the context was on its way is newer than the context.
      if (live && context && !switched) setTheme(asTeamsTheme(context.app.theme) ?? 'default');
    });
    return () => {
      live = false;
      media?.removeEventListener('change', followBrowser);
    };
  }, []);
  return theme;
}
