/** The tab API, as the server defines it (src/server/create-server.ts). */
export interface Me {
  school: string;
  person: { id: string; displayName: string; kind: string; roles: string[] };
  navigation: Array<{ id: string; label: string }>;
}

export interface Persona {
  id: string;
  displayName: string;
  userPrincipalName: string;
  description: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, token?: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.message ?? `The server answered ${res.status}`);
  return body as T;
}

export const api = {
  me: (token: string) => call<Me>('/api/me', token),
  personas: () => call<{ personas: Persona[] }>('/api/demo/personas').then((r) => r.personas),
  demoSignIn: (personaId: string) =>
    call<{ token: string }>('/api/demo/sign-in', undefined, { method: 'POST', body: JSON.stringify({ personaId }) }).then((r) => r.token),
};
