import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { GraphAccess } from './graph-access';
import { graphAuthFromEnv, onBehalfOf, tokenSourceFor } from './graph-auth';

const TENANT = 'b1f0c9a2-5d4e-4c3b-9a8f-0e1d2c3b4a50';
const LOGIN = 'https://login.microsoftonline.com';

/** A stand-in for Entra ID's token endpoint and metadata, as msal-node calls them. */
const tokenRequests: URLSearchParams[] = [];
const server = setupServer(
  http.get(`${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`, () =>
    HttpResponse.json({
      token_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/token`,
      issuer: `${LOGIN}/${TENANT}/v2.0`,
      authorization_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/logout`,
      jwks_uri: `${LOGIN}/${TENANT}/discovery/v2.0/keys`,
    }),
  ),
  http.get(`${LOGIN}/common/discovery/instance`, () =>
    HttpResponse.json({ tenant_discovery_endpoint: `${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`, metadata: [] }),
  ),
  http.post(`${LOGIN}/${TENANT}/oauth2/v2.0/token`, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    tokenRequests.push(form);
    const obo = form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    return HttpResponse.json({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: obo ? 'delegated-token' : 'app-token' });
  }),
  http.get('https://graph.microsoft.com/v1.0/organization', ({ request }) =>
    HttpResponse.json({ value: [{ id: TENANT, seenToken: request.headers.get('authorization') }] }),
  ),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => (tokenRequests.length = 0));

describe('a real tenant is one config change away', () => {
  it('gets an app token by client credentials (msal-node) and sends it to Graph, once for many calls', async () => {
    const auth = graphAuthFromEnv({ GRAPH_CLIENT_ID: 'client-1', GRAPH_CLIENT_SECRET: 'secret-1' }, TENANT)!;
    expect(auth.mode).toBe('client-credentials');
    const graph = new GraphAccess({ tokens: tokenSourceFor(auth, 'https://graph.microsoft.com/v1.0') });
    const first = await graph.get<{ value: Array<{ seenToken: string }> }>('/organization');
    await graph.get('/organization');
    expect(first.value[0]!.seenToken).toBe('Bearer app-token');
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]!.get('grant_type')).toBe('client_credentials');
    expect(tokenRequests[0]!.get('scope')).toContain('https://graph.microsoft.com/.default');
  });

  it('prefers client credentials, then GRAPH_TOKEN, and has nothing without either', () => {
    expect(graphAuthFromEnv({ GRAPH_TOKEN: 't' }, TENANT)).toEqual({ mode: 'token', token: 't' });
    expect(graphAuthFromEnv({}, TENANT)).toBeUndefined();
  });

  it('exchanges a tab user’s SSO token for delegated Graph on their behalf', async () => {
    const tokens = onBehalfOf({ tenantId: TENANT, clientId: 'client-1', clientSecret: 'secret-1' }, 'user-sso-token', 'https://graph.microsoft.com/v1.0');
    expect(await tokens.getAccessToken()).toBe('delegated-token');
    expect(tokenRequests[0]!.get('assertion')).toBe('user-sso-token');
    expect(tokenRequests[0]!.get('requested_token_use')).toBe('on_behalf_of');
  });
});
