import { FluentProvider, makeStaticStyles, makeStyles, Spinner, tokens } from '@fluentui/react-components';
import { QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, publicApi, type Me } from './api';
import { PersonaPicker } from './PersonaPicker';
import { createQueryClient } from './query-client';
import { SessionProvider } from './session';
import { Shell } from './Shell';
import { teamsSsoToken } from './teams-context';
import { fluentThemeFor, useHostTheme } from './theme';

const TOKEN_KEY = 'esafety.demoToken';

type State = { kind: 'loading' } | { kind: 'pick-persona' } | { kind: 'signed-in'; token: string; me: Me } | { kind: 'error'; message: string };

const useGlobalStyles = makeStaticStyles({ body: { margin: 0 } });
const useStyles = makeStyles({
  // On a div inside the provider, not on the provider: Fluent copies the provider's className onto
  // its portals (dropdowns, dialogs), and a full-height portal would cover the page.
  root: { minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground1, color: tokens.colorNeutralForeground1 },
  waiting: { paddingTop: '80px' },
  error: { padding: tokens.spacingHorizontalXXL, margin: 0 },
});

const queryClient = createQueryClient();

export function App() {
  useGlobalStyles();
  const s = useStyles();
  const theme = useHostTheme();
  const [state, setState] = useState<State>({ kind: 'loading' });

  const signInWith = useCallback(async (token: string) => {
    try {
      setState({ kind: 'signed-in', token, me: await publicApi.me(token) });
    } catch (e) {
      sessionStorage.removeItem(TOKEN_KEY);
      if (e instanceof ApiError && e.status === 401) setState({ kind: 'pick-persona' });
      else setState({ kind: 'error', message: (e as Error).message });
    }
  }, []);

  useEffect(() => {
    void (async () => {
      const sso = await teamsSsoToken();
      if (sso) return signInWith(sso);
      const saved = sessionStorage.getItem(TOKEN_KEY);
      if (saved) return signInWith(saved);
      setState({ kind: 'pick-persona' });
    })();
  }, [signInWith]);

  const pick = async (personaId: string) => {
    setState({ kind: 'loading' });
    try {
      const token = await publicApi.demoSignIn(personaId);
      sessionStorage.setItem(TOKEN_KEY, token);
      await signInWith(token);
    } catch (e) {
      setState({ kind: 'error', message: (e as Error).message });
    }
  };

  return (
    <QueryClientProvider client={queryClient}>
      <FluentProvider theme={fluentThemeFor(theme)} data-theme={theme}>
        <div className={s.root}>
          {state.kind === 'loading' && <Spinner label="Signing you in…" className={s.waiting} />}
          {state.kind === 'pick-persona' && <PersonaPicker onPick={pick} />}
          {state.kind === 'error' && (
            <p role="alert" className={s.error}>
              {state.message}
            </p>
          )}
          {state.kind === 'signed-in' && (
            <SessionProvider token={state.token} me={state.me}>
              <Shell
                onSignOut={() => {
                  sessionStorage.removeItem(TOKEN_KEY);
                  // The next person must never see the last one's data from the cache.
                  queryClient.clear();
                  setState({ kind: 'pick-persona' });
                }}
              />
            </SessionProvider>
          )}
        </div>
      </FluentProvider>
    </QueryClientProvider>
  );
}
