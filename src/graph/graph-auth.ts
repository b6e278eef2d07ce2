import { ConfidentialClientApplication } from '@azure/msal-node';

/**
 * Where the app's Graph token comes from. Exactly one of: the school's app registration (client
 * credentials through msal-node), a bearer token someone pasted (`--token` / GRAPH_TOKEN), or the
 * demo tenant (which only checks that a token is present).
 */
export type GraphAuthConfig =
  | { mode: 'client-credentials'; tenantId: string; clientId: string; clientSecret: string; authorityHost?: string }
  | { mode: 'token'; token: string }
  /** The demo tenant; `roles` limits the token to those application permissions (audit-only mode). */
  | { mode: 'demo'; roles?: string[] };

/**
 * The demo app registration's id: the demo tenant's Exchange assigns "Application Mail.Send" to it
 * (RBAC for Applications), as a school does for its real registration.
 */
export const DEMO_APP_ID = '0e5afe70-0000-4000-8000-00000000a99a';

export interface TokenSource {
  getAccessToken(): Promise<string>;
}

export function tokenSourceFor(auth: GraphAuthConfig, graphBaseUrl: string): TokenSource {
  switch (auth.mode) {
    case 'token':
      return { getAccessToken: async () => auth.token };
    case 'demo': {
      if (!auth.roles) return { getAccessToken: async () => 'demo-tenant-token' };
      // An unsigned token shaped like Entra's app-only token: the demo tenant reads its roles.
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ aud: 'https://graph.microsoft.com', appid: DEMO_APP_ID, roles: auth.roles })}.`;
      return { getAccessToken: async () => token };
    }
    case 'client-credentials': {
      const app = new ConfidentialClientApplication({
        auth: {
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          // National clouds have their own login host (login.microsoftonline.us, login.chinacloudapi.cn).
          authority: `${auth.authorityHost ?? 'https://login.microsoftonline.com'}/${auth.tenantId}`,
        },
      });
      const scope = `${new URL(graphBaseUrl).origin}/.default`;
      return {
        async getAccessToken() {
          // msal-node caches the token and renews it shortly before it expires.
          const result = await app.acquireTokenByClientCredential({ scopes: [scope] });
          if (!result?.accessToken) throw new Error('Entra ID returned no access token for Microsoft Graph');
          return result.accessToken;
        },
      };
    }
  }
}

/**
 * Delegated Graph for a tab request: exchanges the user's SSO token (audience = this app) for a
 * Graph token on their behalf. Used where a read must respect the person's own permissions.
 */
export function onBehalfOf(
  app: { tenantId: string; clientId: string; clientSecret: string; authorityHost?: string },
  userToken: string,
  graphBaseUrl: string,
  scopes: string[] = ['User.Read'],
): TokenSource {
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      authority: `${app.authorityHost ?? 'https://login.microsoftonline.com'}/${app.tenantId}`,
    },
  });
  const origin = new URL(graphBaseUrl).origin;
  return {
    async getAccessToken() {
      const result = await cca.acquireTokenOnBehalfOf({ oboAssertion: userToken, scopes: scopes.map((s) => `${origin}/${s}`) });
      if (!result?.accessToken) throw new Error('Entra ID refused the on-behalf-of exchange');
      return result.accessToken;
    },
  };
}

/** Reads the Graph auth from the environment: client credentials, else GRAPH_TOKEN, else none. */
export function graphAuthFromEnv(env: NodeJS.ProcessEnv, tenantId: string): GraphAuthConfig | undefined {
  if (env.GRAPH_CLIENT_ID && env.GRAPH_CLIENT_SECRET) {
    return {
      mode: 'client-credentials',
      tenantId,
      clientId: env.GRAPH_CLIENT_ID,
      clientSecret: env.GRAPH_CLIENT_SECRET,
      ...(env.GRAPH_AUTHORITY_HOST ? { authorityHost: env.GRAPH_AUTHORITY_HOST } : {}),
    };
  }
  if (env.GRAPH_TOKEN) return { mode: 'token', token: env.GRAPH_TOKEN };
  return undefined;
}
