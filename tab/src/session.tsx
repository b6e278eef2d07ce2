import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { createApi, type Api, type Me } from './api';

interface Session {
  me: Me;
  api: Api;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in person and the API bound to their token: pages read it here, never from props. */
export function SessionProvider({ token, me, children }: { token: string; me: Me; children: ReactNode }) {
  const value = useMemo(() => ({ me, api: createApi(token) }), [token, me]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>: a page rendered before sign-in');
  return session;
}

export const useMe = () => useSession().me;
export const useApi = () => useSession().api;
