import { FluentProvider, Spinner, teamsLightTheme } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type Me } from './api';
import { Shell } from './Shell';
import { PersonaPicker } from './PersonaPicker';
import { teamsSsoToken } from './teams-context';

const TOKEN_KEY = 'esafety.demoToken';

type State =
  | { kind: 'loading' }
  | { kind: 'pick-persona' }
  | { kind: 'signed-in'; token: string; me: Me }
  | { kind: 'error'; message: string };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const signInWith = useCallback(async (token: string) => {
    try {
      setState({ kind: 'signed-in', token, me: await api.me(token) });
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
      const token = await api.demoSignIn(personaId);
      sessionStorage.setItem(TOKEN_KEY, token);
      await signInWith(token);
    } catch (e) {
      setState({ kind: 'error', message: (e as Error).message });
    }
  };

  return (
    <FluentProvider theme={teamsLightTheme} style={{ minHeight: '100vh' }}>
      {state.kind === 'loading' && <Spinner label="Signing you in…" style={{ marginTop: 80 }} />}
      {state.kind === 'pick-persona' && <PersonaPicker onPick={pick} />}
      {state.kind === 'error' && (
        <p role="alert" style={{ padding: 24 }}>
          {state.message}
        </p>
      )}
      {state.kind === 'signed-in' && (
        <Shell
          me={state.me}
          token={state.token}
          onSignOut={() => {
            sessionStorage.removeItem(TOKEN_KEY);
            setState({ kind: 'pick-persona' });
          }}
        />
      )}
    </FluentProvider>
  );
}
